// Playground models: the guide's SVM and 2-layer ReLU net, trained with the
// guide's "force specification" (pull +1 / -1 on the score, springs on the
// multiplicative parameters, step size 0.01). No DOM; node imports it.

import { compile } from "./parser.js";
import { run } from "./engine.js";

/** The guide's six training points. */
export const GUIDE_DATA = [
  { x: 1.2, y: 0.7, label: 1 },
  { x: -0.3, y: -0.5, label: -1 },
  { x: 3.0, y: 0.1, label: 1 },
  { x: -0.1, y: -1.0, label: -1 },
  { x: -1.0, y: 1.1, label: -1 },
  { x: 2.1, y: -3, label: 1 },
];

/** Small seeded PRNG (mulberry32) so runs and tests are repeatable. */
export function makeRng(seed = 1) {
  let s = seed >>> 0;
  return function rng() {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Run #seed: the net's start uses `seed`, the order of the points orderSeed(seed). */
export const orderSeed = (seed) => seed + 1000003;

/** The pull on the score: the SVM's force specification. */
export function pullFor(label, score) {
  if (label === 1 && score < 1) return 1; // score too low: pull up
  if (label === -1 && score > -1) return -1; // score too high: pull down
  return 0;
}

const hinge = (label, score) => Math.max(0, 1 - label * score);

/**
 * Linear SVM score = a*x + b*y + c, computed on the same circuit engine as the
 * gate demos (the guide's Circuit class), starting from a=1, b=-2, c=-1.
 */
export class SVM {
  constructor() {
    this.kind = "svm";
    this.circuit = compile("a*x+b*y+c", ["a", "b", "c", "x", "y"]);
    this.reg = 1; // spring strength; the guide's rule is 1
    this.reset();
  }

  reset() {
    this.a = 1;
    this.b = -2;
    this.c = -1;
  }

  score(x, y) {
    return this.a * x + this.b * y + this.c;
  }

  /**
   * One stochastic step on one example (forward, backward, update). The arithmetic is the
   * circuit's backward pass written out (d score/da = x, /db = y, /dc = 1, times the pull);
   * circuitPass() runs the same step on the gate engine, and a test checks they agree. Written
   * out because measure.js runs millions of these.
   */
  learnFrom(x, y, label, stepSize = 0.01) {
    const pull = pullFor(label, this.a * x + this.b * y + this.c);
    // Springs to zero on a and b (not c): the regularization pull.
    const da = x * pull - this.reg * this.a;
    const db = y * pull - this.reg * this.b;
    this.a += stepSize * da;
    this.b += stepSize * db;
    this.c += stepSize * pull;
  }

  /**
   * The circuit a·x + b·y + c for one point on the gate engine: its forward values, the pull
   * the force specification puts on the score, and the gradients that pull sends back.
   */
  circuitPass(x, y, label) {
    const inputs = { a: this.a, b: this.b, c: this.c, x, y };
    const score = run(this.circuit, inputs, 0).output;
    const pull = pullFor(label, score);
    return { inputs, pull, ...run(this.circuit, inputs, pull) };
  }

  /** Only the springs: a and b pulled towards zero (used once per pass by the "passes" procedure). */
  applySpring(stepSize = 0.01) {
    this.a -= stepSize * this.reg * this.a;
    this.b -= stepSize * this.reg * this.b;
  }

  /** ½·reg·(a² + b²): the loss whose gradient is the spring pull. */
  regularization() {
    return 0.5 * this.reg * (this.a * this.a + this.b * this.b);
  }

  describe() {
    return `a = ${this.a.toFixed(3)}, b = ${this.b.toFixed(3)}, c = ${this.c.toFixed(3)}`;
  }
}

/**
 * 2-layer net: n_i = max(0, a_i x + b_i y + c_i), score = Σ w_i n_i + d,
 * with the guide's random init in [-0.5, 0.5) and its backward pass.
 */
export class Net {
  constructor(hidden = 3, rng = makeRng(1)) {
    this.kind = "net";
    this.hidden = Math.max(1, Math.floor(hidden));
    this.rng = rng;
    // The guide's springs (strength 1) are strong for a net: on data that is
    // not linearly separable they can pull every weight to zero, so the
    // playground lets the reader weaken them.
    this.reg = 1;
    this.reset();
  }

  reset() {
    const rand = () => this.rng() - 0.5;
    this.units = Array.from({ length: this.hidden }, () => ({ a: rand(), b: rand(), c: rand(), w: rand() }));
    this.d = rand();
  }

  /** Hidden activations and score for one point. */
  forward(x, y) {
    const n = this.units.map((u) => Math.max(0, u.a * x + u.b * y + u.c));
    const score = this.units.reduce((s, u, i) => s + u.w * n[i], this.d);
    return { n, score };
  }

  score(x, y) {
    let s = this.d; // forward() without the arrays: the measurements call this millions of times
    for (const u of this.units) s += u.w * Math.max(0, u.a * x + u.b * y + u.c);
    return s;
  }

  learnFrom(x, y, label, stepSize = 0.01) {
    // forward() and the backward pass written out without temporary arrays or objects (the
    // measurements run millions of these); the arithmetic and its order are forward()'s.
    const units = this.units;
    if (this._n?.length !== units.length) this._n = new Float64Array(units.length);
    const n = this._n;
    let score = this.d;
    for (let i = 0; i < units.length; i++) {
      const u = units[i];
      n[i] = Math.max(0, u.a * x + u.b * y + u.c);
      score += u.w * n[i];
    }
    const dscore = pullFor(label, score);
    for (let i = 0; i < units.length; i++) {
      const u = units[i];
      // ReLU: the gradient only flows back through units that fired.
      const dn = n[i] === 0 ? 0 : u.w * dscore;
      const ga = x * dn - this.reg * u.a; // "- u.a": the regularization spring
      const gb = y * dn - this.reg * u.b;
      const gc = dn;
      const gw = n[i] * dscore - this.reg * u.w;
      u.a += stepSize * ga;
      u.b += stepSize * gb;
      u.c += stepSize * gc;
      u.w += stepSize * gw;
    }
    this.d += stepSize * dscore;
  }

  /** Only the springs on the multiplicative parameters (a, b, w), as in learnFrom. */
  applySpring(stepSize = 0.01) {
    for (const u of this.units) for (const key of ["a", "b", "w"]) u[key] -= stepSize * this.reg * u[key];
  }

  regularization() {
    return 0.5 * this.reg * this.units.reduce((s, u) => s + u.a * u.a + u.b * u.b + u.w * u.w, 0);
  }

  describe() {
    return `${this.hidden} hidden ReLU units, ${4 * this.hidden + 1} parameters`;
  }
}

/** The guide's spring strength (its code adds -value to every multiplicative parameter's pull). */
export const GUIDE_REG = 1;
/**
 * The net playground's default spring. At the guide's 1 the springs win against the data on the
 * guide's six points: many random starts sit at 50 % for thousands of steps. At 0.1 the same
 * starts learn (measured by measure.mjs; see EDITORS_NOTE.md).
 */
export const NET_DEFAULT_REG = 0.1;

export function makeModel(kind, { hidden = 3, seed = 1, reg = 1 } = {}) {
  const model = kind === "net" ? new Net(hidden, makeRng(seed)) : new SVM();
  model.reg = reg;
  return model;
}

/** Fraction of points whose score has the sign of their label (score > 0 -> +1). */
export function accuracy(model, data) {
  if (data.length === 0) return 1;
  const correct = data.filter((p) => (model.score(p.x, p.y) > 0 ? 1 : -1) === p.label).length;
  return correct / data.length;
}

/** Mean hinge loss plus the regularization: what the pulls descend on. */
export function loss(model, data) {
  const fit = data.length ? data.reduce((s, p) => s + hinge(p.label, model.score(p.x, p.y)), 0) / data.length : 0;
  return fit + model.regularization();
}

/** `iterations` SGD steps, each on a random point, as in the guide's loop. */
export function train(model, data, iterations, rng, stepSize = 0.01) {
  if (data.length === 0) return;
  for (let k = 0; k < iterations; k++) {
    const p = data[Math.floor(rng() * data.length)];
    model.learnFrom(p.x, p.y, p.label, stepSize);
  }
}

/**
 * Training procedures, one update (one point's pull) at a time so views and measurements count
 * iterations the same way:
 *   guide   the guide's loop: each iteration a random point (with replacement), its pull and
 *           the springs, step 0.01.
 *   passes  the reliable variant: passes over all points in a shuffled order, each point's pull
 *           once per pass and the springs once per pass (not once per point). Every point is seen
 *           equally often and the springs no longer outweigh the data, so it settles at 100 %.
 */
export const PROCEDURES = {
  guide: "the guide's loop (a random point each iteration)",
  passes: "reliable variant (shuffled passes, one spring per pass)",
};

/** A trainer: next() does one update and returns the point it used (null if no data). */
export function makeTrainer(model, data, procedure, rng, stepSize = 0.01) {
  let order = [];
  let pos = 0;
  return {
    procedure,
    next() {
      if (data.length === 0) return null;
      if (procedure !== "passes") {
        const p = data[Math.floor(rng() * data.length)];
        model.learnFrom(p.x, p.y, p.label, stepSize);
        return p;
      }
      if (pos >= order.length) {
        order = shuffled(data.length, rng);
        pos = 0;
      }
      const p = data[order[pos++]];
      const reg = model.reg;
      model.reg = 0; // the pull of this point alone
      try {
        model.learnFrom(p.x, p.y, p.label, stepSize);
      } finally {
        model.reg = reg;
      }
      if (pos === order.length) model.applySpring(stepSize); // end of a pass: the springs once
      return p;
    },
  };
}

/** Fisher–Yates shuffle of 0..n-1. */
function shuffled(n, rng) {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

/** Scores on an nx × ny grid over bounds {x0,x1,y0,y1}, row 0 at the top (y1). */
export function scoreGrid(model, bounds, nx, ny) {
  const grid = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    const y = bounds.y1 - ((j + 0.5) / ny) * (bounds.y1 - bounds.y0);
    for (let i = 0; i < nx; i++) {
      const x = bounds.x0 + ((i + 0.5) / nx) * (bounds.x1 - bounds.x0);
      grid[j * nx + i] = model.score(x, y);
    }
  }
  return grid;
}
