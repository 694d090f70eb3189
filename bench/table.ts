/**
 * Formats the bench's results as a Markdown table, so the printed output can be pasted into docs/BENCHMARKS.md as is.
 * @module
 */

/** One row of the results table. */
export interface Row {
  /** What was measured. */
  readonly name: string;
  /** Requests (or hashes) per second, or undefined for a row that is not a throughput. */
  readonly rps?: number;
  /** Median latency, ms. */
  readonly p50?: number;
  /** 99th percentile latency, ms (for the event-loop row: the delay). */
  readonly p99?: number;
  /** Measured value divided by its limit. */
  readonly ratio?: number;
  /** What the ratio is relative to. */
  readonly limit: string;
  /** The target for this row, as text (e.g. `>= 0.7`), or empty. */
  readonly target: string;
  /** Whether the target was met; undefined when the row has no target. */
  readonly met?: boolean;
  /** Anything worth knowing beside the figure (unexpected statuses, shared cores). */
  readonly note?: string;
}

/** Formats a number with a fixed count of decimals, or a dash when absent. */
function num(value: number | undefined, decimals: number): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(decimals);
}

/** Renders rows as a Markdown table with a header. */
export function renderTable(rows: readonly Row[]): string {
  const header = ['measurement', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'limit (same run)', 'target', 'met', 'note'];
  const body = rows.map((row) => [
    row.name,
    num(row.rps, row.rps !== undefined && row.rps < 100 ? 1 : 0),
    num(row.p50, row.p50 !== undefined && row.p50 < 10 ? 2 : 0),
    num(row.p99, row.p99 !== undefined && row.p99 < 10 ? 2 : 0),
    num(row.ratio, 2),
    row.limit,
    row.target,
    row.met === undefined ? '' : row.met ? 'yes' : 'NO',
    row.note ?? '',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
