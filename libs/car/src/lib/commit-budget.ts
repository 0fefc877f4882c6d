import { MAX_COMMIT_CAR_BLOCKS, MAX_COMMIT_CAR_BYTES, MAX_COMMIT_MST_ENTRY_READS, MAX_COMMIT_MST_NODE_VISITS } from '@jetstream-ts/models';

/**
 * How much work one commit may cost (any PDS can craft a commit): past any bound the whole
 * commit is dropped and reported (stage `commit`, reason `over-budget`).
 */
export interface CommitBudget {
  /** Bytes of the `blocks` CAR. */
  maxCarBytes: number;
  /** Blocks in the CAR. */
  maxBlocks: number;
  /** MST nodes read by the lookups of all the commit's ops together. */
  maxMstNodeVisits: number;
  /** Entries of the MST nodes those lookups read, per visit (a crafted node may hold 100,000). */
  maxMstEntryReads: number;
}

/** The budget of the server and the CLI: the models' `MAX_COMMIT_*` limits. */
export const DEFAULT_COMMIT_BUDGET: Readonly<CommitBudget> = {
  maxCarBytes: MAX_COMMIT_CAR_BYTES,
  maxBlocks: MAX_COMMIT_CAR_BLOCKS,
  maxMstNodeVisits: MAX_COMMIT_MST_NODE_VISITS,
  maxMstEntryReads: MAX_COMMIT_MST_ENTRY_READS,
};

/** The commit needs more work than its budget allows. */
export class OverBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OverBudgetError';
  }
}
