// Top-1 / top-5 scoring and the Wilson score interval. No DOM.

export const MAX_PICKS = 5;
// Two-sided 95%: the 0.975 quantile of the standard normal distribution.
export const Z95 = 1.959963984540054;

/** Is the truth the first pick (top-1) / among the first five picks (top-5)? */
export function scoreEntry(picks, truth) {
  return { top1: picks[0] === truth, top5: picks.slice(0, MAX_PICKS).includes(truth) };
}

/**
 * Wilson score interval for a proportion of `successes` out of `n`. Chosen over the normal
 * approximation because it stays inside [0, 1] and behaves at 0 or n successes, which is common
 * after a handful of images.
 * @returns {{p: number, low: number, high: number}} (all NaN when n is 0)
 */
export function wilson(successes, n, z = Z95) {
  if (!(n > 0)) return { p: NaN, low: NaN, high: NaN };
  if (successes < 0 || successes > n) throw new RangeError("successes must be within 0..n");
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Running error rates over answered entries ({picks, truth}).
 * @returns {{n: number, top1: {errors: number, p: number, low: number, high: number},
 *            top5: {errors: number, p: number, low: number, high: number}}}
 */
export function summarize(entries) {
  let top1Errors = 0;
  let top5Errors = 0;
  for (const entry of entries) {
    const score = scoreEntry(entry.picks, entry.truth);
    if (!score.top1) top1Errors++;
    if (!score.top5) top5Errors++;
  }
  const n = entries.length;
  return {
    n,
    top1: { errors: top1Errors, ...wilson(top1Errors, n) },
    top5: { errors: top5Errors, ...wilson(top5Errors, n) },
  };
}

/** "33.3% (95% CI 6.1–79.2%)" or an em dash before any answer. */
export function formatRate(rate) {
  if (Number.isNaN(rate.p)) return "—";
  const pct = (x) => (100 * x).toFixed(1);
  return `${pct(rate.p)}% (95% CI ${pct(rate.low)}–${pct(rate.high)}%)`;
}
