/**
 * Conformance of frames → v1 events → JSON with the reference (§2.2, §2.4, §2.5, §3, §9). Every
 * expected line is written by hand from the fixture's content and the reference rules (key order,
 * omitempty, escaping); `time_us` is numbered by the test. Frames are built with
 * @jetstream-ts/testkit or loaded from its real fixtures.
 */
import type { JetstreamEvent } from '@jetstream-ts/models';
import { decodeFrame } from '@jetstream-ts/frames';
import {
  accountFrame,
  buildCommit,
  commitFrame,
  createDropRecorder,
  createPost,
  dagCborBlock,
  errorFrame,
  identityFrame,
  infoFrame,
  loadCarboxFrame,
  loadIndigoCommitFrame,
  loadIndigoScenario,
  messageFrame,
  postRecord,
  syncFrame,
  type BuildCommitOptions,
  type DropRecorder,
  type RecordWrite,
} from '@jetstream-ts/testkit';
import { from, lastValueFrom, toArray } from 'rxjs';
import { encodeEvent, encodeEventJson, frameToEvents, toJetstreamEvents } from '../index.js';

const utf8 = new TextDecoder();

/** Frames through decodeFrame → frameToEvents → encodeEventJson, time_us numbered from `firstTimeUs`. */
function v1Lines(frames: readonly Uint8Array[], firstTimeUs: number, drops: DropRecorder = createDropRecorder()): string[] {
  const events = frames.flatMap((bytes) => frameToEvents(decodeFrame(bytes), drops));
  return events.map((event, i) => utf8.decode(encodeEventJson({ ...event, time_us: firstTimeUs + i })));
}

describe('v1 JSON of the real fixture frames', () => {
  it('carbox donkeyballs: a post create from a 2023 frame without rev (rev omitted)', () => {
    expect(v1Lines([loadCarboxFrame()], 1682291115400000)).toEqual([
      '{"did":"did:plc:o32okshy54r5h2vlrjpz3aln","time_us":1682291115400000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"3ju35q7husm2p","record":{"$type":"app.bsky.feed.post","createdAt":"2023-04-23T23:05:15.184Z","text":"donkeyballs"},"cid":"bafyreifnusfxza4u2kcv7f7j4r7mb2td2v3xrynpcqud5inayllkq3obua"}}',
    ]);
  });

  it('indigo post_lifecycle: like, unlike, reply, delete, profile update (blobs), post + threadgate + postgate', () => {
    const frames = loadIndigoScenario('post_lifecycle').map((frame) => frame.bytes);
    expect(v1Lines(frames, 1744839026800001)).toEqual([
      '{"did":"did:plc:44ybard66vv44zksje25o7dz","time_us":1744839026800001,"kind":"commit","commit":{"rev":"3lmxjza3nva27","operation":"create","collection":"app.bsky.feed.like","rkey":"3lmxjza3h2i27","record":{"$type":"app.bsky.feed.like","createdAt":"2025-04-16T21:30:26.611Z","subject":{"cid":"bafyreigaqcu4loopk4dkd57c6zulsivi6lnsrwkpyt5t3khnixglnvwx2i","uri":"at://did:plc:yk4dd2qkboz2yv6tpubpc6co/app.bsky.feed.post/3llz56wmk522o"}},"cid":"bafyreicftwsv77h736dhuqe6mdhbanbxyronlwwoogdqyvjkxkvggubhwy"}}',
      '{"did":"did:plc:44ybard66vv44zksje25o7dz","time_us":1744839026800002,"kind":"commit","commit":{"rev":"3lmxjzbfkb522","operation":"delete","collection":"app.bsky.feed.like","rkey":"3lmxjza3h2i27"}}',
      '{"did":"did:plc:44ybard66vv44zksje25o7dz","time_us":1744839026800003,"kind":"commit","commit":{"rev":"3lmxjzlrcpk24","operation":"create","collection":"app.bsky.feed.post","rkey":"3lmxjzlexp22k","record":{"$type":"app.bsky.feed.post","createdAt":"2025-04-16T21:30:38.564Z","langs":["en"],"reply":{"parent":{"cid":"bafyreigaqcu4loopk4dkd57c6zulsivi6lnsrwkpyt5t3khnixglnvwx2i","uri":"at://did:plc:yk4dd2qkboz2yv6tpubpc6co/app.bsky.feed.post/3llz56wmk522o"},"root":{"cid":"bafyreigaqcu4loopk4dkd57c6zulsivi6lnsrwkpyt5t3khnixglnvwx2i","uri":"at://did:plc:yk4dd2qkboz2yv6tpubpc6co/app.bsky.feed.post/3llz56wmk522o"}},"text":"test reply"},"cid":"bafyreih5mktscghqb7t2zmqb7s755iqk23rw7zc5525ifp53b3ksr2kk2i"}}',
      '{"did":"did:plc:44ybard66vv44zksje25o7dz","time_us":1744839026800004,"kind":"commit","commit":{"rev":"3lmxjzvdjcc2e","operation":"delete","collection":"app.bsky.feed.post","rkey":"3lmxjzlexp22k"}}',
      String.raw`{"did":"did:plc:44ybard66vv44zksje25o7dz","time_us":1744839026800005,"kind":"commit","commit":{"rev":"3lmxk25y7ad22","operation":"update","collection":"app.bsky.actor.profile","rkey":"self","record":{"$type":"app.bsky.actor.profile","avatar":{"$type":"blob","ref":{"$link":"bafkreiglnysron3h2je7nf6cmvtimuaxi7xe2c7rkxitmks3mzmajnc2ou"},"mimeType":"image/jpeg","size":106760},"banner":{"$type":"blob","ref":{"$link":"bafkreih42ufe7ies4zephtkdw4tcb4hvuoc2pjzybpjxpecz3tyymnvkhm"},"mimeType":"image/jpeg","size":185885},"description":"dweb, cycling, snow, big cities, wiki. I like speculating about found objects.\nprotocol engineer @bsky.app. formerly archive.org\nelsewhere: bnewbold.net / @bnewbold@social.coop ","displayName":"bryan newbold"},"cid":"bafyreib5ojewycjw3oge3zwphhs6g6s4yo4mezubfqzujglonqdkcx7dda"}}`,
      '{"did":"did:plc:44ybard66vv44zksje25o7dz","time_us":1744839026800006,"kind":"commit","commit":{"rev":"3lmxk36v2fg2o","operation":"create","collection":"app.bsky.feed.post","rkey":"3lmxk35znys2k","record":{"$type":"app.bsky.feed.post","createdAt":"2025-04-16T21:31:31.667Z","embed":{"$type":"app.bsky.embed.images","images":[{"alt":"","aspectRatio":{"height":800,"width":533},"image":{"$type":"blob","ref":{"$link":"bafkreigo42po23ciju42tjvieq6qwr2j52re5skq3smc32vbtrpj5uynnq"},"mimeType":"image/jpeg","size":213841}}]},"labels":{"$type":"com.atproto.label.defs#selfLabels","values":[{"val":"graphic-media"}]},"langs":["en"],"text":"test post"},"cid":"bafyreie7e7nxgitx52m2e65k273y7dbzekcqzcbu2cnalmuzzzkzzczxpq"}}',
      '{"did":"did:plc:44ybard66vv44zksje25o7dz","time_us":1744839026800007,"kind":"commit","commit":{"rev":"3lmxk36v2fg2o","operation":"create","collection":"app.bsky.feed.threadgate","rkey":"3lmxk35znys2k","record":{"$type":"app.bsky.feed.threadgate","allow":[],"createdAt":"2025-04-16T21:31:32.453Z","hiddenReplies":[],"post":"at://did:plc:44ybard66vv44zksje25o7dz/app.bsky.feed.post/3lmxk35znys2k"},"cid":"bafyreiejdf727mby46epic6uzhta5f4o6d63ei54jc75hddrblbyomcgza"}}',
      '{"did":"did:plc:44ybard66vv44zksje25o7dz","time_us":1744839026800008,"kind":"commit","commit":{"rev":"3lmxk36v2fg2o","operation":"create","collection":"app.bsky.feed.postgate","rkey":"3lmxk35znys2k","record":{"$type":"app.bsky.feed.postgate","createdAt":"2025-04-16T21:31:31.667Z","detachedEmbeddingUris":[],"embeddingRules":[{"$type":"app.bsky.feed.postgate#disableRule"}],"post":"at://did:plc:44ybard66vv44zksje25o7dz/app.bsky.feed.post/3lmxk35znys2k"},"cid":"bafyreigof52xenkrpqpff4hfmvj42oe2zixc7k36dcgeqe63n6itk34ybm"}}',
    ]);
  });

  it('indigo account_lifecycle: identity with handle, active account, #sync ignored, deleted account', () => {
    const frames = loadIndigoScenario('account_lifecycle').map((frame) => frame.bytes);
    expect(v1Lines(frames, 1744846834200001)).toEqual([
      '{"did":"did:plc:vvpy7d6y2li5yo73cgbszibl","time_us":1744846834200001,"kind":"identity","identity":{"did":"did:plc:vvpy7d6y2li5yo73cgbszibl","handle":"pengua.bsky.social","seq":110,"time":"2025-04-16T23:40:33.895Z"}}',
      '{"did":"did:plc:vvpy7d6y2li5yo73cgbszibl","time_us":1744846834200002,"kind":"account","account":{"active":true,"did":"did:plc:vvpy7d6y2li5yo73cgbszibl","seq":120,"time":"2025-04-16T23:40:33.895Z"}}',
      '{"did":"did:plc:vvpy7d6y2li5yo73cgbszibl","time_us":1744846834200003,"kind":"account","account":{"active":false,"did":"did:plc:vvpy7d6y2li5yo73cgbszibl","seq":140,"status":"deleted","time":"2025-04-16T23:41:33.895Z"}}',
    ]);
  });

  it('indigo firehose_commit_4623075231: profile create with an avatar blob and an empty displayName', () => {
    expect(v1Lines([loadIndigoCommitFrame('firehose_commit_4623075231').bytes], 1738806202500000)).toEqual([
      '{"did":"did:plc:sxtoas2sxjv6gh2bibdg3g4b","time_us":1738806202500000,"kind":"commit","commit":{"rev":"3lhhxizu5wr2d","operation":"create","collection":"app.bsky.actor.profile","rkey":"self","record":{"$type":"app.bsky.actor.profile","avatar":{"$type":"blob","ref":{"$link":"bafkreibwhdjd2rq4wfmeh4ycg2om46c7ver4f22gh7xzxnh4ovo2swanlq"},"mimeType":"image/jpeg","size":15444},"createdAt":"2025-02-06T01:43:21.299Z","displayName":""},"cid":"bafyreide63hdwry7d7hhs3eyrzab2ntcobdnhjmdvqwpsidg6ctil6ostq"}}',
    ]);
  });

  it('indigo firehose_commit_4621332152: 42 follows in op order', () => {
    // [rkey, subject, cid] of each op, read from the fixture.
    const follows: [string, string, string][] = [
      ['3lhhvfa2dve2d', 'did:plc:ac2n6ooa3664xubwh3tkjvxp', 'bafyreiayat6c4p53cqcigqd54ufbi64c54rfqdmxweyydj6d67xyqmzili'],
      ['3lhhvfa2dvf2d', 'did:plc:mn4uc6223by26lpi4keuymbv', 'bafyreibmmj564ehoftpuhcxiczi524znxh7jhc6bdmoolhkge75b6dscla'],
      ['3lhhvfa2dvg2d', 'did:plc:spfrxml5amqofc7gpjpgr4ah', 'bafyreib7zstkzqf5jqrmo2x7gdulvw5jgqc7z3f2s5wsksg4637jxgbqbu'],
      ['3lhhvfa2dvh2d', 'did:plc:tmdqw5xfn3vaziphphhk7pal', 'bafyreigwot7g2bh2sikplkt4ivzrkl5nzricgz54mjoqnuas5kwmmmpkxm'],
      ['3lhhvfa2dvi2d', 'did:plc:cdmoemm3spvynejwt754l7rz', 'bafyreibe3ieh6ykfrt5nxioeltzujqwyt42q3hy4v6t3ojts26lt6ijp7i'],
      ['3lhhvfa2dvj2d', 'did:plc:eybapqtmptfn3sdtqrxqum3q', 'bafyreigfr2nazrcn3se2g463qdppvukcoi7bgao2e75nlv7lko66oig2la'],
      ['3lhhvfa2dvk2d', 'did:plc:2smzgaht26v5h5is2eyxaxpw', 'bafyreif4jgtfplcshzz2ue5hxb4j2m2d5gbjvp73pud7sye5koqqbqsjvi'],
      ['3lhhvfa2dvl2d', 'did:plc:a7abfvihrca4fshlffzzt6wt', 'bafyreib5bv6zp5lpjwmuhszuydmjxwfkqjepmqi6gn3m6vareytstzshui'],
      ['3lhhvfa2dvm2d', 'did:plc:rbal24b2yv6zuyrz25h6utgo', 'bafyreiawqchisk6ll55qpl5zk5qwenyzywd7d7pyycpoes3vm7hztjct4q'],
      ['3lhhvfa2dvn2d', 'did:plc:iozv6jzqxzlmmrhr7wndyyjc', 'bafyreicu7vzp5ssmquhknbfc3wcipgrzj6xxl2jwms6rmy4iotc4ye6xem'],
      ['3lhhvfa2dvo2d', 'did:plc:dpfqee4l4tx4ne6bfvg73gs2', 'bafyreib66l5vxsszewrpia5maz2dxmyb7mszgdzmegq22dj57w44syswua'],
      ['3lhhvfa2dvp2d', 'did:plc:yq7ps6ascs47merq52wp3rns', 'bafyreidhtshwt2e2b5uansluvvppexh2vi75wu4ahjqpcdltgl6m6exe3q'],
      ['3lhhvfa2dvq2d', 'did:plc:xofatrys76qdu2zvlaberxzb', 'bafyreif2q3siiriytruwvono2mi5kckzrgsix7jhjduluon54vzyi62wje'],
      ['3lhhvfa2dvr2d', 'did:plc:4rpa5c3hqcnp7wdxbpsnwg3y', 'bafyreibpsjfwgkmsea6xliou2r4zh6g6ll5urersf2hb3vnpwom37pkveu'],
      ['3lhhvfa2dvs2d', 'did:plc:q557ibhqocoh42daxaf2sjsb', 'bafyreidrgc7bd6pdqlpfbjsqeur2xsdmhcy5oymmqu7dd6bi22f4zj7u74'],
      ['3lhhvfa2dvt2d', 'did:plc:dmkt4tphj3gaxulrkekd4elu', 'bafyreidawhbiqucqrmtb5gspwyzfutssbd7kj5pk7xvw7oaiuc5irhputa'],
      ['3lhhvfa2dvu2d', 'did:plc:jgog73ig4y477k6ns2iudjuf', 'bafyreibwe7gw3i2hszvvwt3x5tjoem2hrjf456xxyuo4srtozca4sm4qpm'],
      ['3lhhvfa2dvv2d', 'did:plc:3jkdoyfjk54jbdppwojzjyhy', 'bafyreibygrrassy2awsffhqwd2cksnyhuxb45vxvvqkwz7gdh5cal3msq4'],
      ['3lhhvfa2dvw2d', 'did:plc:lp7axhlwtl5fl2prelnggn57', 'bafyreidkaygfaa5joetfsuotx5chv56zoqf2sgazf7buzctmv4azyoqctm'],
      ['3lhhvfa2dvx2d', 'did:plc:nglw6aw35dlakvkn4taf64gz', 'bafyreifyugsjymznoqhogjpy2hbd2zk3lyowbu5td26jfnkmtaf7egquxa'],
      ['3lhhvfa2dvy2d', 'did:plc:lhmrxnqfuly5fsnxijpq7eyz', 'bafyreidi4sxebpuxlwhlqk7cdogprwafjfrd2mis5lqb5m4jytiy5gglke'],
      ['3lhhvfa2dvz2d', 'did:plc:4hnv3oxi27cocjvufspbv4yt', 'bafyreig32al3hmzs3gvrjbdegnucse3rqwpahm2yb6jsw6g3s73taskava'],
      ['3lhhvfa2dw22d', 'did:plc:zoknjr5zojnxtxxc7rigyc5y', 'bafyreic5hnngjox4riygtfxf3xv52mnty77jph3ffw2wxdt4zr4dm4zwhq'],
      ['3lhhvfa2dw32d', 'did:plc:sv5ghj2uuli6escwkvmbuukx', 'bafyreihtg3cwwewah2azoakyanh26opbcub547cnhhame5lmat6hym7g2y'],
      ['3lhhvfa2dw42d', 'did:plc:73k662i7tciuolzamunhv57l', 'bafyreigigf6lcw33k27ehznfpm43al4cv5ljoyzdt734vhtwj5o4ovcwti'],
      ['3lhhvfa2dw52d', 'did:plc:viiin4maugm2fykzakcy7kc2', 'bafyreidtttxl7ognfx7njnzzdlni6dmdnenylsn3dpde7j4fzh7zubvde4'],
      ['3lhhvfa2dw62d', 'did:plc:nyeocapttrcaizrqwqar6rxi', 'bafyreiaefj73g5nldhdiyqi34ahwscu6oug3v7ml5uhhjhgfkac5jwpv4a'],
      ['3lhhvfa2dw72d', 'did:plc:6mmsla42pvmmzfnirh55mspb', 'bafyreidewlzgttthn3o4f6zp5lz26z5s2xfa65hbf27tjenwzezvvny7sa'],
      ['3lhhvfa2dwa2d', 'did:plc:xfllbb64jfih2xrtltozmd2n', 'bafyreifbgzoyzev65alfcrq2resybehujtpkxsk56f6n5uvxm7jbj5q23y'],
      ['3lhhvfa2dwb2d', 'did:plc:4forafonxewv2c3kzjofvd6g', 'bafyreifhaecxshhglol3hgym53yjrvvsh7ei4ko2eiclju2vg7kynleb5a'],
      ['3lhhvfa2dwc2d', 'did:plc:zyvqlblja37k3l77jkbzjcgy', 'bafyreiaexsbsrg2pn6uloczlaewzswzeoerix3fpc7eozp4bcjpo3rr5fe'],
      ['3lhhvfa2dwd2d', 'did:plc:eqfa2ohp42fpcjl57m3zswto', 'bafyreiev5mnxtcg6ijunkrpchtqcsrzj4pdxs6owxjpmmxzb3zrqbhchg4'],
      ['3lhhvfa2dwe2d', 'did:plc:v3waefsskf3pr3uccz4xw4z4', 'bafyreif6f5ibac7xyq3g6sv2zb3upxnchy5pvkhvnh6daxf2uyujbe55am'],
      ['3lhhvfa2dwf2d', 'did:plc:bcrqxw22z72eawlvd2d4nnv7', 'bafyreihnspbdsny7swoolrmdlv4q24mmk24ckp53lxclg2lne4fwwheije'],
      ['3lhhvfa2dwg2d', 'did:plc:o52iiwwadoeozvxa26xa5z6g', 'bafyreic443jgpcp6uy47dkhxpyrphf7rxe325ex3d2vh2x6rut4wfezn4m'],
      ['3lhhvfa2evo2d', 'did:plc:3iekfzgy6c3jkcmiotnnzhle', 'bafyreidtpxqurdcciltuibvyhc56n2ydswhjx773fhy42ix6ebbhqo6sn4'],
      ['3lhhvfa2evp2d', 'did:plc:uyukfd3yuvqv43hmv5bp3ifr', 'bafyreiao4f364j4mriuenm4ne4wjugo3amzpshv5z7etw2b47fm5yhgmm4'],
      ['3lhhvfa2evq2d', 'did:plc:dcqttvz7ctohl6ielaa5iq45', 'bafyreib3vusrgfd225pdreul7jq4yysf45jvcyjwv6bhxu4dsoe4csqcwi'],
      ['3lhhvfa2evr2d', 'did:plc:ckzv2mvvwujlmjg3ig6nx6r4', 'bafyreieul427kb3aoj2awrvxymn3qd6tsnebuatjd6xvddz6ctzr4qqfda'],
      ['3lhhvfa2evs2d', 'did:plc:ptvq3i73i4gsklisoyc7cosp', 'bafyreias4ecruxn53u5f3yl2l7ludasvamsynotgyrkg72wnbg2muieb4i'],
      ['3lhhvfa2evt2d', 'did:plc:6ioyregd7ajfyqsk7asup6eq', 'bafyreifvz7tuv34atutzsbjo7654ireu5icujyzm3lsuntewvjfogwurli'],
      ['3lhhvfa2evu2d', 'did:plc:xprhnp2xxss32b5lpcnzoqtj', 'bafyreibf4swjcxcwkqn2q5afk4444hyvbr5zmqenizjwhzpitctstgakam'],
    ];
    const expected = follows.map(
      ([rkey, subject, cid], i) =>
        `{"did":"did:plc:vixizgjuwef5ovmixqxalfup","time_us":${1738803927200001 + i},"kind":"commit","commit":{"rev":"3lhhvfanmos22","operation":"create","collection":"app.bsky.graph.follow","rkey":"${rkey}","record":{"$type":"app.bsky.graph.follow","createdAt":"2025-02-06T01:05:26.542Z","subject":"${subject}"},"cid":"${cid}"}}`,
    );
    expect(v1Lines([loadIndigoCommitFrame('firehose_commit_4621332152').bytes], 1738803927200001)).toEqual(expected);
  });
});

const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const rev = '3l3qo2vutsw2b';
const time = '2024-09-25T12:00:00.000Z';
const post = postRecord;
const postJson = (text: string) => `{"$type":"app.bsky.feed.post","createdAt":"2024-09-25T00:00:00.000Z","text":"${text}"}`;
const cidOf = (record: unknown) => dagCborBlock(record).cid.toString();
const create = createPost;
/** The v1 line of a post create by `did` at rev `rev`. */
const createdLine = (timeUs: number, rkey: string, text: string) =>
  `{"did":"${did}","time_us":${timeUs},"kind":"commit","commit":{"rev":"${rev}","operation":"create","collection":"app.bsky.feed.post","rkey":"${rkey}","record":${postJson(text)},"cid":"${cidOf(post(text))}"}}`;

function commitBytes(writes: RecordWrite[], options: Partial<BuildCommitOptions> = {}): Uint8Array {
  return commitFrame(buildCommit({ did, rev, seq: 21, time, writes, ...options }).body);
}

function stages(drops: DropRecorder): string[] {
  return drops.reports.map((report) => report.stage);
}

describe('v1 JSON of constructed commits', () => {
  it('emits one event per op in op order: create, update, delete (no record and cid on delete)', () => {
    const first = buildCommit({ did, rev, seq: 1, time, writes: [create('a', 'one'), create('b', 'two')] });
    const second = buildCommit({
      did,
      rev: '3l3qo2vutsw2c',
      seq: 2,
      time,
      contents: first.contents,
      writes: [
        { action: 'update', collection: 'app.bsky.feed.post', rkey: 'a', record: post('one, edited') },
        { action: 'delete', collection: 'app.bsky.feed.post', rkey: 'b' },
      ],
    });
    expect(v1Lines([commitFrame(first.body), commitFrame(second.body)], 10)).toEqual([
      createdLine(10, 'a', 'one'),
      createdLine(11, 'b', 'two'),
      `{"did":"${did}","time_us":12,"kind":"commit","commit":{"rev":"3l3qo2vutsw2c","operation":"update","collection":"app.bsky.feed.post","rkey":"a","record":${postJson('one, edited')},"cid":"${cidOf(post('one, edited'))}"}}`,
      `{"did":"${did}","time_us":13,"kind":"commit","commit":{"rev":"3l3qo2vutsw2c","operation":"delete","collection":"app.bsky.feed.post","rkey":"b"}}`,
    ]);
  });

  it('takes rev from the frame, not from the signed commit block', () => {
    const { body } = buildCommit({ did, rev, seq: 1, time, writes: [create('a', 'one')] });
    const line = v1Lines([commitFrame({ ...body, rev: '3zzzzzzzzzzzz' })], 1)[0];
    expect(line).toContain('"commit":{"rev":"3zzzzzzzzzzzz","operation":"create"');
  });

  it('keeps rkey segments up to the second slash only (§2.4: extra segments discarded)', () => {
    const record = post('deep');
    expect(v1Lines([commitBytes([{ action: 'create', path: 'app.bsky.feed.post/abc/extra/more', record }])], 1)).toEqual([
      `{"did":"${did}","time_us":1,"kind":"commit","commit":{"rev":"${rev}","operation":"create","collection":"app.bsky.feed.post","rkey":"abc","record":${postJson('deep')},"cid":"${cidOf(record)}"}}`,
    ]);
  });

  it('omits an empty collection (path "/x") and an empty rkey (path "c.d.e/") (§3 omitempty, §9.10)', () => {
    const record = post('odd');
    const frame = commitBytes([
      { action: 'create', path: '/x', record },
      { action: 'delete', path: 'c.d.e/' },
    ]);
    expect(v1Lines([frame], 1)).toEqual([
      `{"did":"${did}","time_us":1,"kind":"commit","commit":{"rev":"${rev}","operation":"create","rkey":"x","record":${postJson('odd')},"cid":"${cidOf(record)}"}}`,
      `{"did":"${did}","time_us":2,"kind":"commit","commit":{"rev":"${rev}","operation":"delete","collection":"c.d.e"}}`,
    ]);
  });

  it('escapes path parts like any Go string (<, >, & as \\u003c...)', () => {
    expect(v1Lines([commitBytes([{ action: 'delete', path: 'com.example.x/a<b>&c' }])], 1)).toEqual([
      String.raw`{"did":"did:plc:ewvi7nxzyoun6zhxrhs64oiz","time_us":1,"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"delete","collection":"com.example.x","rkey":"a\u003cb\u003e\u0026c"}}`,
    ]);
  });

  it('drops an op whose path has no "/" (v1 panics; we drop and report) and keeps the others', () => {
    const drops = createDropRecorder();
    const frame = commitBytes([{ action: 'create', path: 'noslash', record: post('x') }, create('b', 'two')]);
    expect(v1Lines([frame], 1, drops)).toEqual([createdLine(1, 'b', 'two')]);
    expect(stages(drops)).toEqual(['op']);
  });

  it('drops a delete whose path has no "/" too (v1 splits the path before looking at the action)', () => {
    const drops = createDropRecorder();
    const frame = commitBytes([{ action: 'delete', path: 'noslash' }, { action: 'delete', path: '' }, create('b', 'two')]);
    expect(v1Lines([frame], 1, drops)).toEqual([createdLine(1, 'b', 'two')]);
    expect(stages(drops)).toEqual(['op', 'op']);
  });

  it('gives no event for a commit without ops', () => {
    expect(v1Lines([commitBytes([])], 1)).toEqual([]);
  });

  it('ignores op.prev (an update whose prev matches nothing is still emitted)', () => {
    const record = post('edited');
    const frame = commitBytes([
      { action: 'update', collection: 'app.bsky.feed.post', rkey: 'a', record, prev: dagCborBlock({ unrelated: true }).cid },
    ]);
    expect(v1Lines([frame], 1)).toEqual([
      `{"did":"${did}","time_us":1,"kind":"commit","commit":{"rev":"${rev}","operation":"update","collection":"app.bsky.feed.post","rkey":"a","record":${postJson('edited')},"cid":"${cidOf(record)}"}}`,
    ]);
  });

  it('takes did from the frame repo field', () => {
    const { body } = buildCommit({ did, rev, seq: 1, time, writes: [{ action: 'delete', collection: 'a.b.c', rkey: 'x' }] });
    expect(v1Lines([commitFrame({ ...body, repo: 'did:web:example.com' })], 1)).toEqual([
      `{"did":"did:web:example.com","time_us":1,"kind":"commit","commit":{"rev":"${rev}","operation":"delete","collection":"a.b.c","rkey":"x"}}`,
    ]);
  });

  it.each([
    ['null', null],
    ['absent', 'absent'],
  ] as const)('drops a create whose cid is %s ("missing cid") and keeps the others', (_name, cid) => {
    const drops = createDropRecorder();
    expect(v1Lines([commitBytes([create('a', 'one', { cid }), create('b', 'two')])], 1, drops)).toEqual([createdLine(1, 'b', 'two')]);
    expect(stages(drops)).toEqual(['op']);
  });

  it('drops an update whose cid is null', () => {
    const drops = createDropRecorder();
    const frame = commitBytes([{ action: 'update', collection: 'app.bsky.feed.post', rkey: 'a', record: post('x'), cid: null }]);
    expect(v1Lines([frame], 1, drops)).toEqual([]);
    expect(stages(drops)).toEqual(['op']);
  });

  it('skips an op with an unknown action and reports it', () => {
    const drops = createDropRecorder();
    const frame = commitBytes([create('a', 'one', { action: 'upsert' }), create('b', 'two')]);
    expect(v1Lines([frame], 1, drops)).toEqual([createdLine(1, 'b', 'two')]);
    expect(stages(drops)).toEqual(['op']);
  });

  it('drops only the op whose block does not hash to its CID', () => {
    const drops = createDropRecorder();
    const frame = commitBytes([create('a', 'one', { corruptBlock: true }), create('b', 'two')]);
    expect(v1Lines([frame], 1, drops)).toEqual([createdLine(1, 'b', 'two')]);
    expect(stages(drops)).toEqual(['op']);
  });

  it('drops only the op whose record block is missing', () => {
    const drops = createDropRecorder();
    const frame = commitBytes([create('a', 'one'), create('b', 'two', { omitBlock: true })]);
    expect(v1Lines([frame], 1, drops)).toEqual([createdLine(1, 'a', 'one')]);
    expect(stages(drops)).toEqual(['op']);
  });

  it('drops the op whose op.cid differs from the CID in the MST (record cid mismatch)', () => {
    const drops = createDropRecorder();
    const other = dagCborBlock(post('impostor'));
    const frame = commitBytes([create('a', 'one', { cid: other.cid }), create('b', 'two')], { extraBlocks: [other] });
    expect(v1Lines([frame], 1, drops)).toEqual([createdLine(1, 'b', 'two')]);
    expect(stages(drops)).toEqual(['op']);
  });

  it('drops the creates when the MST nodes are missing, keeps the delete (it needs no record)', () => {
    const drops = createDropRecorder();
    const frame = commitBytes([create('a', 'one'), { action: 'delete', collection: 'app.bsky.feed.post', rkey: 'z' }], {
      omitBlocks: ['mst'],
    });
    expect(v1Lines([frame], 1, drops)).toEqual([
      `{"did":"${did}","time_us":1,"kind":"commit","commit":{"rev":"${rev}","operation":"delete","collection":"app.bsky.feed.post","rkey":"z"}}`,
    ]);
    expect(stages(drops)).toEqual(['op']);
  });

  it.each([
    ['garbage', Uint8Array.of(1, 2, 3, 4, 5)],
    ['empty', new Uint8Array(0)],
  ])('drops the whole commit when its CAR is malformed (%s), deletes included', (_name, blocks) => {
    const drops = createDropRecorder();
    const { body } = buildCommit({ did, rev, seq: 3, time, writes: [create('a', 'one'), { action: 'delete', collection: 'a.b.c', rkey: 'x' }] });
    expect(v1Lines([commitFrame({ ...body, blocks })], 1, drops)).toEqual([]);
    expect(stages(drops)).toEqual(['commit']);
  });

  it('drops the whole commit when the signed commit block is missing from the CAR', () => {
    const drops = createDropRecorder();
    expect(v1Lines([commitBytes([create('a', 'one')], { omitBlocks: ['commit'] })], 1, drops)).toEqual([]);
    expect(stages(drops)).toEqual(['commit']);
  });

  it('emits nothing for a tooBig commit', () => {
    expect(v1Lines([commitBytes([create('a', 'one')], { tooBig: true })], 1)).toEqual([]);
  });

  it.each(['2024-09-25T12:00:00Z', '2024-09-25T12:00:00.123456789+02:00', '2024-09-25T12:00:00.1-07:00'])(
    'accepts the RFC 3339 relay time %s',
    (relayTime) => {
      expect(v1Lines([commitBytes([create('a', 'one')], { time: relayTime })], 1)).toEqual([createdLine(1, 'a', 'one')]);
    },
  );

  it.each([
    'not a time',
    '',
    '2024-09-25 12:00:00Z',
    '2024-09-25T12:00:00',
    '2024-09-25',
    '2024-13-01T00:00:00Z',
    '2024-02-30T00:00:00Z',
    '2024-09-25T24:00:00Z',
    '1727265600',
    '2016-12-31T23:59:60Z',
    '2024-09-25T12:00:00+0200',
    '2024-09-25T12:00:00.Z',
  ])('drops the whole commit when the relay time is %j (Go time.Parse RFC3339 fails)', (relayTime) => {
    const drops = createDropRecorder();
    expect(v1Lines([commitBytes([create('a', 'one')], { time: relayTime })], 1, drops)).toEqual([]);
    expect(stages(drops)).toEqual(['commit']);
  });
});

describe('v1 JSON of identity and account frames', () => {
  it('writes identity with and without handle (did, handle?, seq, time)', () => {
    const frames = [identityFrame({ seq: 5, did, time, handle: 'alice.test' }), identityFrame({ seq: 6, did, time })];
    expect(v1Lines(frames, 100)).toEqual([
      `{"did":"${did}","time_us":100,"kind":"identity","identity":{"did":"${did}","handle":"alice.test","seq":5,"time":"${time}"}}`,
      `{"did":"${did}","time_us":101,"kind":"identity","identity":{"did":"${did}","seq":6,"time":"${time}"}}`,
    ]);
  });

  it('writes account with and without status, active false kept (active, did, seq, status?, time)', () => {
    const frames = [
      accountFrame({ seq: 7, did, time, active: true }),
      accountFrame({ seq: 8, did, time, active: false, status: 'takendown' }),
      accountFrame({ seq: 9, did, time, active: false }),
    ];
    expect(v1Lines(frames, 200)).toEqual([
      `{"did":"${did}","time_us":200,"kind":"account","account":{"active":true,"did":"${did}","seq":7,"time":"${time}"}}`,
      `{"did":"${did}","time_us":201,"kind":"account","account":{"active":false,"did":"${did}","seq":8,"status":"takendown","time":"${time}"}}`,
      `{"did":"${did}","time_us":202,"kind":"account","account":{"active":false,"did":"${did}","seq":9,"time":"${time}"}}`,
    ]);
  });

  it('keeps an empty handle or status (indigo *string fields: omitempty drops nil only)', () => {
    const frames = [identityFrame({ seq: 1, did, time, handle: '' }), accountFrame({ seq: 2, did, time, active: false, status: '' })];
    expect(v1Lines(frames, 1)).toEqual([
      `{"did":"${did}","time_us":1,"kind":"identity","identity":{"did":"${did}","handle":"","seq":1,"time":"${time}"}}`,
      `{"did":"${did}","time_us":2,"kind":"account","account":{"active":false,"did":"${did}","seq":2,"status":"","time":"${time}"}}`,
    ]);
  });

  it('treats a null handle or status as absent', () => {
    const frames = [
      messageFrame('#identity', { seq: 1, did, time, handle: null }),
      messageFrame('#account', { seq: 2, did, time, active: false, status: null }),
    ];
    expect(v1Lines(frames, 1)).toEqual([
      `{"did":"${did}","time_us":1,"kind":"identity","identity":{"did":"${did}","seq":1,"time":"${time}"}}`,
      `{"did":"${did}","time_us":2,"kind":"account","account":{"active":false,"did":"${did}","seq":2,"time":"${time}"}}`,
    ]);
  });

  it('passes the relay seq and time through unchanged, including seqs beyond 2^32', () => {
    expect(v1Lines([identityFrame({ seq: 2 ** 40 + 1, did, time: '2024-09-25T12:00:00.5+02:00' })], 1)).toEqual([
      `{"did":"${did}","time_us":1,"kind":"identity","identity":{"did":"${did}","seq":1099511627777,"time":"2024-09-25T12:00:00.5+02:00"}}`,
    ]);
  });

  it('escapes the handle like any Go string', () => {
    expect(v1Lines([identityFrame({ seq: 1, did, time, handle: 'a&b<c>.test' })], 1)[0]).toContain(String.raw`"handle":"a\u0026b\u003cc\u003e.test"`);
  });

  it.each(['not a time', '2024-09-25T12:00:00'])('drops identity and account whose relay time is %j', (badTime) => {
    const drops = createDropRecorder();
    const frames = [identityFrame({ seq: 1, did, time: badTime }), accountFrame({ seq: 2, did, time: badTime, active: true })];
    expect(v1Lines(frames, 1, drops)).toEqual([]);
    expect(stages(drops)).toEqual(['identity', 'account']);
  });
});

describe('frames that give no event', () => {
  it('#sync, #info, error frames, unknown types and invalid frames give no event', () => {
    const frames = [
      syncFrame({ seq: 1, did, blocks: Uint8Array.of(1), rev, time }),
      infoFrame({ name: 'OutdatedCursor', message: 'cursor too old' }),
      errorFrame('FutureCursor', 'Cursor in the future.'),
      messageFrame('#labels', { seq: 2, labels: [] }),
      messageFrame('#handle', { seq: 3, did, handle: 'x.test', time }),
      messageFrame('#tombstone', { seq: 4, did, time }),
      Uint8Array.of(0xa1, 0x62),
      loadCarboxFrame().subarray(0, 300),
    ];
    expect(v1Lines(frames, 1)).toEqual([]);
  });
});

describe('toJetstreamEvents', () => {
  it('maps frames to events with time_us 0 and relaySeq = the frame seq, reporting drops', async () => {
    const drops = createDropRecorder();
    const frames = [
      identityFrame({ seq: 31, did, time }),
      commitBytes([create('a', 'one'), create('b', 'two', { corruptBlock: true })], { seq: 32 }),
      accountFrame({ seq: 33, did, time, active: true }),
    ].map((bytes) => decodeFrame(bytes));
    const events: JetstreamEvent[] = await lastValueFrom(from(frames).pipe(toJetstreamEvents({ drops }), toArray()));
    expect(events.map((event) => [event.kind, event.time_us, event.relaySeq])).toEqual([
      ['identity', 0, 31],
      ['commit', 0, 32],
      ['account', 0, 33],
    ]);
    expect(stages(drops)).toEqual(['op']);
  });

  it('encodeEvent carries the JSON and the filter fields (collection "" for identity and account)', async () => {
    const frames = [identityFrame({ seq: 41, did, time }), commitBytes([create('a', 'one')], { seq: 42 })].map((bytes) => decodeFrame(bytes));
    const events = frames.flatMap((frame) => frameToEvents(frame)).map((event, i) => ({ ...event, time_us: 7 + i }));
    const encoded = await lastValueFrom(from(events).pipe(encodeEvent(), toArray()));
    expect(encoded.map(({ json, ...fields }) => ({ ...fields, json: utf8.decode(json) }))).toEqual([
      {
        time_us: 7,
        relaySeq: 41,
        did,
        kind: 'identity',
        collection: '',
        json: `{"did":"${did}","time_us":7,"kind":"identity","identity":{"did":"${did}","seq":41,"time":"${time}"}}`,
      },
      { time_us: 8, relaySeq: 42, did, kind: 'commit', collection: 'app.bsky.feed.post', json: createdLine(8, 'a', 'one') },
    ]);
  });

  it('does not write relaySeq on the wire', () => {
    const [event] = frameToEvents(decodeFrame(identityFrame({ seq: 31, did, time })));
    expect(utf8.decode(encodeEventJson({ ...event, time_us: 5 }))).toBe(
      `{"did":"${did}","time_us":5,"kind":"identity","identity":{"did":"${did}","seq":31,"time":"${time}"}}`,
    );
  });
});
