// Categorical colours shared by the demos (DOM-free).
//
// The first ten are a colour-blind-aware qualitative palette with enough contrast on both a
// white and a near-black background, so one list serves light and dark themes. Beyond ten
// categories hues are spread by the golden angle, which keeps neighbours distinct for any count.

export const PALETTE = Object.freeze([
  "#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1",
  "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#8c8c8c",
]);

/** Colour of category i out of `count` categories, as a CSS colour string. */
export function categoryColor(i, count = PALETTE.length) {
  if (count <= PALETTE.length) return PALETTE[i % PALETTE.length];
  const hue = (i * 137.508) % 360;
  const lightness = 45 + (i % 3) * 8; // alternate lightness so similar hues still differ
  return `hsl(${hue.toFixed(1)} 65% ${lightness}%)`;
}

/** Colours for `count` categories. */
export function categoryColors(count) {
  return Array.from({ length: count }, (_, i) => categoryColor(i, count));
}
