// DOM-free parsing and validation of a pasted distance matrix (the input the original tsnejs
// page offered besides vectors). Every error is a ParseError naming the line (and column) and
// saying what to change, in reading order, so the first message points at the first problem.
import { ParseError, isNumber, LIMITS, MAX_ABS } from "./parse.js";

/** Two mirrored entries may differ by this fraction of the matrix's largest distance. */
export const SYMMETRY_TOLERANCE = 1e-6;

function splitFields(line) {
  const delimiter = line.includes("\t") ? "\t" : line.includes(",") ? "," : line.includes(";") ? ";" : null;
  const parts = delimiter ? line.split(delimiter) : line.trim().split(/\s+/);
  return parts.map((s) => s.trim().replace(/^"(.*)"$/, "$1"));
}

/**
 * Parse a square matrix of distances, one row per line (comma, tab, semicolon or spaces).
 * - Blank lines and lines starting with '#' are ignored; so is a header line of names only.
 * - A non-numeric first cell on the first row means every row starts with a label.
 * The values must be numeric, non-negative, 0 on the diagonal and symmetric (within
 * SYMMETRY_TOLERANCE of the largest distance).
 * Returns {name: "distances", labels, y, text, url: null, X: null, n, D: Float64Array(n * n)}.
 */
export function parseDistances(source) {
  const rows = [];
  String(source)
    .split(/\r\n|\r|\n/)
    .forEach((raw, i) => {
      const trimmed = raw.trim();
      if (trimmed !== "" && !trimmed.startsWith("#")) rows.push({ line: i + 1, fields: splitFields(trimmed) });
    });
  if (rows.length > 1 && rows[0].fields.every((f) => !isNumber(f))) rows.shift(); // a header of names
  if (rows.length === 0 || !rows.some((r) => r.fields.some(isNumber))) {
    throw new ParseError(
      "no distances found: paste a square matrix of numbers, one row per line (row i, column j: the distance from point i to point j)",
      rows.length ? rows[0].line : null,
    );
  }
  const labelled = !isNumber(rows[0].fields[0]);
  const offset = labelled ? 1 : 0;
  const m = rows[0].fields.length - offset;
  const first = rows[0].line;
  const n = rows.length;
  if (n < LIMITS.minRows) throw new ParseError(`need at least ${LIMITS.minRows} points (rows), found ${n}`);
  if (n > LIMITS.maxRows) throw new ParseError(`${n} rows is more than ${LIMITS.maxRows} (exact t-SNE is O(N²))`);

  const D = new Float64Array(n * Math.max(m, 0));
  rows.forEach(({ line, fields }, i) => {
    const count = fields.length - offset;
    if (count !== m) {
      throw new ParseError(
        `line ${line}: expected ${m} distances as on line ${first}, found ${count}: every row needs one distance per point`,
        line,
      );
    }
    for (let k = 0; k < m; k++) {
      const cell = fields[k + offset];
      const column = k + offset + 1;
      const at = `line ${line}, column ${column}`;
      if (cell === "") throw new ParseError(`${at}: empty value: fill in the distance`, line, column);
      if (!isNumber(cell)) {
        throw new ParseError(
          `${at}: '${cell}' is not a number: a distance matrix holds only numbers (a label may come first on each line)`,
          line,
          column,
        );
      }
      const v = Number(cell);
      if (Math.abs(v) > MAX_ABS) {
        throw new ParseError(`${at}: ${cell} is too large: rescale the distances below ${MAX_ABS.toExponential()}`, line, column);
      }
      if (v < 0) throw new ParseError(`${at}: distance ${cell} is negative: distances must be 0 or more`, line, column);
      D[i * m + k] = v;
    }
  });
  if (m !== n) {
    throw new ParseError(
      `the matrix has ${n} rows but ${m} columns of distances (line ${first}): it must be square, ` +
        "one row and one column per point; add or remove rows or columns",
      first,
    );
  }

  let largest = 0;
  for (let k = 0; k < D.length; k++) if (D[k] > largest) largest = D[k];
  const tolerance = SYMMETRY_TOLERANCE * largest;
  for (let i = 0; i < n; i++) {
    const line = rows[i].line;
    if (D[i * n + i] !== 0) {
      throw new ParseError(
        `line ${line}, column ${i + offset + 1}: the diagonal must be 0 (a point's distance to itself), found ${rows[i].fields[i + offset]}`,
        line,
        i + offset + 1,
      );
    }
    for (let j = 0; j < i; j++) {
      const a = D[i * n + j];
      const b = D[j * n + i];
      if (Math.abs(a - b) > tolerance) {
        throw new ParseError(
          `line ${line}, column ${j + offset + 1}: ${rows[i].fields[j + offset]} differs from line ${rows[j].line}, ` +
            `column ${i + offset + 1} (${rows[j].fields[i + offset]}): the matrix must be symmetric ` +
            "(the distance from i to j equals the distance from j to i); copy one triangle onto the other",
          line,
          j + offset + 1,
        );
      }
    }
  }
  if (largest === 0) throw new ParseError(`every distance is 0 (lines ${first} to ${rows[n - 1].line}): t-SNE needs points that differ`);

  const labels = [];
  const y = [];
  const text = [];
  const index = new Map();
  rows.forEach(({ line, fields }) => {
    const label = labelled ? fields[0] || "(none)" : "all points";
    if (!index.has(label)) {
      index.set(label, labels.length);
      labels.push(label);
    }
    y.push(index.get(label));
    text.push(labelled ? `line ${line}: ${label}` : `line ${line}`);
  });
  return { name: "distances", labels, y, text, url: null, X: null, n, D };
}

/** Distances -> squared distances (t-SNE's Gaussian kernel works on squared Euclidean distances). */
export function squared(D) {
  return Float64Array.from(D, (v) => v * v);
}

/** Euclidean distance matrix of labelled vectors as pasteable text (the demo's sample). */
export function formatDistanceMatrix(X, labels, digits = 2) {
  return X.map((a, i) => {
    const cells = X.map((b) => Math.hypot(...a.map((v, k) => v - b[k])).toFixed(digits));
    return [labels[i], ...cells].join(",");
  }).join("\n");
}
