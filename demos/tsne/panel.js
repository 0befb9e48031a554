// The "what t-SNE keeps" panel beside the plot: for the hovered or tapped point, its k nearest
// neighbours in the original space next to its k nearest in the 2-D layout, the shared ones
// marked in words (not only colour), and how many of the k survive. The overlay draws the same
// facts on the canvas: dashed lines to the high-D neighbours, rings around the 2-D ones.
import { compareNeighbours, vectorDistances, matrixDistances } from "./neighbours.js";

export const K = 5;

export class NeighboursPanel {
  constructor(element) {
    this.element = element;
    this.high = null; // {data, d} or {D, n}: the original space
    this.describe = (i) => `point ${i + 1}`;
    this.dims = "";
    this.key = "";
    this.current = null;
    this.clear();
  }

  /** The dataset's original space: flat vectors (n x d) or a full distance matrix. */
  setSpace(space, describe, dims) {
    this.high = space;
    this.describe = describe;
    this.dims = dims;
    this.clear();
  }

  clear() {
    this.key = "";
    this.current = null;
    delete this.element.dataset.point;
    delete this.element.dataset.kept;
    const hint = this.element.ownerDocument.createElement("p");
    hint.className = "tsne-neighbours-hint";
    hint.textContent = this.high
      ? `Hover over or tap a point: its ${K} nearest neighbours in ${this.dims} appear next to its ${K} nearest in the plot (what t-SNE keeps).`
      : "";
    this.element.replaceChildren(hint);
  }

  /** Recompute for point i (-1: none) with layout Y; redraws the lists only when they change. */
  update(i, Y) {
    const n = Y.length / 2;
    if (!this.high || i < 0 || i >= n) {
      if (this.key !== "") this.clear();
      return null;
    }
    const dist = this.high.D ? matrixDistances(this.high.D, n, i) : vectorDistances(this.high.data, this.high.d, i);
    const result = compareNeighbours(i, K, n, dist, Y);
    const key = `${i}|${result.high}|${result.low}`;
    this.current = { i, ...result };
    if (key !== this.key) {
      this.key = key;
      this.render(i, result);
    }
    return this.current;
  }

  render(i, { high, low, shared, kept }) {
    const doc = this.element.ownerDocument;
    const both = new Set(shared);
    const list = (title, items, className) => {
      const box = doc.createElement("div");
      box.className = `tsne-nlist ${className}`;
      const head = doc.createElement("p");
      head.className = "tsne-nhead";
      head.textContent = title;
      const ol = doc.createElement("ol");
      for (const j of items) {
        const li = doc.createElement("li");
        li.dataset.index = String(j);
        li.textContent = this.describe(j);
        if (both.has(j)) {
          li.className = "tsne-shared";
          const badge = doc.createElement("span");
          badge.className = "tsne-both";
          badge.textContent = "in both";
          li.append(" ", badge);
        }
        ol.append(li);
      }
      box.append(head, ol);
      return box;
    };
    const summary = doc.createElement("p");
    summary.className = "tsne-kept";
    summary.textContent = `${this.describe(i)}: ${kept} of its ${high.length} nearest neighbours in ${this.dims} ` +
      `are also among its ${low.length} nearest in the plot.`;
    const lists = doc.createElement("div");
    lists.className = "tsne-nlists";
    lists.append(list(`Nearest in ${this.dims}`, high, "tsne-nlist-high"), list("Nearest in the 2-D plot", low, "tsne-nlist-low"));
    this.element.dataset.point = String(i);
    this.element.dataset.kept = String(kept);
    this.element.replaceChildren(summary, lists);
  }

  /**
   * Repeat the kept count in the scatter's tooltip: on a phone the panel sits below the plot,
   * often off screen, so the tapped point's answer must be readable without leaving the plot.
   * A pinned tooltip also offers a button that scrolls the panel (the two lists) into view.
   * Call after the tooltip is placed (Scatter's onDraw); re-places it when the note changes size.
   */
  annotate(scatter, shown, reveal) {
    const tip = scatter.tooltip;
    const c = this.current;
    if (shown < 0 || tip.hidden || !c || c.i !== shown) return;
    const pinned = scatter.pinned === shown;
    const text = `${c.kept} of its ${c.high.length} nearest in ${this.dims} are also nearest in the plot.`;
    const key = `${text}|${pinned}`;
    let note = tip.querySelector(".tsne-tip-kept");
    if (note && note.dataset.key === key) return; // the tooltip's own text resets drop the note
    const doc = tip.ownerDocument;
    if (!note) {
      note = doc.createElement("span");
      note.className = "tsne-tip-kept";
      tip.append(note);
    }
    note.dataset.key = key;
    note.dataset.kept = String(c.kept);
    const count = doc.createElement("span");
    count.className = "tsne-tip-count";
    count.textContent = text;
    note.replaceChildren(count);
    if (pinned) {
      const more = doc.createElement("button");
      more.type = "button";
      more.className = "tsne-tip-more";
      more.textContent = "Show both neighbour lists";
      more.addEventListener("click", () => reveal());
      note.append(" ", more);
    }
    scatter.placeTooltip(shown); // same key: keeps the content, re-fits the position
  }

  /** Scatter overlay: dashed lines to the high-D neighbours, rings around the 2-D ones. */
  draw(ctx, scatter, shown) {
    const c = this.update(shown, scatter.xy);
    if (!c) return;
    const style = scatter.container.ownerDocument.defaultView.getComputedStyle(scatter.container);
    ctx.strokeStyle = style.getPropertyValue("--scatter-fg").trim() || style.color || "#222";
    const x0 = scatter.screenX(c.i);
    const y0 = scatter.screenY(c.i);
    ctx.globalAlpha = 0.7;
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    for (const j of c.high) {
      ctx.moveTo(x0, y0);
      ctx.lineTo(scatter.screenX(j), scatter.screenY(j));
    }
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.lineWidth = 1.5;
    const r = (scatter.sprites ? scatter.spriteSize / 2 : scatter.radius) + 3;
    ctx.beginPath();
    for (const j of c.low) {
      ctx.moveTo(scatter.screenX(j) + r, scatter.screenY(j));
      ctx.arc(scatter.screenX(j), scatter.screenY(j), r, 0, 2 * Math.PI);
    }
    ctx.stroke();
  }
}
