// Categorical colours shared by the demos (DOM-free).
//
// The first ten are a colour-blind-aware qualitative palette with enough contrast on both a
// white and a near-black background, so one list serves light and dark themes. Beyond ten
// categories hues are spread by the golden angle, which keeps neighbours distinct for any count.

export const PALETTE = Object.freeze([
  "#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1",
  "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#8c8c8c",
]);

// 11-20 categories (the blog's paragraphs have 15 posts): the ten above, then a darker and a
// lighter shade of different hues, so no two are near-identical the way golden-angle hues of
// one saturation and lightness can be.
export const PALETTE_20 = Object.freeze([
  ...PALETTE,
  "#1f3f6e", "#a0522d", "#8cd17d", "#7b2d5b", "#17becf",
  "#b6992d", "#d4a6c8", "#2e6b3a", "#ffbe7d", "#5d5d9c",
]);

/** Colour of category i out of `count` categories, as a CSS colour string. */
export function categoryColor(i, count = PALETTE.length) {
  if (count <= PALETTE.length) return PALETTE[i % PALETTE.length];
  if (count <= PALETTE_20.length) return PALETTE_20[i];
  const hue = (i * 137.508) % 360;
  const lightness = 45 + (i % 3) * 8; // alternate lightness so similar hues still differ
  return `hsl(${hue.toFixed(1)} 65% ${lightness}%)`;
}

/** Colours for `count` categories. */
export function categoryColors(count) {
  return Array.from({ length: count }, (_, i) => categoryColor(i, count));
}

// Labels that name a colour are drawn in that colour (a sample labelled red/green/blue should
// not come out blue/orange/red). Values are the palette's own shades of those hues.
const NAMED = Object.freeze({
  blue: "#4e79a7", orange: "#f28e2b", red: "#e15759", green: "#59a14f", purple: "#b07aa1",
  teal: "#76b7b2", cyan: "#76b7b2", yellow: "#edc948", pink: "#ff9da7", brown: "#9c755f",
  grey: "#8c8c8c", gray: "#8c8c8c", black: "#333333",
});

/**
 * Colours for a list of labels: if every label names a colour (and no two name the same one),
 * each gets its own colour; otherwise the categorical palette in order.
 */
export function colorsForLabels(labels) {
  const named = labels.map((l) => NAMED[String(l).trim().toLowerCase()]);
  if (labels.length > 0 && named.every(Boolean) && new Set(named).size === named.length) return named;
  return categoryColors(labels.length);
}
