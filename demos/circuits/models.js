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

  /** One stochastic step on one example (forward, backward, update). */
  learnFrom(x, y, label, stepSize = 0.01) {
    const inputs = { a: this.a, b: this.b, c: this.c, x, y };
    const pass = run(this.circuit, inputs, 0);
    const pull = pullFor(label, pass.output);
    const { inputGrads } = run(this.circuit, inputs, pull);
    // Springs to zero on a and b (not c): the regularization pull.
    const da = inputGrads.a - this.reg * this.a;
    const db = inputGrads.b - this.reg * this.b;
    this.a += stepSize * da;
    this.b += stepSize * db;
    this.c += stepSize * inputGrads.c;
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
    return this.forward(x, y).score;
  }

  learnFrom(x, y, label, stepSize = 0.01) {
    const { n, score } = this.forward(x, y);
    const dscore = pullFor(label, score);
    const grads = this.units.map((u, i) => {
      // ReLU: the gradient only flows back through units that fired.
      const dn = n[i] === 0 ? 0 : u.w * dscore;
      return {
        a: x * dn - this.reg * u.a, // "- u.a": the regularization spring
        b: y * dn - this.reg * u.b,
        c: dn,
        w: n[i] * dscore - this.reg * u.w,
      };
    });
    this.units.forEach((u, i) => {
      for (const key of ["a", "b", "c", "w"]) u[key] += stepSize * grads[i][key];
    });
    this.d += stepSize * dscore;
  }

  regularization() {
    return 0.5 * this.reg * this.units.reduce((s, u) => s + u.a * u.a + u.b * u.b + u.w * u.w, 0);
  }

  describe() {
    return `${this.hidden} hidden ReLU units, ${4 * this.hidden + 1} parameters`;
  }
}

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
