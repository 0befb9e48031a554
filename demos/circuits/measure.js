// Measuring the playground's training procedures over many seeded runs (no DOM; node imports
// it). The editor's note about the guide's printed SVM log quotes these figures; measure.mjs
// prints them and writes measured.js, and tests/js/circuits.test.mjs re-measures them.
//
// Run #s of a measurement uses seed s for the model's start (the net's random weights) and
// orderSeed(s) for the order of the points, exactly as the playground's "Run again" does for
// its run #s, so a reader can replay any run of the measured set.

import { GUIDE_DATA, GUIDE_REG, NET_DEFAULT_REG, makeModel, makeRng, accuracy, makeTrainer, orderSeed } from "./models.js";

export { orderSeed };

/** The measured settings. limit = the iteration budget the note's claim is about. */
export const SETTINGS = {
  guide: { kind: "svm", procedure: "guide", reg: GUIDE_REG, seeds: 2000, horizon: 3000, limit: 300 },
  passes: { kind: "svm", procedure: "passes", reg: GUIDE_REG, seeds: 2000, horizon: 3000, limit: 500 },
  netDefault: { kind: "net", procedure: "guide", reg: NET_DEFAULT_REG, hidden: 3, seeds: 1000, horizon: 4000, limit: 1000 },
  netGuide: { kind: "net", procedure: "guide", reg: GUIDE_REG, hidden: 3, seeds: 1000, horizon: 4000, limit: 4000 },
};

/**
 * One run: the iteration at which training accuracy first reaches 100 % (Infinity if not
 * within `horizon`), whether it has settled (100 % after every one of the last `settle`
 * iterations of the horizon, i.e. no flicker), and the accuracy after `checkpoint` iterations
 * (400: where the guide's loop ends).
 */
export function runOnce({ kind, procedure, reg, hidden = 3, seed, horizon, data = GUIDE_DATA, checkpoint = 400, settle = 1000 }) {
  const model = makeModel(kind, { hidden, seed, reg });
  const trainer = makeTrainer(model, data, procedure, makeRng(orderSeed(seed)));
  let first = Infinity;
  let lastMiss = 0;
  let atCheckpoint = accuracy(model, data);
  // Accuracy (a pass over the data: the costly part for the net) is needed only until the first
  // 100 %, at the checkpoint and in the final `settle` window; skipping it between changes nothing.
  const windowStart = horizon - settle;
  for (let k = 1; k <= horizon; k++) {
    trainer.next();
    if (first !== Infinity && k !== checkpoint && k <= windowStart) continue;
    const acc = accuracy(model, data);
    if (acc === 1 && first === Infinity) first = k;
    if (acc < 1) lastMiss = k;
    if (k === checkpoint) atCheckpoint = acc;
  }
  return { first, settled: lastMiss <= horizon - settle, atCheckpoint };
}

/** Quantile q of sorted numbers (nearest rank; Infinity stays Infinity). */
function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Measure a setting over seeds firstSeed .. firstSeed+seeds-1. Returns
 *   { runs, firstSeed, limit, withinLimit (fraction first <= limit), median, p10, p90,
 *     never (fraction not within horizon), settled (fraction at 100 % all through the last
 *     1,000 iterations of the horizon),
 *     atCheckpoint (fraction at 100 % after 400 iterations) }.
 */
export function measure(setting, { firstSeed = 1, seeds = setting.seeds } = {}) {
  const firsts = [];
  let settled = 0;
  let atCheckpoint = 0;
  for (let s = firstSeed; s < firstSeed + seeds; s++) {
    const r = runOnce({ ...setting, seed: s });
    firsts.push(r.first);
    if (r.settled) settled++;
    if (r.atCheckpoint === 1) atCheckpoint++;
  }
  firsts.sort((a, b) => a - b);
  const frac = (n) => Math.round((n / seeds) * 10000) / 10000;
  return {
    runs: seeds,
    firstSeed,
    horizon: setting.horizon,
    limit: setting.limit,
    withinLimit: frac(firsts.filter((f) => f <= setting.limit).length),
    median: quantile(firsts, 0.5),
    p10: quantile(firsts, 0.1),
    p90: quantile(firsts, 0.9),
    never: frac(firsts.filter((f) => f === Infinity).length),
    settled: frac(settled),
    atCheckpoint: frac(atCheckpoint),
  };
}

/** Every setting measured with its own seeds (what measure.mjs writes to measured.js). */
export function measureAll(options = {}) {
  const out = {};
  for (const [name, setting] of Object.entries(SETTINGS)) out[name] = measure(setting, options);
  return out;
}

/** A fraction as a percentage for the note, e.g. 0.0405 -> "4 %" / "4.1 %" with digits=1. */
export function pct(f, digits = 0) {
  return `${(f * 100).toFixed(digits)} %`;
}
