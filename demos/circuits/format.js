// Number formatting for wire labels (pure).

/**
 * Short, stable text for a wire value: integers as they are, |v| < 1 with 4
 * decimals (the guide prints 0.8808), larger values with 3; trailing zeros
 * dropped; -0 shown as 0.
 */
export function fmt(v) {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (Object.is(v, -0) || Math.abs(v) < 5e-13) return "0";
  if (Number.isInteger(v)) return String(v);
  const digits = Math.abs(v) < 1 ? 4 : 3;
  const s = v.toFixed(digits).replace(/\.?0+$/, "");
  return s === "-0" ? "0" : s;
}

/** A signed change, e.g. "+0.129". */
export function fmtDelta(v) {
  const s = fmt(v);
  return v > 0 ? `+${s}` : s;
}

/**
 * Up to 5 significant digits, for the output line: 0.8825501816 -> "0.88255". Wire labels
 * round to 4 decimals (0.8826), which can differ in the last digit from a printout that shows
 * 4 digits of the same number (the guide's 0.8825); with 5 the reader sees both are 0.88255.
 */
export function fmtLong(v) {
  if (!Number.isFinite(v) || Number.isInteger(v)) return fmt(v);
  if (Math.abs(v) < 5e-13) return "0";
  const s = String(Number(v.toPrecision(5)));
  return /e/.test(s) ? v.toPrecision(5) : s;
}
