// Number formatting shared by the demos (DOM-free, so node tests can import it).

/** Fixed significant digits without exponent noise for everyday magnitudes: 0.68123 -> "0.6812". */
export function formatNumber(value, digits = 4) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-4) return value.toExponential(digits - 1);
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(magnitude)));
  return value.toFixed(decimals);
}

/** Integer with thin grouping for readability: 1797 -> "1,797". Locale-independent on purpose
 * so tests and screenshots do not depend on the visitor's language settings. */
export function formatInt(value) {
  if (!Number.isFinite(value)) return "–";
  const sign = value < 0 ? "-" : "";
  const digits = String(Math.round(Math.abs(value)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Milliseconds as a short duration: 850 -> "850 ms", 12345 -> "12.3 s". */
export function formatDuration(ms) {
  if (!Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}
