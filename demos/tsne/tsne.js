// Exact t-SNE (van der Maaten & Hinton, 2008) in plain JavaScript, with no DOM access so that
// node can import it for tests and the page can run it inside a Web Worker.
//
// Layout of the data: the input is a flat Float64Array of n rows of d values. The joint
// probabilities P are symmetric, so they are kept as a packed upper triangle (pairs i < j in row
// order); every O(n^2) loop walks the pairs once and updates both ends, which halves the work
// and keeps memory access sequential.

const LOG_EPS = 1e-300; // guards Math.log against an exact zero
const MAX_LOG_STEP = 3; // largest change of log(beta) per calibration step

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same initial layout. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples from a uniform source (Box-Muller; the spare value is kept). */
export function gaussian(rand) {
  let spare = null;
  return function next() {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Rows (array of arrays) -> {data: Float64Array, n, d}; throws on ragged or non-finite input. */
export function toMatrix(rows) {
  const n = rows.length;
  if (n === 0) throw new Error("no rows");
  const d = rows[0].length;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (row.length !== d) throw new Error(`row ${i}: expected ${d} values, found ${row.length}`);
    for (let k = 0; k < d; k++) {
      const v = Number(row[k]);
      if (!Number.isFinite(v)) throw new Error(`row ${i}, column ${k}: not a finite number`);
      data[i * d + k] = v;
    }
  }
  return { data, n, d };
}

/** Full n x n matrix of squared Euclidean distances (filled symmetrically). */
export function squaredDistances(data, n, d) {
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = i + 1; j < n; j++) {
      const oj = j * d;
      let s = 0;
      for (let k = 0; k < d; k++) {
        const diff = data[oi + k] - data[oj + k];
        s += diff * diff;
      }
      dist[i * n + j] = s;
      dist[j * n + i] = s;
    }
  }
  return dist;
}

/**
 * Calibrate one row: find the Gaussian precision beta such that the conditional distribution
 * p_{j|i} ∝ exp(-beta * d_ij) has entropy log(perplexity). Writes the probabilities into `out`
 * (out[i] = 0) and returns {beta, entropy}.
 *
 * Newton steps on log(beta) (dH/dlog beta = -beta^2 Var(d)) converge in a handful of passes;
 * a bisection bracket keeps them safe when the entropy curve is flat or the step overshoots.
 * Distances are shifted by the row minimum so exp() never underflows to an all-zero row.
 */
export function calibrateRow(dist, offset, n, i, perplexity, out, beta0 = 1, tol = 1e-6) {
  const target = Math.log(perplexity);
  let dmin = Infinity;
  for (let j = 0; j < n; j++) {
    if (j !== i && dist[offset + j] < dmin) dmin = dist[offset + j];
  }
  let logBeta = Math.log(beta0);
  let lo = -Infinity;
  let hi = Infinity;
  let entropy = 0;
  for (let iter = 0; iter < 200; iter++) {
    const beta = Math.exp(logBeta);
    let sum = 0;
    let sumD = 0;
    let sumD2 = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) {
        out[j] = 0;
        continue;
      }
      const dj = dist[offset + j] - dmin;
      const p = Math.exp(-beta * dj);
      out[j] = p;
      sum += p;
      sumD += dj * p;
      sumD2 += dj * dj * p;
    }
    const meanD = sumD / sum;
    entropy = Math.log(sum) + beta * meanD;
    const diff = entropy - target;
    if (Math.abs(diff) < tol) break;
    // Entropy falls as beta grows: too much entropy means beta must increase.
    if (diff > 0) lo = logBeta;
    else hi = logBeta;
    const variance = Math.max(sumD2 / sum - meanD * meanD, 0);
    // Newton step, limited to a factor e^3 in beta: far from the solution the curve is flat
    // (all mass on one neighbour, or uniform) and an unlimited step would jump to absurd betas.
    const newton = diff / (beta * beta * variance);
    let next = logBeta + Math.max(-MAX_LOG_STEP, Math.min(MAX_LOG_STEP, newton));
    if (!Number.isFinite(next) || next <= lo || next >= hi) {
      if (lo === -Infinity) next = hi - MAX_LOG_STEP;
      else if (hi === Infinity) next = lo + MAX_LOG_STEP;
      else next = 0.5 * (lo + hi);
    }
    logBeta = next;
  }
  let sum = 0;
  for (let j = 0; j < n; j++) sum += out[j];
  for (let j = 0; j < n; j++) out[j] /= sum;
  return { beta: Math.exp(logBeta), entropy };
}

/**
 * Conditional probabilities p_{j|i} for every row (full n x n, rows sum to 1), plus the
 * calibrated betas. The distance matrix is overwritten in place to save memory.
 */
export function conditionalProbabilities(data, n, d, perplexity) {
  return conditionalFromDistances(squaredDistances(data, n, d), n, perplexity);
}

/**
 * The same from a full n x n matrix of squared distances (the "paste a distance matrix" input,
 * which squares the reader's distances first). `dist` is overwritten with p_{j|i}.
 */
export function conditionalFromDistances(dist, n, perplexity) {
  const cond = dist;
  const betas = new Float64Array(n);
  const row = new Float64Array(n);
  // First guess: 1 / (mean squared distance of row 0); later rows start from the previous
  // row's beta, since rows share the data's scale and Newton then needs only a few passes.
  let beta = 1;
  {
    let s = 0;
    for (let j = 1; j < n; j++) s += cond[j];
    if (s > 0) beta = (n - 1) / s;
  }
  for (let i = 0; i < n; i++) {
    const res = calibrateRow(cond, i * n, n, i, perplexity, row, beta);
    betas[i] = res.beta;
    if (Number.isFinite(res.beta) && res.beta > 0) beta = res.beta;
    cond.set(row, i * n);
  }
  return { cond, betas };
}

/** Number of unordered pairs, and the packed index of (i, j) with i < j. */
export const pairCount = (n) => (n * (n - 1)) / 2;
export const pairIndex = (n, i, j) => i * n - (i * (i + 1)) / 2 + (j - i - 1);

/** Joint P, packed: p_ij = (p_{j|i} + p_{i|j}) / 2n, so the full (i != j) matrix sums to 1. */
export function jointProbabilities(data, n, d, perplexity) {
  return symmetrise(conditionalProbabilities(data, n, d, perplexity).cond, n);
}

/** Joint P (packed) from a full n x n matrix of squared distances (copied, not modified). */
export function jointFromDistances(dist2, n, perplexity) {
  return symmetrise(conditionalFromDistances(Float64Array.from(dist2), n, perplexity).cond, n);
}

function symmetrise(cond, n) {
  const P = new Float64Array(pairCount(n));
  const scale = 1 / (2 * n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) P[k++] = (cond[i * n + j] + cond[j * n + i]) * scale;
  }
  return P;
}

/** sum over ordered pairs of p log p (constant part of the KL divergence). */
export function entropyTerm(P) {
  let s = 0;
  for (let k = 0; k < P.length; k++) {
    const p = P[k];
    if (p > 0) s += p * Math.log(p);
  }
  return 2 * s;
}

/**
 * Gradient of KL(P || Q) for a 2-D layout Y (flat [x0, y0, x1, y1, ...]) into `grad`.
 *   dC/dy_i = 4 * sum_j (exag * p_ij - q_ij) * w_ij * (y_i - y_j),  w_ij = 1 / (1 + |y_i - y_j|^2)
 * With q_ij = w_ij / Z this splits into an attractive sum (p * w) and a repulsive sum (w^2 / Z),
 * so a single pass over the pairs gives both, and Z, without storing w.
 * When `withKL` is true the same pass also accumulates sum p log w, giving the true KL
 * (computed with the un-exaggerated P): KL = sum p log p - sum p log w + log Z * sum p.
 * Returns the KL (or NaN when not requested).
 */
export function gradient(P, Y, n, exaggeration, grad, withKL = false, plogp = 0, scratch = null) {
  // acc holds, per point, [attractive x, attractive y, repulsive x, repulsive y] side by side:
  // the inner loop updates all four for point j, so they share one cache line.
  const acc = scratch && scratch.length === 4 * n ? scratch : new Float64Array(4 * n);
  acc.fill(0);
  let zHalf = 0;
  let sumPLogW = 0;
  let sumP = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const xi = Y[2 * i];
    const yi = Y[2 * i + 1];
    let ax = 0;
    let ay = 0;
    let rx = 0;
    let ry = 0;
    let z = 0;
    if (withKL) {
      // Separate copy of the loop so the common (no KL) path carries no branch or log.
      for (let j = i + 1; j < n; j++, k++) {
        const dx = xi - Y[2 * j];
        const dy = yi - Y[2 * j + 1];
        const w = 1 / (1 + dx * dx + dy * dy);
        const p = P[k];
        z += w;
        const pw = p * w;
        const ww = w * w;
        ax += pw * dx;
        ay += pw * dy;
        rx += ww * dx;
        ry += ww * dy;
        const o = 4 * j;
        acc[o] -= pw * dx;
        acc[o + 1] -= pw * dy;
        acc[o + 2] -= ww * dx;
        acc[o + 3] -= ww * dy;
        sumPLogW += p * Math.log(w);
        sumP += p;
      }
    } else {
      for (let j = i + 1; j < n; j++, k++) {
        const dx = xi - Y[2 * j];
        const dy = yi - Y[2 * j + 1];
        const w = 1 / (1 + dx * dx + dy * dy);
        const p = P[k];
        z += w;
        const pw = p * w;
        const ww = w * w;
        ax += pw * dx;
        ay += pw * dy;
        rx += ww * dx;
        ry += ww * dy;
        const o = 4 * j;
        acc[o] -= pw * dx;
        acc[o + 1] -= pw * dy;
        acc[o + 2] -= ww * dx;
        acc[o + 3] -= ww * dy;
      }
    }
    zHalf += z;
    const o = 4 * i;
    acc[o] += ax;
    acc[o + 1] += ay;
    acc[o + 2] += rx;
    acc[o + 3] += ry;
  }
  const Z = 2 * zHalf;
  const a = 4 * exaggeration;
  const r = 4 / Z;
  for (let i = 0; i < n; i++) {
    grad[2 * i] = a * acc[4 * i] - r * acc[4 * i + 2];
    grad[2 * i + 1] = a * acc[4 * i + 1] - r * acc[4 * i + 3];
  }
  if (!withKL) return NaN;
  return plogp - 2 * sumPLogW + Math.log(Math.max(Z, LOG_EPS)) * 2 * sumP;
}

/** True KL(P || Q) of layout Y: a gradient pass with exaggeration 1, keeping only the KL. */
export function klDivergence(P, Y, n, plogp = entropyTerm(P)) {
  return gradient(P, Y, n, 1, new Float64Array(2 * n), true, plogp);
}

export const DEFAULTS = Object.freeze({
  perplexity: 30,
  learningRate: 100,
  seed: 1,
  exaggeration: 12,
  exaggerationIters: 250,
  momentumInitial: 0.5,
  momentumFinal: 0.8,
  momentumSwitch: 250,
  minGain: 0.01,
  initScale: 1e-4,
});

/** Largest usable perplexity for n points: each point needs ~3 * perplexity neighbours. */
export function effectivePerplexity(perplexity, n) {
  return Math.max(1, Math.min(perplexity, (n - 1) / 3));
}

/**
 * The optimiser: gradient descent with momentum and per-parameter gains (delta-bar-delta).
 * Usage: const t = new TSNE(opts); t.setData(data, n, d); t.init(); t.step() ...
 */
export class TSNE {
  constructor(options = {}) {
    this.opts = { ...DEFAULTS, ...options };
    this.n = 0;
    this.P = null;
    this.iteration = 0;
  }

  /** Compute P for the data (the O(n^2 d) part); call init() afterwards. */
  setData(data, n, d) {
    this.n = n;
    this.perplexity = effectivePerplexity(this.opts.perplexity, n);
    this.P = jointProbabilities(data, n, d, this.perplexity);
    this.prepare();
  }

  /** Compute P from a full n x n matrix of squared distances instead of vectors. */
  setDistances(dist2, n) {
    this.n = n;
    this.perplexity = effectivePerplexity(this.opts.perplexity, n);
    this.P = jointFromDistances(dist2, n, this.perplexity);
    this.prepare();
  }

  prepare() {
    const n = this.n;
    this.plogp = entropyTerm(this.P);
    this.grad = new Float64Array(2 * n);
    this.scratch = new Float64Array(4 * n);
  }

  /** Random initial layout from the seed (Gaussian, tiny spread) and fresh optimiser state. */
  init(seed = this.opts.seed) {
    const n = this.n;
    const normal = gaussian(mulberry32(seed));
    this.Y = new Float64Array(2 * n);
    for (let m = 0; m < 2 * n; m++) this.Y[m] = normal() * this.opts.initScale;
    this.update = new Float64Array(2 * n);
    this.gains = new Float64Array(2 * n).fill(1);
    this.iteration = 0;
    this.lastKL = NaN;
  }

  /** One gradient step; returns the KL of the layout before the step when withKL is set. */
  step(withKL = false) {
    const o = this.opts;
    const it = this.iteration;
    const exag = it < o.exaggerationIters ? o.exaggeration : 1;
    const momentum = it < o.momentumSwitch ? o.momentumInitial : o.momentumFinal;
    const { Y, grad, update, gains, n } = this;
    const kl = gradient(this.P, Y, n, exag, grad, withKL, this.plogp, this.scratch);
    const lr = o.learningRate;
    const minGain = o.minGain;
    let mx = 0;
    let my = 0;
    for (let m = 0; m < 2 * n; m++) {
      const g = grad[m];
      // Delta-bar-delta: the step (update) already opposes the gradient, i.e. we keep going
      // downhill in the same direction, so grow the gain; otherwise we overshot: shrink it.
      let gain = update[m] * g < 0 ? gains[m] + 0.2 : gains[m] * 0.8;
      if (gain < minGain) gain = minGain;
      gains[m] = gain;
      const u = momentum * update[m] - lr * gain * g;
      update[m] = u;
      Y[m] += u;
      if (m & 1) my += Y[m];
      else mx += Y[m];
    }
    // Re-centre: the cost is translation invariant and a centred layout keeps the view steady.
    mx /= n;
    my /= n;
    for (let i = 0; i < n; i++) {
      Y[2 * i] -= mx;
      Y[2 * i + 1] -= my;
    }
    this.iteration = it + 1;
    if (withKL) this.lastKL = kl;
    return kl;
  }

  /** KL(P || Q) of the current layout, with the un-exaggerated P. */
  kl() {
    this.lastKL = klDivergence(this.P, this.Y, this.n, this.plogp);
    return this.lastKL;
  }
}
