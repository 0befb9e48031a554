// DOM-free parsing and validation of the t-SNE demo's datasets: the "paste your own" CSV/TSV
// text and the JSON files fetched at run time. Errors are ParseError with a message that names
// the line (and column) so a reader can fix their paste.

export class ParseError extends Error {
  constructor(message, line = null, column = null) {
    super(message);
    this.name = "ParseError";
    this.line = line;
    this.column = column;
  }
}

export const LIMITS = Object.freeze({ minRows: 5, maxRows: 3000, maxColumns: 1000 });

// Header cells that name the label column (compared case-insensitively).
const LABEL_NAMES = new Set(["label", "labels", "class", "y", "target", "name", "category"]);

// Cells that mean "no value" (checked before a column is taken as labels).
const MISSING = /^(|nan|na|n\/a|null|none|-|\?)$/i;

/** Values this large overflow the squared distances t-SNE starts from (1e155² ≈ 1e310 > 1.8e308). */
export const MAX_ABS = 1e100;

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Strict number check: "1e3" and "-.5" pass; "", "0x10", "1,5", "NaN" and "Infinity" do not. */
export function isNumber(text) {
  return NUMBER_RE.test(text.trim());
}

function splitFields(line, delimiter) {
  const parts = delimiter === " " ? line.trim().split(/\s+/) : line.split(delimiter);
  return parts.map((s) => s.trim().replace(/^"(.*)"$/, "$1"));
}

function detectDelimiter(line) {
  if (line.includes("\t")) return "\t";
  if (line.includes(",")) return ",";
  if (line.includes(";")) return ";";
  return " ";
}

/**
 * Parse pasted CSV/TSV vectors.
 * - One vector per line; blank lines and lines starting with '#' are ignored.
 * - The delimiter (tab, comma, semicolon or spaces) is taken from the first data line.
 * - An optional header line (every cell non-numeric) may name a label column ("label", "class"…)
 *   as its first or last cell.
 * - Without a header, a non-numeric first or last cell on the first line marks a label column.
 * Returns {name: "custom", labels, X, y, text, url: null} (the dataset format used everywhere).
 */
export function parseVectors(source) {
  const lines = String(source).split(/\r\n|\r|\n/);
  const rows = []; // {line, fields}
  let delimiter = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    if (delimiter === null) delimiter = detectDelimiter(trimmed);
    rows.push({ line: i + 1, fields: splitFields(raw, delimiter) });
  }
  if (rows.length === 0) throw new ParseError("no data: paste one vector of numbers per line");
  if (!rows.some((r) => r.fields.some(isNumber))) {
    throw new ParseError(
      `line ${rows[0].line}: no numbers found (this looks like plain text). Paste one vector of numbers per line, ` +
        "e.g. 0.1,0.2,0.3 (an optional label in the first or last column)",
      rows[0].line,
    );
  }

  let labelColumn = null; // "first" | "last" | null
  let header = null;
  const first = rows[0];
  if (first.fields.every((f) => !isNumber(f))) {
    header = rows.shift();
    const cells = header.fields.map((f) => f.toLowerCase());
    if (LABEL_NAMES.has(cells[0])) labelColumn = "first";
    else if (LABEL_NAMES.has(cells[cells.length - 1])) labelColumn = "last";
    if (rows.length === 0) throw new ParseError(`line ${header.line}: a header but no data lines`, header.line);
  }
  const width = rows[0].fields.length;
  if (header && header.fields.length !== width) {
    throw new ParseError(
      `line ${rows[0].line}: expected ${header.fields.length} fields as in the header (line ${header.line}), found ${width}`,
      rows[0].line,
    );
  }
  if (!header) {
    const f = rows[0].fields;
    if (width > 1 && !isNumber(f[0])) labelColumn = "first";
    else if (width > 1 && !isNumber(f[width - 1])) labelColumn = "last";
  }
  if (labelColumn) {
    // A column of NaN / empty cells is missing data, not labels: say so instead of silently
    // using it as one "NaN" class.
    const k = labelColumn === "first" ? 0 : width - 1;
    if (rows.every((r) => MISSING.test(r.fields[k] ?? ""))) {
      throw new ParseError(
        `column ${k + 1}: every line has '${rows[0].fields[k]}' there (no values): remove the column, or fill it with labels`,
        rows[0].line,
        k + 1,
      );
    }
  }
  const numbersPerRow = width - (labelColumn ? 1 : 0);
  if (numbersPerRow < 1) throw new ParseError(`line ${rows[0].line}: no numeric columns`, rows[0].line);
  if (numbersPerRow > LIMITS.maxColumns) {
    throw new ParseError(`line ${rows[0].line}: ${numbersPerRow} columns is more than ${LIMITS.maxColumns}`, rows[0].line);
  }
  if (rows.length < LIMITS.minRows) {
    throw new ParseError(`need at least ${LIMITS.minRows} data lines, found ${rows.length}`);
  }
  if (rows.length > LIMITS.maxRows) {
    throw new ParseError(`${rows.length} data lines is more than ${LIMITS.maxRows} (exact t-SNE is O(N²))`);
  }

  const X = [];
  const rowLabels = [];
  const labelOffset = labelColumn === "first" ? 1 : 0;
  for (const { line, fields } of rows) {
    if (fields.length !== width) {
      const found = fields.length - (labelColumn ? 1 : 0);
      const what = labelColumn ? `a label and ${numbersPerRow} numbers` : `${numbersPerRow} numbers`;
      const got = labelColumn ? `${fields.length} fields` : `${Math.max(found, 0)}`;
      throw new ParseError(`line ${line}: expected ${what}, found ${got}`, line);
    }
    const vector = new Array(numbersPerRow);
    for (let k = 0; k < numbersPerRow; k++) {
      const cell = fields[k + labelOffset];
      const column = k + labelOffset + 1;
      if (cell === "") throw new ParseError(`line ${line}, column ${column}: empty value`, line, column);
      if (!isNumber(cell)) {
        throw new ParseError(`line ${line}, column ${column}: '${cell}' is not a number`, line, column);
      }
      vector[k] = Number(cell);
      if (Math.abs(vector[k]) > MAX_ABS) {
        throw new ParseError(
          `line ${line}, column ${column}: ${cell} is too large for t-SNE (squared distances would overflow); ` +
            `rescale the data so values stay below ${MAX_ABS.toExponential()}`,
          line,
          column,
        );
      }
    }
    X.push(vector);
    if (labelColumn) rowLabels.push(fields[labelColumn === "first" ? 0 : width - 1] || "(none)");
  }

  checkSpread(X, (i) => `line ${rows[i].line}`);

  const labels = [];
  const y = [];
  const text = [];
  if (labelColumn) {
    const index = new Map();
    rowLabels.forEach((label, r) => {
      if (!index.has(label)) {
        index.set(label, labels.length);
        labels.push(label);
      }
      y.push(index.get(label));
      text.push(`line ${rows[r].line}: ${label}`);
    });
  } else {
    labels.push("all points");
    rows.forEach(({ line }) => {
      y.push(0);
      text.push(`line ${line}`);
    });
  }
  return { name: "custom", labels, X, y, text, url: null };
}

/**
 * t-SNE needs points that differ: if every row is the same vector the affinities are undefined
 * (every distance is 0) and the run would end with an empty plot. `where(i)` names row i.
 */
export function checkSpread(X, where = (i) => `row ${i + 1}`) {
  const first = X[0];
  const differs = X.some((row) => row.some((v, k) => v !== first[k]));
  if (!differs) {
    throw new ParseError(
      `all ${X.length} rows are the same vector (${where(0)} to ${where(X.length - 1)}): t-SNE needs points that differ`,
    );
  }
}

/**
 * Check a dataset object fetched as JSON (digits.json, posts.json) and return it normalised.
 * Throws ParseError naming the first problem (e.g. "X[12] has 63 values, expected 64").
 */
export function validateDataset(obj, source = "dataset") {
  const fail = (msg) => {
    throw new ParseError(`${source}: ${msg}`);
  };
  if (!obj || typeof obj !== "object") fail("not a JSON object");
  const { X, y, labels } = obj;
  if (!Array.isArray(X) || X.length === 0) fail("'X' must be a non-empty array of rows");
  if (!Array.isArray(labels) || labels.length === 0) fail("'labels' must be a non-empty array");
  if (!Array.isArray(y) || y.length !== X.length) fail(`'y' must have one entry per row (${X.length})`);
  if (X.length > LIMITS.maxRows) fail(`${X.length} rows is more than ${LIMITS.maxRows}`);
  const d = Array.isArray(X[0]) ? X[0].length : 0;
  if (d === 0) fail("X[0] is not a non-empty array");
  for (let i = 0; i < X.length; i++) {
    const row = X[i];
    if (!Array.isArray(row) || row.length !== d) fail(`X[${i}] has ${row && row.length} values, expected ${d}`);
    for (let k = 0; k < d; k++) {
      if (typeof row[k] !== "number" || !Number.isFinite(row[k])) fail(`X[${i}][${k}] is not a finite number`);
    }
    if (!Number.isInteger(y[i]) || y[i] < 0 || y[i] >= labels.length) fail(`y[${i}] is not a label index`);
  }
  for (const key of ["text", "url"]) {
    const v = obj[key];
    if (v != null && (!Array.isArray(v) || v.length !== X.length)) fail(`'${key}' must have one entry per row`);
  }
  return {
    name: String(obj.name || source),
    labels: labels.map(String),
    X,
    y,
    text: obj.text || null,
    url: obj.url || null,
  };
}
