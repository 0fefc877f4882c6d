// Measures how fast buildCommit + commitFrame synthesise frames (the test harness's use).
// Build first (`npx tsc -b libs/testkit/tsconfig.lib.json`), then:
//   node libs/testkit/bench/build-commit-speed.mjs [commits=20000] [repos=1000]
// Each repo keeps its MstCache and passes its previous contents, so repos grow to commits/repos records.
import { buildCommit, commitFrame, MstCache, tid } from '../dist/index.js';

const commits = Number(process.argv[2] ?? 20000);
const repoCount = Number(process.argv[3] ?? 1000);
const repos = Array.from({ length: repoCount }, (_, i) => ({
  did: `did:plc:${String(i).padStart(24, 'a')}`,
  contents: new Map(),
  cache: new MstCache(),
}));
const like = {
  $type: 'app.bsky.feed.like',
  createdAt: '2024-09-22T10:13:20.000Z',
  subject: {
    cid: 'bafyreigaqcu4loopk4dkd57c6zulsivi6lnsrwkpyt5t3khnixglnvwx2i',
    uri: 'at://did:plc:yk4dd2qkboz2yv6tpubpc6co/app.bsky.feed.post/3llz56wmk522o',
  },
};

let timeUs = 1_727_000_000_000_000;
let frameBytes = 0;
const started = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
for (let i = 0; i < commits; i++) {
  const repo = repos[i % repoCount];
  const built = buildCommit({
    did: repo.did,
    rev: tid(timeUs++),
    seq: i + 1,
    contents: repo.contents,
    mstCache: repo.cache,
    writes: [{ action: 'create', collection: 'app.bsky.feed.like', rkey: tid(timeUs++), record: like }],
  });
  repo.contents = built.contents;
  frameBytes += commitFrame(built.body).length;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(
  `${commits} commits, ${repoCount} repos (~${Math.round(commits / repoCount)} records each at the end): ` +
    `${Math.round(commits / seconds)} frames/s wall, ${Math.round(commits / cpuSeconds)} per CPU-second, ` +
    `average frame ${Math.round(frameBytes / commits)} bytes`,
);
