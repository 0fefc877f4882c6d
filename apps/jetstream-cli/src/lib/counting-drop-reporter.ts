import type { DropReport, DropReporter } from '@jetstream-ts/models';

/** How often one stage dropped input for one reason, with the first report as an example. */
export interface DropCount {
  stage: string;
  reason: string;
  count: number;
  first: DropReport;
}

/**
 * A `DropReporter` that counts drops by stage and reason and keeps the first report of each,
 * for a summary at the end of a batch run.
 */
export class CountingDropReporter implements DropReporter {
  private readonly byStageAndReason = new Map<string, DropCount>();
  private dropped = 0;

  drop(report: DropReport): void {
    this.dropped++;
    const key = `${report.stage}\u0000${report.reason}`;
    const entry = this.byStageAndReason.get(key);
    if (entry) entry.count++;
    else
      this.byStageAndReason.set(key, { stage: report.stage, reason: report.reason, count: 1, first: report });
  }

  /** Number of drops reported so far. */
  get total(): number {
    return this.dropped;
  }

  /** The counts, most frequent first (then by stage and reason, for a stable order). */
  counts(): DropCount[] {
    return [...this.byStageAndReason.values()].sort(
      (x, y) => y.count - x.count || x.stage.localeCompare(y.stage) || x.reason.localeCompare(y.reason),
    );
  }
}
