// Unit tests of the t-SNE demo's DOM-free modules (the same files the page and worker load).
// Run: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import {
  TSNE,
  calibrateRow,
  conditionalProbabilities,
  gaussian,
  gradient,
  jointProbabilities,
  klDivergence,
  mulberry32,
  pairIndex,
  effectivePerplexity,
  squaredDistances,
  toMatrix,
} from "../../demos/tsne/tsne.js";
import { parseVectors, validateDataset, ParseError, isNumber } from "../../demos/tsne/parse.js";

const DIGITS_URL = new URL("../../demos/tsne/data/digits.json", import.meta.url);

/** n points of dimension d drawn around `centers` (one cluster per centre, round robin). */
function clusters(n, centers, spread, seed) {
  const normal = gaussian(mulberry32(seed));
  const d = centers[0].length;
  const rows = [];
  const labels = [];
  for (let i = 0; i < n; i++) {
    const c = i % centers.length;
    rows.push(centers[c].map((v) => v + spread * normal()));
    labels.push(c);
  }
  return { rows, labels, d };
}

function randomRows(n, d, seed, scale = 1) {
  const normal = gaussian(mulberry32(seed));
  return Array.from({ length: n }, () => Array.from({ length: d }, () => scale * normal()));
}

/** Straightforward full-matrix KL(P||Q) for a packed P, independent of the optimised code. */
function naiveKL(P, Y, n) {
  const w = (i, j) => 1 / (1 + (Y[2 * i] - Y[2 * j]) ** 2 + (Y[2 * i + 1] - Y[2 * j + 1]) ** 2);
  let Z = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) Z += w(i, j);
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const p = P[pairIndex(n, Math.min(i, j), Math.max(i, j))];
      if (p > 0) kl += p * Math.log(p / (w(i, j) / Z));
    }
  }
  return kl;
}

test("mulberry32 is deterministic per seed and uniform-looking", () => {
  const a = mulberry32(7);
  const b = mulberry32(7);
  const c = mulberry32(8);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => b()));
  assert.notEqual(xs[0], c());
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
});

for (const [name, n, d, perplexity, scale] of [
  ["unit-scale Gaussian data", 80, 5, 10, 1],
  ["large distances (no underflow)", 60, 4, 15, 40],
  ["tiny distances", 60, 4, 5, 1e-3],
]) {
  test(`perplexity calibration: every row's entropy is log(perplexity) (${name})`, () => {
    const { data } = toMatrix(randomRows(n, d, 3, scale));
    const { cond, betas } = conditionalProbabilities(data, n, d, perplexity);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      let H = 0;
      for (let j = 0; j < n; j++) {
        const p = cond[i * n + j];
        sum += p;
        if (p > 0) H -= p * Math.log(p);
      }
      assert.equal(cond[i * n + i], 0, "p_{i|i} must be 0");
      assert.ok(Math.abs(sum - 1) < 1e-12, `row ${i} sums to ${sum}`);
      assert.ok(Math.abs(H - Math.log(perplexity)) < 1e-4, `row ${i}: entropy ${H} vs ${Math.log(perplexity)}`);
      assert.ok(betas[i] > 0 && Number.isFinite(betas[i]));
    }
  });
}

test("perplexity calibration on the real digits (first 300 rows, perplexity 30)", () => {
  const digits = JSON.parse(readFileSync(DIGITS_URL, "utf8"));
  const { data, n, d } = toMatrix(digits.X.slice(0, 300));
  const { cond } = conditionalProbabilities(data, n, d, 30);
  for (let i = 0; i < n; i++) {
    let H = 0;
    for (let j = 0; j < n; j++) {
      const p = cond[i * n + j];
      if (p > 0) H -= p * Math.log(p);
    }
    assert.ok(Math.abs(H - Math.log(30)) < 1e-4, `row ${i}: entropy ${H}`);
  }
});

test("calibrateRow converges from a bad starting beta", () => {
  const n = 50;
  const { data } = toMatrix(randomRows(n, 3, 11));
  const dist = squaredDistances(data, n, 3);
  const out = new Float64Array(n);
  for (const beta0 of [1e-8, 1, 1e8]) {
    const { entropy } = calibrateRow(dist, 0, n, 0, 12, out, beta0);
    assert.ok(Math.abs(entropy - Math.log(12)) < 1e-4, `beta0 ${beta0}: entropy ${entropy}`);
  }
});

test("joint P is the symmetrised conditional, p_ij = (p_j|i + p_i|j) / 2N, and sums to 1", () => {
  const n = 40;
  const d = 3;
  const { data } = toMatrix(randomRows(n, d, 5));
  const { cond } = conditionalProbabilities(data, n, d, 8);
  const P = jointProbabilities(data, n, d, 8);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const expected = (cond[i * n + j] + cond[j * n + i]) / (2 * n);
      assert.ok(Math.abs(P[pairIndex(n, i, j)] - expected) < 1e-15);
      total += 2 * P[pairIndex(n, i, j)];
    }
  }
  assert.ok(Math.abs(total - 1) < 1e-12, `sum ${total}`);
});

test("analytic gradient matches a central-difference gradient of KL within 1e-4 (relative)", () => {
  const n = 14;
  const d = 4;
  const { data } = toMatrix(randomRows(n, d, 21));
  const P = jointProbabilities(data, n, d, 4);
  const normal = gaussian(mulberry32(99));
  const Y = Float64Array.from({ length: 2 * n }, () => normal());
  const grad = new Float64Array(2 * n);
  gradient(P, Y, n, 1, grad);
  const h = 1e-5;
  let worst = 0;
  for (let m = 0; m < 2 * n; m++) {
    const save = Y[m];
    Y[m] = save + h;
    const up = klDivergence(P, Y, n);
    Y[m] = save - h;
    const down = klDivergence(P, Y, n);
    Y[m] = save;
    const numeric = (up - down) / (2 * h);
    const rel = Math.abs(numeric - grad[m]) / Math.max(Math.abs(numeric), Math.abs(grad[m]), 1e-8);
    worst = Math.max(worst, rel);
  }
  assert.ok(worst < 1e-4, `worst relative error ${worst}`);
});

test("the fused KL equals a naive full-matrix KL(P||Q), and is not changed by exaggeration", () => {
  const n = 25;
  const d = 3;
  const { data } = toMatrix(randomRows(n, d, 8));
  const P = jointProbabilities(data, n, d, 6);
  const normal = gaussian(mulberry32(4));
  const Y = Float64Array.from({ length: 2 * n }, () => 3 * normal());
  const expected = naiveKL(P, Y, n);
  assert.ok(Math.abs(klDivergence(P, Y, n) - expected) < 1e-10);
  const grad = new Float64Array(2 * n);
  const fromExaggeratedStep = gradient(P, Y, n, 12, grad, true, plogpOf(P));
  assert.ok(Math.abs(fromExaggeratedStep - expected) < 1e-10, "KL must use the un-exaggerated P");
});

function plogpOf(P) {
  let s = 0;
  for (const p of P) if (p > 0) s += 2 * p * Math.log(p);
  return s;
}

test("three well-separated Gaussian clusters: KL decreases and 5-NN accuracy > 0.95", () => {
  const centers = [
    [0, 0, 0, 0, 0, 0, 0, 0],
    [12, 0, 0, 12, 0, 0, 0, 0],
    [0, 12, 0, 0, 0, 12, 0, 12],
  ];
  const { rows, labels } = clusters(150, centers, 1, 17);
  const { data, n, d } = toMatrix(rows);
  const tsne = new TSNE({ perplexity: 20, learningRate: 50, seed: 3 });
  tsne.setData(data, n, d);
  tsne.init();
  const klStart = tsne.kl();
  const trace = [];
  for (let it = 0; it < 600; it++) {
    tsne.step();
    if (it >= 250 && it % 50 === 49) trace.push(tsne.kl());
  }
  const klEnd = tsne.kl();
  assert.equal(tsne.iteration, 600);
  assert.ok(klEnd < klStart * 0.5, `KL ${klStart} -> ${klEnd}`);
  // After early exaggeration the optimiser must keep decreasing the true KL.
  assert.ok(trace[trace.length - 1] <= trace[0] + 1e-9, `trace ${trace}`);

  const Y = tsne.Y;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const neighbours = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      neighbours.push([(Y[2 * i] - Y[2 * j]) ** 2 + (Y[2 * i + 1] - Y[2 * j + 1]) ** 2, labels[j]]);
    }
    neighbours.sort((a, b) => a[0] - b[0]);
    const votes = [0, 0, 0];
    for (const [, label] of neighbours.slice(0, 5)) votes[label]++;
    if (votes.indexOf(Math.max(...votes)) === labels[i]) correct++;
  }
  assert.ok(correct / n > 0.95, `5-NN accuracy ${correct / n}`);
});

test("the seed controls the initial layout", () => {
  const { data, n, d } = toMatrix(randomRows(30, 3, 2));
  const a = new TSNE({ perplexity: 5 });
  a.setData(data, n, d);
  a.init(1);
  const first = Float64Array.from(a.Y);
  a.init(1);
  assert.deepEqual(a.Y, first);
  a.init(2);
  assert.notDeepEqual(a.Y, first);
  for (let k = 0; k < 10; k++) a.step();
  assert.equal(a.iteration, 10);
  a.init(1);
  assert.equal(a.iteration, 0);
});

test("perplexity is reduced for tiny datasets", () => {
  assert.equal(effectivePerplexity(30, 1000), 30);
  assert.equal(effectivePerplexity(30, 16), 5);
});

// ---- parser -------------------------------------------------------------------------------

const rowsOf = (k, f) => Array.from({ length: k }, (_, i) => f(i)).join("\n");

test("parser: plain CSV without labels", () => {
  const ds = parseVectors(rowsOf(6, (i) => `${i},${i * 2},-${i}.5,1e-3`));
  assert.equal(ds.X.length, 6);
  assert.deepEqual(ds.X[2], [2, 4, -2.5, 0.001]);
  assert.deepEqual(ds.labels, ["all points"]);
  assert.deepEqual(ds.y, [0, 0, 0, 0, 0, 0]);
});

test("parser: TSV with a label in the last column, comments and blank lines skipped", () => {
  const text = `# comment\n\n${rowsOf(6, (i) => `${i}\t${i + 1}\t${i % 2 ? "odd" : "even"}`)}\n`;
  const ds = parseVectors(text);
  assert.deepEqual(ds.labels, ["even", "odd"]);
  assert.deepEqual(ds.y, [0, 1, 0, 1, 0, 1]);
  assert.deepEqual(ds.X[1], [1, 2]);
  assert.equal(ds.text[0], "line 3: even");
});

test("parser: header naming a numeric label column first", () => {
  const ds = parseVectors(`label,a,b\n${rowsOf(5, (i) => `${i % 2},${i},${i}`)}`);
  assert.deepEqual(ds.labels, ["0", "1"]);
  assert.deepEqual(ds.X[4], [4, 4]);
});

test("parser: label in the first column without header; Windows line ends", () => {
  const ds = parseVectors(rowsOf(5, (i) => `cat${i % 2}, ${i}, 3`).replace(/\n/g, "\r\n"));
  assert.deepEqual(ds.labels, ["cat0", "cat1"]);
  assert.deepEqual(ds.X[3], [3, 3]);
});

test("parser: ragged row is reported with its line number", () => {
  const text = "1,2,3,4\n5,6,7,8\n\n1,2,3,4\n1,2,3,4\n1,2,3,4\n9,9,9\n1,2,3,4";
  assert.throws(() => parseVectors(text), (err) => {
    assert.ok(err instanceof ParseError);
    assert.equal(err.message, "line 7: expected 4 numbers, found 3");
    assert.equal(err.line, 7);
    return true;
  });
});

test("parser: a non-number names line and column", () => {
  const text = "1,2\n3,4\n5,abc\n7,8\n9,10";
  assert.throws(() => parseVectors(text), { message: "line 3, column 2: 'abc' is not a number" });
  const labelled = "a,1,2\nb,3,4\nc,5,x\nd,1,1\ne,2,2";
  assert.throws(() => parseVectors(labelled), { message: "line 3, column 3: 'x' is not a number" });
  assert.throws(() => parseVectors("1,2\n3,\n5,6\n7,8\n9,9"), { message: "line 2, column 2: empty value" });
});

test("parser: ragged labelled row, too few rows, empty input", () => {
  assert.throws(() => parseVectors("a,1,2\nb,3,4\nc,5\nd,1,1\ne,2,2"), {
    message: "line 3: expected a label and 2 numbers, found 2 fields",
  });
  assert.throws(() => parseVectors("1,2\n3,4"), { message: "need at least 5 data lines, found 2" });
  assert.throws(() => parseVectors("  \n# only a comment\n"), ParseError);
});

test("isNumber is strict", () => {
  for (const ok of ["1", "-2.5", "+.5", "1e-3", "3.", " 7 "]) assert.ok(isNumber(ok), ok);
  for (const bad of ["", "abc", "1,5", "0x10", "NaN", "Infinity", "1e", "--1"]) assert.ok(!isNumber(bad), bad);
});

test("validateDataset accepts digits.json and names the first problem otherwise", () => {
  const digits = JSON.parse(readFileSync(DIGITS_URL, "utf8"));
  const ds = validateDataset(digits, "data/digits.json");
  assert.equal(ds.X.length, 1797);
  assert.equal(ds.X[0].length, 64);
  assert.deepEqual(ds.labels, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  assert.ok(ds.X.every((row) => row.every((v) => Number.isInteger(v) && v >= 0 && v <= 16)));
  const broken = { ...digits, X: digits.X.map((r, i) => (i === 12 ? r.slice(1) : r)) };
  assert.throws(() => validateDataset(broken, "d"), { message: "d: X[12] has 63 values, expected 64" });
  assert.throws(() => validateDataset({ ...digits, y: digits.y.slice(1) }, "d"), /one entry per row/);
  assert.throws(() => validateDataset({ ...digits, y: digits.y.map((v) => v + 5) }, "d"), /not a label index/);
});

test("degenerate pastes: each gets a message naming the line/column and what to do", () => {
  const same = Array(20).fill("1,2,3").join("\n");
  assert.throws(() => parseVectors(same), (err) => {
    assert.ok(err instanceof ParseError);
    assert.match(err.message, /all 20 rows are the same vector \(line 1 to line 20\): t-SNE needs points that differ/);
    return true;
  });
  assert.throws(() => parseVectors("1,2\n3,4\n5,1e200\n7,8\n9,10"), (err) => {
    assert.match(err.message, /^line 3, column 2: 1e200 is too large .* rescale the data/);
    assert.equal(err.line, 3);
    assert.equal(err.column, 2);
    return true;
  });
  assert.throws(() => parseVectors("1,2,NaN\n3,4,NaN\n5,6,NaN\n7,8,NaN\n9,1,NaN"), {
    message: "column 3: every line has 'NaN' there (no values): remove the column, or fill it with labels",
  });
  assert.throws(() => parseVectors("Dear reader,\nthis is a letter\nnot a table"), (err) => {
    assert.match(err.message, /^line 1: no numbers found \(this looks like plain text\)\. Paste one vector of numbers per line/);
    return true;
  });
  // a real label column still works, and a few duplicate rows are fine
  const ok = parseVectors("1,2,a\n1,2,a\n3,4,b\n5,6,b\n7,8,c");
  assert.deepEqual(ok.labels, ["a", "b", "c"]);
});
