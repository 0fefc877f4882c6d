import { CarReader } from '@ipld/car';
import * as dagCbor from '@ipld/dag-cbor';
import type { CommitBody, DropReporter } from '@jetstream-ts/models';
import { carriesRecord, verifyBlock, type OpRecords } from './commit-records.js';

/**
 * The reference for `extractCommitRecords`, built on `@ipld/car` (`CarReader.fromBytes`) and
 * `@ipld/dag-cbor`: the same contract and drop reports, reached by reading every block. Tests
 * use it to check the single-pass scanner.
 *
 * @param commit A `#commit` body.
 * @param drops Where dropped commits and ops are reported.
 * @return The records aligned with `commit.ops`, or undefined when the CAR is malformed.
 */
export async function extractCommitRecordsWithLibrary(commit: CommitBody, drops?: DropReporter): Promise<OpRecords | undefined> {
  let reader: CarReader;
  try {
    reader = await CarReader.fromBytes(commit.blocks);
    const [root] = await reader.getRoots();
    if (root === undefined) throw new Error('CAR has no root');
    const commitBlock = await reader.get(root);
    if (commitBlock === undefined) throw new Error('the root commit block is not in the CAR');
    const { version } = dagCbor.decode<{ version?: unknown }>(commitBlock.bytes);
    if (version !== 2 && version !== 3) throw new Error(`unsupported repo version ${String(version)}`);
  } catch (error) {
    drops?.drop({ stage: 'commit', reason: 'malformed-car', detail: (error as Error).message, seq: commit.seq, did: commit.repo });
    return undefined;
  }
  const records: OpRecords = [];
  for (const op of commit.ops) {
    if (op.cid === null || !carriesRecord(op)) {
      records.push(undefined);
      continue;
    }
    const block = await reader.get(op.cid);
    const record = block && { cid: op.cid, bytes: block.bytes };
    const problem = record === undefined ? 'record-missing' : verifyBlock(record);
    if (problem !== undefined)
      drops?.drop({ stage: 'op', reason: problem, detail: op.cid.toString(), seq: commit.seq, did: commit.repo, path: op.path });
    records.push(problem === undefined ? record : undefined);
  }
  return records;
}
