import type { InspectReport } from './frame-log-inspector.js';
import type { SizeDistribution } from './size-distribution.js';

const number = (value: number) => value.toLocaleString('en-US');

/** Rows of cells as aligned text: first column left-aligned, the others right-aligned. */
function table(rows: readonly string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map(
    (row) =>
      '  ' +
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
        .join('  '),
  );
}

function countsTable(title: string, counts: Record<string, number>): string[] {
  const rows = Object.entries(counts).sort(([, x], [, y]) => y - x);
  if (rows.length === 0) return [`${title}: none`];
  return [`${title}:`, ...table(rows.map(([name, count]) => [name, number(count)]))];
}

function sizeRow(name: string, sizes: SizeDistribution): string[] {
  return [
    name,
    number(sizes.count),
    number(sizes.min),
    number(sizes.avg),
    number(sizes.p50),
    number(sizes.p99),
    number(sizes.max),
  ];
}

/** The inspect report as text tables for a terminal. */
export function formatInspectReport(path: string, report: InspectReport): string {
  const failures = report.decodeFailureList.map((failure) => {
    const where = [
      failure.seq === undefined ? undefined : `seq ${failure.seq}`,
      failure.did,
      failure.path,
      failure.detail,
    ]
      .filter((part) => part !== undefined && part !== '')
      .join(', ');
    return `  frame ${failure.frameIndex}: ${failure.stage}/${failure.reason}${where ? ` (${where})` : ''}`;
  });
  const hidden = report.decodeFailures - report.decodeFailureList.length;
  return [
    `${path}: ${number(report.frames)} frames, ${number(report.events)} events`,
    '',
    ...countsTable('frames by type', report.framesByType),
    ...countsTable('events by kind', report.eventsByKind),
    ...countsTable('ops by action', report.opsByAction),
    ...countsTable(
      'top collections (ops)',
      Object.fromEntries(report.topCollections.map(({ collection, ops }) => [collection, ops])),
    ),
    '',
    'sizes in bytes:',
    ...table([
      ['', 'count', 'min', 'avg', 'p50', 'p99', 'max'],
      sizeRow('frame', report.frameBytes),
      sizeRow('event JSON', report.eventJsonBytes),
      sizeRow('event zstd (v1 dictionary)', report.eventZstdBytes),
    ]),
    '',
    `decode failures: ${number(report.decodeFailures)}`,
    ...failures,
    ...(hidden > 0 ? [`  … and ${number(hidden)} more`] : []),
  ].join('\n');
}
