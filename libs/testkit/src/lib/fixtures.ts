import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FrameHeader } from '@jetstream-ts/models';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import type { Block } from './blocks.js';
import { buildFrame } from './build-frame.js';
import { readCar } from './car-file.js';
import { walkMst } from './mst.js';

/**
 * Loaders for the real AT Protocol data in this package's `fixtures/` folder (see its README for
 * sources, licences and commits), so a clone of the repository carries its test data.
 */
export function fixturesDir(): string {
  // Two levels up from both `src/lib/` (tests, through the source condition) and `dist/lib/`.
  return fileURLToPath(new URL('../../fixtures', import.meta.url));
}

/** The bytes of a fixture file, by its path inside the fixtures folder (e.g. `repo-stream/tiny.car`). */
export function readFixture(relativePath: string): Uint8Array {
  return new Uint8Array(readFileSync(join(fixturesDir(), relativePath)));
}

/** carbox's real binary frame: header + `#commit` body, seq 4715462, one post create (commit v2, no `rev`). */
export function loadCarboxFrame(): Uint8Array {
  const base64 = readFileSync(join(fixturesDir(), 'carbox', 'donkeyballs.b64'), 'utf8');
  return new Uint8Array(Buffer.from(base64.trim(), 'base64'));
}

/**
 * Turns atproto JSON (indigo's fixture form) back into IPLD values: `{"$bytes": b64}` becomes
 * bytes and `{"$link": cid}` a CID; everything else (including `null`) is kept as is.
 */
export function fromIndigoJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromIndigoJson);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0][0] === '$bytes' && typeof entries[0][1] === 'string') {
    return new Uint8Array(Buffer.from(entries[0][1], 'base64'));
  }
  if (entries.length === 1 && entries[0][0] === '$link' && typeof entries[0][1] === 'string') {
    return CID.parse(entries[0][1]);
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, fromIndigoJson(item)]));
}

/** One frame of an indigo fixture: the decoded header and body, and the frame's wire bytes. */
export interface IndigoFrame {
  header: FrameHeader;
  body: Record<string, unknown>;
  bytes: Uint8Array;
}

export type IndigoScenario = 'post_lifecycle' | 'account_lifecycle';
export type IndigoCommitBody = 'firehose_commit_4621332152' | 'firehose_commit_4623075231';

function indigoFrame(header: FrameHeader, jsonBody: unknown): IndigoFrame {
  const body = fromIndigoJson(jsonBody) as Record<string, unknown>;
  return { header, body, bytes: buildFrame(header, body) };
}

function readIndigoJson(name: string): unknown {
  return JSON.parse(readFileSync(join(fixturesDir(), 'indigo', `${name}.json`), 'utf8'));
}

/** The frames of an indigo relay test scenario, in order, as canonical DAG-CBOR wire bytes. */
export function loadIndigoScenario(name: IndigoScenario): IndigoFrame[] {
  const scenario = readIndigoJson(name) as { messages: { frame: { header: FrameHeader; body: unknown } }[] };
  return scenario.messages.map(({ frame }) => indigoFrame(frame.header, frame.body));
}

/** One of indigo's real `#commit` bodies, framed with a `#commit` header. */
export function loadIndigoCommitFrame(name: IndigoCommitBody): IndigoFrame {
  return indigoFrame({ op: 1, t: '#commit' }, readIndigoJson(name));
}

/** A record of a repository CAR. */
export interface RepoRecord {
  path: string;
  collection: string;
  rkey: string;
  block: Block;
}

/**
 * Every record of a full repository CAR (e.g. `repo-stream/tiny.car`), in MST key order: the
 * first root is the signed commit, whose `data` is the MST root.
 */
export function repoRecords(car: Uint8Array): RepoRecord[] {
  const { roots, blocks } = readCar(car);
  const getBytes = (cid: CID) => blocks.get(cid.toString())?.bytes;
  const commitBytes = getBytes(roots[0]);
  if (!commitBytes) throw new Error('commit block missing');
  const commit = dagCbor.decode<{ data: CID }>(commitBytes);
  const records: RepoRecord[] = [];
  for (const [path, cid] of walkMst(commit.data, getBytes)) {
    const block = blocks.get(cid.toString());
    if (!block) continue;
    const slash = path.indexOf('/');
    records.push({ path, collection: path.slice(0, slash), rkey: path.slice(slash + 1), block });
  }
  return records;
}
