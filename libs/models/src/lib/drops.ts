/**
 * Where a pipeline stage reports input it dropped. Stages never throw on bad input: they call
 * `drop` and go on. Implementations count it (a metric) and log it once with the context.
 */
export interface DropReporter {
  drop(report: DropReport): void;
}

export interface DropReport {
  /** The stage that dropped it: 'frame', 'commit', 'op', 'identity', 'account'. */
  stage: string;
  /** A short, stable machine-readable reason, used as a metric label. */
  reason: string;
  /** A human-readable detail. */
  detail?: string;
  seq?: number;
  did?: string;
  path?: string;
}

/** A reporter that ignores drops, for callers that do not care. */
export const ignoreDrops: DropReporter = { drop: () => undefined };
