/** How the report writes durations, sizes, a table and a bundle's figures. */
import type { BundleFigures } from '../bundles';
import type { Check } from './results';

export const fmtMs = (ms: number) =>
  ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
export const kb = (b: number) => `${Math.round(b / 1024)} KB`;

/** Columns padded to their widest cell: the first two to the left, the figures to the right. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The start ratio as printed: `1.31x (1.25-1.38, 15 pairs, node v22.23.5)`; results older than the
 * pairs show the ratio only, those older than the node field leave it out.
 */
export function startRatio(b: BundleFigures): string {
  const node = b.node ? `, node ${b.node}` : '';
  const range = b.loadRatioRange
    ? ` (${b.loadRatioRange[0]}-${b.loadRatioRange[1]}, ${b.loadPairs} pairs${node})`
    : '';
  return `${b.loadRatio}x${range}`;
}

/**
 * The zip's files: each by name when there are a few; for a bundle split into chunks, their count and
 * total, and what the runtime compiles at init.
 */
export function filesLine(b: BundleFigures): string {
  const entries = Object.entries(b.files);
  if (entries.length <= 3) {
    return entries
      .map(([f, x]) => `${f.split('/').pop()} ${kb(x.bytes)} (${kb(x.zipped)} zipped)`)
      .join(', ');
  }
  const bytes = entries.reduce((n, [, x]) => n + x.bytes, 0);
  const init = b.initBytes === undefined ? '' : `; compiled at init ${kb(b.initBytes)}`;
  return `${entries.length} files ${kb(bytes)}${init}`;
}

/** A target as the bench prints it: `PASS  target: detail` or `FAIL  target: detail`. */
export const checkLine = (c: Check) => `${c.pass ? 'PASS' : 'FAIL'}  ${c.target}: ${c.detail}`;
