// Unit tests of the t-SNE explorer's additions: neighbours (what t-SNE keeps), digit glyphs and
// the distance-matrix input. Run: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { nearest, vectorDistances, matrixDistances, compareNeighbours } from "../../demos/tsne/neighbours.js";
import { glyphCells, isImageData } from "../../demos/tsne/glyphs.js";
import { parseDistances, squared, formatDistanceMatrix, SYMMETRY_TOLERANCE } from "../../demos/tsne/distances.js";
import { ParseError, parseVectors } from "../../demos/tsne/parse.js";
import { TSNE, gaussian, jointFromDistances, jointProbabilities, mulberry32, toMatrix } from "../../demos/tsne/tsne.js";

const DIGITS = JSON.parse(readFileSync(new URL("../../demos/tsne/data/digits.json", import.meta.url), "utf8"));

/** Brute force: sort every other index by (distance, index) and take k. */
function bruteNearest(n, i, k, dist) {
  return [...Array(n).keys()]
    .filter((j) => j !== i)
    .sort((a, b) => dist(a) - dist(b) || a - b)
    .slice(0, k);
}

test("nearest matches a full sort, ties broken by the lower index", () => {
  const rand = mulberry32(5);
  for (let trial = 0; trial < 50; trial++) {
    const n = 3 + Math.floor(rand() * 40);
    const values = Array.from({ length: n }, () => Math.floor(rand() * 6)); // many ties
    const i = Math.floor(rand() * n);
    const k = Math.floor(rand() * 8);
    const dist = (j) => Math.abs(values[j] - values[i]);
    assert.deepEqual(nearest(n, i, k, dist), bruteNearest(n, i, Math.min(k, n - 1), dist), `trial ${trial}`);
  }
});

test("compareNeighbours: a layout that keeps the order keeps all k; a shuffled one keeps fewer", () => {
  // Points on a line in 3-D; the layout puts them on a line in 2-D in the same order.
  const n = 30;
  const data = new Float64Array(n * 3);
  const Y = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    data[3 * i] = i * i * 0.01 + i; // uneven spacing, still monotone
    Y[2 * i] = i;
    Y[2 * i + 1] = 0;
  }
  const same = compareNeighbours(12, 5, n, vectorDistances(data, 3, 12), Y);
  assert.equal(same.kept, 5);
  assert.deepEqual(new Set(same.high), new Set(same.low));
  assert.ok(!same.high.includes(12) && !same.low.includes(12), "a point is not its own neighbour");
  // Move point 12's 2-D neighbours far away: its high-D neighbours are unchanged, none kept.
  const moved = Float64Array.from(Y);
  for (const j of [10, 11, 13, 14]) moved[2 * j + 1] = 1000 + j;
  const broken = compareNeighbours(12, 5, n, vectorDistances(data, 3, 12), moved);
  assert.deepEqual(broken.high, same.high);
  assert.equal(broken.kept, broken.shared.length);
  assert.equal(broken.kept, 1, `shared ${broken.shared}`); // only 15 (or 9) of the five stays near
  assert.deepEqual(broken.shared, broken.high.filter((j) => broken.low.includes(j)));
});

test("compareNeighbours: the distance-matrix space gives the same lists as the vectors", () => {
  const normal = gaussian(mulberry32(3));
  const n = 40;
  const rows = Array.from({ length: n }, () => [normal(), normal(), normal(), normal()]);
  const { data } = toMatrix(rows);
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) D[i * n + j] = Math.hypot(...rows[i].map((v, k) => v - rows[j][k]));
  const Y = Float64Array.from({ length: 2 * n }, () => normal());
  for (const i of [0, 17, 39]) {
    const a = compareNeighbours(i, 5, n, vectorDistances(data, 4, i), Y);
    const b = compareNeighbours(i, 5, n, matrixDistances(D, n, i), Y);
    assert.deepEqual(a, b);
  }
  assert.equal(compareNeighbours(0, 5, 3, matrixDistances(D, 3, 0), Y).high.length, 2, "k is capped at n - 1");
});

test("after a t-SNE run most digits keep most of their 64-D neighbours", () => {
  const n = 300;
  const { data, d } = toMatrix(DIGITS.X.slice(0, n));
  const tsne = new TSNE({ perplexity: 30, learningRate: 50 });
  tsne.setData(data, n, d);
  tsne.init(1);
  let keptBefore = 0;
  for (let i = 0; i < n; i++) keptBefore += compareNeighbours(i, 5, n, vectorDistances(data, d, i), tsne.Y).kept;
  for (let it = 0; it < 500; it++) tsne.step();
  let kept = 0;
  for (let i = 0; i < n; i++) kept += compareNeighbours(i, 5, n, vectorDistances(data, d, i), tsne.Y).kept;
  // A random layout keeps ~5·5/299 per point; t-SNE keeps far more (what it is built to do).
  assert.ok(keptBefore / n < 0.5, `random start keeps ${keptBefore / n}`);
  assert.ok(kept / n > 2.5, `t-SNE keeps ${kept / n} of 5`);
});

test("glyphCells: 64 values become an 8×8 grid, row by row, ink scaled to 0–1", () => {
  const values = new Array(64).fill(0);
  values[0] = 16;
  values[9] = 8; // row 1, column 1
  values[63] = 4;
  assert.deepEqual(glyphCells(values), [
    { x: 0, y: 0, alpha: 1 },
    { x: 1, y: 1, alpha: 0.5 },
    { x: 7, y: 7, alpha: 0.25 },
  ]);
  // A real "0" has ink in its left and right columns and none in the very centre columns' middle.
  const zero = DIGITS.X[DIGITS.y.indexOf(0)];
  const cells = glyphCells(zero);
  assert.ok(cells.length > 15 && cells.every((c) => c.alpha > 0 && c.alpha <= 1));
  assert.ok(isImageData(DIGITS));
  assert.ok(!isImageData({ X: [[1, 2, 3]] }));
  assert.ok(!isImageData({ X: null, D: new Float64Array(4) }));
});

// ---- distance-matrix input -----------------------------------------------------------------

const GOOD = [
  "0,1,2,3,4",
  "1,0,1,2,3",
  "2,1,0,1,2",
  "3,2,1,0,1",
  "4,3,2,1,0",
].join("\n");

test("parseDistances: a plain square matrix; comments, a header and labels are allowed", () => {
  const ds = parseDistances(`# five points on a line\n${GOOD}\n`);
  assert.equal(ds.n, 5);
  assert.deepEqual(Array.from(ds.D.slice(0, 5)), [0, 1, 2, 3, 4]);
  assert.deepEqual(ds.labels, ["all points"]);
  assert.equal(ds.X, null);
  const labelled = parseDistances(
    "name\ta\tb\tc\td\te\n" + GOOD.split("\n").map((r, i) => `${"aabbb"[i]}\t${r.replaceAll(",", "\t")}`).join("\n"),
  );
  assert.deepEqual(labelled.labels, ["a", "b"]);
  assert.deepEqual(labelled.y, [0, 0, 1, 1, 1]);
  assert.equal(labelled.text[0], "line 2: a");
  assert.deepEqual(Array.from(squared(labelled.D).slice(0, 5)), [0, 1, 4, 9, 16]);
});

/** The ParseError message for a pasted matrix (fails if it parses). */
function message(text) {
  try {
    parseDistances(text);
  } catch (err) {
    assert.ok(err instanceof ParseError, String(err));
    return err;
  }
  assert.fail("expected a ParseError");
}

const rows = () => GOOD.split("\n").map((r) => r.split(","));
const join = (cells) => cells.map((r) => r.join(",")).join("\n");

for (const [name, text, expected, line, column] of [
  ["empty", "  \n# only a comment\n", /no distances found: paste a square matrix/],
  ["plain text", "hello there\nhow are you", /no distances found/],
  ["a word in a cell", join(rows().map((r, i) => (i === 2 ? [...r.slice(0, 3), "far", r[4]] : r))),
    /^line 3, column 4: 'far' is not a number: a distance matrix holds only numbers/, 3, 4],
  ["an empty cell", join(rows().map((r, i) => (i === 1 ? ["1", "", ...r.slice(2)] : r))),
    /^line 2, column 2: empty value: fill in the distance/, 2, 2],
  ["a ragged row", join(rows().map((r, i) => (i === 3 ? r.slice(0, 4) : r))),
    /^line 4: expected 5 distances as on line 1, found 4: every row needs one distance per point/, 4],
  ["not square", join(rows().map((r) => [...r, "5"])),
    /^the matrix has 5 rows but 6 columns of distances \(line 1\): it must be square/, 1],
  ["too few points", "0,1,2\n1,0,1\n2,1,0", /need at least 5 points \(rows\), found 3/],
  ["a negative distance", join(rows().map((r, i) => (i === 4 ? ["-4", ...r.slice(1)] : r))),
    /^line 5, column 1: distance -4 is negative: distances must be 0 or more/, 5, 1],
  ["a non-zero diagonal", join(rows().map((r, i) => (i === 2 ? ["2", "1", "0.5", "1", "2"] : r))),
    /^line 3, column 3: the diagonal must be 0 \(a point's distance to itself\), found 0.5/, 3, 3],
  ["asymmetric", join(rows().map((r, i) => (i === 3 ? ["3", "2.5", "1", "0", "1"] : r))),
    /^line 4, column 2: 2.5 differs from line 2, column 4 \(2\): the matrix must be symmetric .*copy one triangle onto the other/, 4, 2],
  ["too large", join(rows().map((r, i) => (i === 0 ? ["0", "1e200", ...r.slice(2)] : r))),
    /^line 1, column 2: 1e200 is too large: rescale the distances/, 1, 2],
  ["all zero", join(rows().map((r) => r.map(() => "0"))), /every distance is 0 \(lines 1 to 5\): t-SNE needs points that differ/],
]) {
  test(`parseDistances message: ${name}`, () => {
    const err = message(text);
    assert.match(err.message, expected);
    if (line !== undefined) assert.equal(err.line, line);
    if (column !== undefined) assert.equal(err.column, column);
  });
}

test("parseDistances: labelled rows count the label as column 1; symmetry has a tolerance", () => {
  const labelled = rows().map((r, i) => [`p${i}`, ...r]);
  labelled[1][4] = "x";
  assert.match(message(join(labelled)).message, /^line 2, column 5: 'x' is not a number/);
  const nearlySymmetric = rows();
  nearlySymmetric[3][1] = String(2 + 4 * SYMMETRY_TOLERANCE * 0.5); // within tolerance of the largest (4)
  assert.equal(parseDistances(join(nearlySymmetric)).n, 5);
  nearlySymmetric[3][1] = String(2 + 4 * SYMMETRY_TOLERANCE * 2);
  assert.match(message(join(nearlySymmetric)).message, /^line 4, column 2: .* differs from line 2, column 4/);
});

test("a pasted Euclidean distance matrix gives the same affinities as the vectors themselves", () => {
  const sample = parseVectors(
    "1,2,0,a\n0,1,2,a\n2,0,1,a\n5,5,4,b\n4,5,5,b\n5,4,5,b\n0,5,9,c\n1,5,10,c\n0,4,10,c\n",
  );
  const text = formatDistanceMatrix(sample.X, sample.y.map((c) => sample.labels[c]), 12);
  const ds = parseDistances(text);
  assert.deepEqual(ds.labels, ["a", "b", "c"]);
  const { data, n, d } = toMatrix(sample.X);
  const fromVectors = jointProbabilities(data, n, d, 2);
  const fromDistances = jointFromDistances(squared(ds.D), ds.n, 2);
  for (let k = 0; k < fromVectors.length; k++) assert.ok(Math.abs(fromVectors[k] - fromDistances[k]) < 1e-9, `pair ${k}`);
  // And the optimiser runs from distances (setDistances) to the same layout as from vectors.
  const a = new TSNE({ perplexity: 2 });
  a.setData(data, n, d);
  a.init(4);
  const b = new TSNE({ perplexity: 2 });
  b.setDistances(squared(ds.D), ds.n);
  b.init(4);
  for (let it = 0; it < 50; it++) {
    a.step();
    b.step();
  }
  for (let m = 0; m < 2 * n; m++) assert.ok(Math.abs(a.Y[m] - b.Y[m]) < 1e-6);
});
