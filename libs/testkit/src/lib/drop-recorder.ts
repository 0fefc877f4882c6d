import type { DropReport, DropReporter } from '@jetstream-ts/models';

/** A DropReporter that keeps every report, for assertions. */
export interface DropRecorder extends DropReporter {
  readonly reports: DropReport[];
}

export function createDropRecorder(): DropRecorder {
  const reports: DropReport[] = [];
  return { reports, drop: (report) => void reports.push(report) };
}
