// Top-1 / top-5 scoring, the Wilson score interval, and McNemar's exact test for the human-vs-model
// duel. No DOM.

export const MAX_PICKS = 5;
// Two-sided 95%: the 0.975 quantile of the standard normal distribution.
export const Z95 = 1.959963984540054;

/**
 * Is an acceptable label the first pick (top-1) / among the first five picks (top-5)?
 * `truth` is one class id or a list of acceptable ids (a photo with several ILSVRC objects counts
 * any of them, as ILSVRC scored multi-object images).
 */
export function scoreEntry(picks, truth) {
  const accept = Array.isArray(truth) ? truth : [truth];
  return { top1: accept.includes(picks[0]), top5: picks.slice(0, MAX_PICKS).some((p) => accept.includes(p)) };
}

/**
 * The reader's score on an answered entry. Picks submitted after "Show answer" count as wrong: the
 * answer was seen, so they say nothing about recognising the photo.
 */
export function humanScore(entry) {
  if (entry.revealed) return { top1: false, top5: false };
  return scoreEntry(entry.picks, acceptable(entry));
}

/** The acceptable labels of an entry: its `accept` list when present, else its single truth. */
export function acceptable(entry) {
  return Array.isArray(entry.accept) && entry.accept.length ? entry.accept : [entry.truth];
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

function rate(errors, n) {
  return { errors, ...wilson(errors, n) };
}

/**
 * Running error rates over answered entries ({picks, truth, accept?}).
 * @returns {{n: number, top1: {errors: number, p: number, low: number, high: number},
 *            top5: {errors: number, p: number, low: number, high: number}}}
 */
export function summarize(entries) {
  let top1Errors = 0;
  let top5Errors = 0;
  for (const entry of entries) {
    const score = humanScore(entry);
    if (!score.top1) top1Errors++;
    if (!score.top5) top5Errors++;
  }
  const n = entries.length;
  return { n, top1: rate(top1Errors, n), top5: rate(top5Errors, n) };
}

/**
 * Two-sided exact McNemar test on the discordant pairs of a paired comparison: `b` photos only the
 * human got right, `c` photos only the model got right. Under "equally good" each discordant photo
 * is a fair coin, so min(b, c) is Binomial(b + c, 1/2) and p = 2 P(X <= min(b, c)), capped at 1.
 *
 * Why McNemar and not the post's two-proportion z-test: here the human and the model label the
 * same photos, so their outcomes are paired. The z-test assumes two independent samples; it
 * ignores that easy photos are easy for both, so it is miscalibrated for paired data. Only the
 * photos on which they disagree carry information about who is better, and with a few dozen photos
 * there are few of those, so the exact binomial form is used instead of the chi-square approximation.
 * @returns {{b: number, c: number, n: number, p: number}} p is NaN when there is no discordant pair
 */
export function mcnemarExact(b, c) {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) throw new RangeError("counts must be integers >= 0");
  const n = b + c;
  if (n === 0) return { b, c, n, p: NaN };
  const k = Math.min(b, c);
  // Sum of binomial probabilities in log space: exact enough and safe for n in the thousands.
  let logCoefficient = 0; // log C(n, 0)
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logCoefficient += Math.log((n - i + 1) / i);
    tail += Math.exp(logCoefficient - n * Math.LN2);
  }
  return { b, c, n, p: Math.min(1, 2 * tail) };
}

/** Did the model's ranked predictions ([[classId, probability], ...]) get the entry right? */
export function scoreModel(predictions, accept) {
  return scoreEntry(predictions.map((row) => row[0]), accept);
}

/**
 * The duel: human and model error on the same answered photos, with the paired test per metric.
 * `predictionsOf(entry)` gives the model's ranked predictions for the entry's photo (or null when
 * the set has none); entries without predictions are left out of the comparison.
 */
export function duel(entries, predictionsOf) {
  const rows = entries.map((entry) => ({ entry, predictions: predictionsOf(entry) })).filter((r) => r.predictions);
  const result = { n: rows.length };
  for (const metric of ["top1", "top5"]) {
    let humanErrors = 0;
    let modelErrors = 0;
    let onlyHuman = 0; // human right, model wrong
    let onlyModel = 0; // model right, human wrong
    for (const { entry, predictions } of rows) {
      const accept = acceptable(entry);
      const human = humanScore(entry)[metric];
      const model = scoreModel(predictions, accept)[metric];
      if (!human) humanErrors++;
      if (!model) modelErrors++;
      if (human && !model) onlyHuman++;
      if (model && !human) onlyModel++;
    }
    result[metric] = {
      human: rate(humanErrors, rows.length),
      model: rate(modelErrors, rows.length),
      test: mcnemarExact(onlyHuman, onlyModel),
    };
  }
  return result;
}

/** "33.3% (95% CI 6.1–79.2%)" or an em dash before any answer. */
export function formatRate(rate) {
  if (Number.isNaN(rate.p)) return "—";
  const pct = (x) => (100 * x).toFixed(1);
  return `${pct(rate.p)}% (95% CI ${pct(rate.low)}–${pct(rate.high)}%)`;
}

/** "p = 0.031" / "p < 0.001" / "—" (no photo where exactly one of the two was right). */
export function formatP(p) {
  if (Number.isNaN(p)) return "—";
  return p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`;
}
