// Digits drawn as their own 8×8 images: each of the 64 features is one cell's ink (0–16 in the
// digits data), row by row from the top left. DOM-free cell list, so node can test the layout;
// the page paints the cells into one small canvas per point and the scatter draws those.

/** Cells with ink: [{x, y, alpha}] for a row of side*side values scaled by `max`. */
export function glyphCells(values, side = 8, max = 16) {
  const cells = [];
  for (let k = 0; k < side * side; k++) {
    const v = values[k];
    if (v > 0) cells.push({ x: k % side, y: Math.floor(k / side), alpha: Math.min(1, v / max) });
  }
  return cells;
}

/** True when the rows look like 8×8 images (64 values each), i.e. glyphs can be drawn. */
export function isImageData(dataset) {
  return Boolean(dataset && Array.isArray(dataset.X) && dataset.X.length && dataset.X[0].length === 64);
}

/** One canvas per row with its glyph in `colors[y[i]]`; `makeCanvas(w, h)` supplies canvases. */
export function glyphSprites(dataset, colors, makeCanvas, side = 8) {
  return dataset.X.map((row, i) => {
    const canvas = makeCanvas(side, side);
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = colors[dataset.y[i]] || "#888";
    for (const { x, y, alpha } of glyphCells(row, side)) {
      ctx.globalAlpha = alpha;
      ctx.fillRect(x, y, 1, 1);
    }
    return canvas;
  });
}
