/** Summary statistics of repeated measurements. Pure. */

/** The median and the range of a sample, as reported for every measurement. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** Median (mean of the two middle values for an even count), min and max. Throws on an empty sample. */
export function spread(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) throw new Error('spread: no finite values');
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/**
 * Ratios of paired measurements a[i] / b[i] (the same round, the tools run back to back), then
 * their spread. Pairing by round cancels the drift of a noisy machine better than a ratio of
 * medians. Pairs where either side is missing or b is 0 are left out.
 */
export function pairedRatio(a: readonly (number | undefined)[], b: readonly (number | undefined)[]): Spread | undefined {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || y === 0) continue;
    ratios.push(x / y);
  }
  return ratios.length === 0 ? undefined : spread(ratios);
}

/** `1.23 (1.10–1.40)`; one value alone when the range is empty. */
export function formatSpread(s: Spread | undefined, digits = 2): string {
  if (s === undefined) return '—';
  const f = (v: number): string => v.toFixed(digits);
  return s.n === 1 || s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

/** The list rotated left by `by` places: round r runs the tools in a different order. */
export function rotate<T>(list: readonly T[], by: number): T[] {
  if (list.length === 0) return [];
  const k = ((by % list.length) + list.length) % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}
