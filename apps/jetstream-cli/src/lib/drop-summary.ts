import type { DropCount } from './counting-drop-reporter.js';

/** One line per stage/reason: count, `stage/reason`, and where the first one happened. */
export function formatDropCounts(counts: readonly DropCount[]): string[] {
  return counts.map(({ count, stage, reason, first }) => {
    const where = [
      first.seq === undefined ? undefined : `seq ${first.seq}`,
      first.did,
      first.path,
      first.detail,
    ].filter((part) => part !== undefined && part !== '');
    return `  ${String(count).padStart(7)}  ${stage}/${reason}${where.length > 0 ? `  (first: ${where.join(', ')})` : ''}`;
  });
}
