// A reusable canvas scatter plot: coloured categories, hover tooltip, wheel zoom, drag pan,
// keyboard zoom/pan, devicePixelRatio-sharp drawing, width taken from its container.
//
// The view is "fit to data, then the user's zoom/pan on top": each frame the data's bounding box
// is fitted to the canvas and the user's transform (zoom k, offset tx/ty in CSS pixels) is applied
// after it. A layout that keeps growing (t-SNE) therefore stays in view while zoomed.

const PAD = 16; // CSS px kept free around the fitted data
const HOVER_PX = 10; // how close (CSS px) the pointer must be to a point to pick it
const TAP_PX = 22; // a finger is less precise than a mouse
const MIN_ZOOM = 0.2;
const MAX_ZOOM = 80;

export class Scatter {
  /**
   * @param {HTMLElement} container  the plot fills its width
   * @param {object} options  {height, radius, label, describe(i) -> string, link(i) -> url|null,
   *                            onClick(i), onDraw(n), onShow(i), overlay(ctx, scatter)}
   *   onShow(i): the point whose tooltip shows (hovered or pinned) changed; -1 when none.
   *   overlay(ctx, scatter): draws on top of the points each frame (scatter.screenX/Y(i) place it).
   *
   * Touch: one finger scrolls the page (touch-action pan-x pan-y), a tap pins the tooltip of the
   * nearest point, two fingers pinch-zoom and pan the plot. A click pins the tooltip as well; if
   * link(i) gives a URL the pinned tooltip carries a link to it (nothing navigates by accident).
   */
  constructor(container, options = {}) {
    this.container = container;
    this.height = options.height || 480;
    this.radius = options.radius || 3;
    this.describe = options.describe || ((i) => `point ${i}`);
    this.onClick = options.onClick || null;
    this.link = options.link || null;
    this.hiddenCategories = new Set();
    this.pinned = -1; // the point whose tooltip a click/tap pinned
    this.onDraw = options.onDraw || null; // called after each drawn frame (e.g. timing marks)
    this.onShow = options.onShow || null;
    this.overlay = options.overlay || null;
    this.shown = -1; // last point reported to onShow
    this.sprites = null; // optional per-point images drawn instead of dots (setSprites)
    this.spriteSize = 0;
    this.xy = new Float32Array(0);
    this.categories = new Uint16Array(0);
    this.colors = [];
    this.zoom = 1;
    this.tx = 0;
    this.ty = 0;
    this.hover = -1;
    this.fit = null;
    this.frameRequested = false;

    const doc = container.ownerDocument;
    this.wrap = doc.createElement("div");
    this.wrap.className = "scatter";
    this.wrap.style.position = "relative";
    this.canvas = doc.createElement("canvas");
    this.canvas.className = "scatter-canvas";
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute(
      "aria-label",
      `${options.label || "Scatter plot"}. Wheel or + and - keys zoom, drag or arrow keys pan, 0 resets the view.`,
    );
    this.canvas.style.display = "block";
    this.canvas.style.width = "100%";
    this.canvas.style.height = `${this.height}px`;
    this.canvas.style.touchAction = "pan-x pan-y"; // one finger scrolls the page
    this.tooltip = doc.createElement("div");
    this.tooltip.className = "scatter-tooltip";
    this.tooltip.setAttribute("role", "tooltip");
    this.tooltip.hidden = true;
    this.wrap.append(this.canvas, this.tooltip);
    container.append(this.wrap);

    this.bindEvents();
    const view = doc.defaultView;
    this.resizeObserver = new view.ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.wrap);
    this.colorScheme = view.matchMedia("(prefers-color-scheme: dark)");
    this.onScheme = () => this.requestDraw();
    this.colorScheme.addEventListener("change", this.onScheme);
    // The site's dark-mode toggle sets data-theme on <html>: draw() reads the CSS colours again.
    this.themeObserver = new view.MutationObserver(this.onScheme);
    this.themeObserver.observe(doc.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    this.resize();
  }

  /** New points: positions (flat x,y), a category index per point and one colour per category. */
  setData(xy, categories, colors) {
    this.categories = categories;
    this.colors = colors;
    this.hover = -1;
    this.pinned = -1;
    this.hideTooltip();
    this.setPositions(xy);
  }

  /** Move the points (same count and categories); redrawn on the next animation frame. */
  setPositions(xy) {
    this.xy = xy;
    this.requestDraw();
  }

  /** Hide these categories (a Set of indices): not drawn, not picked. */
  setHidden(categories) {
    this.hiddenCategories = new Set(categories);
    if (this.hover >= 0 && this.hiddenCategories.has(this.categories[this.hover])) this.hover = -1;
    if (this.pinned >= 0 && this.hiddenCategories.has(this.categories[this.pinned])) this.pinned = -1;
    if (this.hover < 0 && this.pinned < 0) this.hideTooltip();
    this.requestDraw();
  }

  /**
   * Draw point i as the image sprites[i] (e.g. a digit's own 8×8 glyph) of `size` CSS px, scaled
   * up gently with the zoom; null goes back to dots.
   */
  setSprites(sprites, size = 14) {
    this.sprites = sprites;
    this.spriteSize = size;
    this.requestDraw();
  }

  /** Index of the point whose tooltip shows (pinned first, else hovered), or -1. */
  shownPoint() {
    return this.pinned >= 0 ? this.pinned : this.hover;
  }

  resetView() {
    this.zoom = 1;
    this.tx = 0;
    this.ty = 0;
    this.requestDraw();
  }

  destroy() {
    this.resizeObserver.disconnect();
    this.colorScheme.removeEventListener("change", this.onScheme);
    this.themeObserver.disconnect();
    this.wrap.remove();
  }

  requestDraw() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    this.container.ownerDocument.defaultView.requestAnimationFrame(() => {
      this.frameRequested = false;
      this.draw();
    });
  }

  resize() {
    const dpr = this.container.ownerDocument.defaultView.devicePixelRatio || 1;
    const width = Math.max(1, this.wrap.clientWidth);
    this.cssWidth = width;
    this.dpr = dpr;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(this.height * dpr);
    this.requestDraw();
  }

  /** Fit the data's bounding box into the canvas (uniform scale, centred). */
  computeFit() {
    const xy = this.xy;
    const n = xy.length / 2;
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = xy[2 * i];
      const y = xy[2 * i + 1];
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    if (n === 0) return { cx: 0, cy: 0, scale: 1 };
    const spanX = Math.max(maxX - minX, 1e-12);
    const spanY = Math.max(maxY - minY, 1e-12);
    const scale = Math.min((this.cssWidth - 2 * PAD) / spanX, (this.height - 2 * PAD) / spanY);
    return { cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, scale: Math.max(scale, 1e-12) };
  }

  /** Data -> CSS pixel coordinates of point i. */
  screenX(i) {
    const f = this.fit;
    return (this.xy[2 * i] - f.cx) * f.scale * this.zoom + this.cssWidth / 2 + this.tx;
  }

  screenY(i) {
    const f = this.fit;
    // Screen y grows downwards; flip so the plot reads like a usual chart.
    return -(this.xy[2 * i + 1] - f.cy) * f.scale * this.zoom + this.height / 2 + this.ty;
  }

  draw() {
    const ctx = this.canvas.getContext("2d");
    const style = this.container.ownerDocument.defaultView.getComputedStyle(this.container);
    const fg = style.getPropertyValue("--scatter-fg").trim() || style.color || "#222";
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.cssWidth, this.height);
    this.fit = this.computeFit();
    const n = this.xy.length / 2;
    const r = this.radius;
    // One path per category: far fewer fill() calls than one per point.
    const byCategory = new Map();
    for (let i = 0; i < n; i++) {
      const c = this.categories[i] || 0;
      if (this.hiddenCategories.has(c)) continue;
      if (!byCategory.has(c)) byCategory.set(c, []);
      byCategory.get(c).push(i);
    }
    ctx.globalAlpha = 0.85;
    const sprites = this.sprites && this.sprites.length === n ? this.sprites : null;
    if (sprites) {
      // Crisp pixels: an 8×8 glyph blown up to 14 px should look like its cells, not a blur.
      ctx.imageSmoothingEnabled = false;
      const s = Math.min(4 * this.spriteSize, this.spriteSize * Math.sqrt(this.zoom));
      for (const members of byCategory.values()) {
        for (const i of members) ctx.drawImage(sprites[i], this.screenX(i) - s / 2, this.screenY(i) - s / 2, s, s);
      }
    }
    for (const [c, members] of sprites ? [] : byCategory) {
      ctx.fillStyle = this.colors[c] || fg;
      ctx.beginPath();
      for (const i of members) {
        const x = this.screenX(i);
        const y = this.screenY(i);
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
      }
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    const shown = this.shownPoint() < n ? this.shownPoint() : -1;
    if (this.overlay) {
      ctx.save();
      this.overlay(ctx, this, shown);
      ctx.restore();
    }
    if (shown >= 0) {
      ctx.strokeStyle = fg;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(this.screenX(shown), this.screenY(shown), r + 3, 0, 2 * Math.PI);
      ctx.stroke();
      this.placeTooltip(shown);
    }
    // The view transform, for tests and tools (zoom, then pan in CSS px).
    this.canvas.dataset.view = `${+this.zoom.toFixed(4)},${+this.tx.toFixed(1)},${+this.ty.toFixed(1)}`;
    if (shown !== this.shown) {
      this.shown = shown;
      if (this.onShow) this.onShow(shown);
    }
    if (this.onDraw) this.onDraw(n);
  }

  /** Index of the point nearest to CSS pixel (px, py) within HOVER_PX, or -1. */
  pick(px, py, radius = HOVER_PX) {
    if (!this.fit) return -1;
    const n = this.xy.length / 2;
    let best = -1;
    let bestD = radius * radius;
    for (let i = 0; i < n; i++) {
      if (this.hiddenCategories.has(this.categories[i])) continue;
      const dx = this.screenX(i) - px;
      const dy = this.screenY(i) - py;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  placeTooltip(i) {
    const tip = this.tooltip;
    const url = this.pinned === i && this.link ? this.link(i) : null;
    const key = `${i}|${url}`;
    if (tip.dataset.key !== key) {
      tip.dataset.key = key;
      tip.textContent = this.describe(i);
      if (url) {
        const a = tip.ownerDocument.createElement("a");
        a.href = url;
        a.textContent = "open this paragraph";
        a.className = "scatter-link";
        tip.append(" ", a);
      }
    }
    tip.classList.toggle("scatter-tooltip-pinned", this.pinned === i);
    tip.hidden = false;
    const x = this.screenX(i);
    const y = this.screenY(i);
    // Keep the tooltip inside the plot: flip to the left/top near the right/bottom edges.
    const left = x + 12 + tip.offsetWidth > this.cssWidth ? x - 12 - tip.offsetWidth : x + 12;
    const top = y + 12 + tip.offsetHeight > this.height ? y - 12 - tip.offsetHeight : y + 12;
    tip.style.left = `${Math.max(0, left)}px`;
    tip.style.top = `${Math.max(0, top)}px`;
  }

  hideTooltip() {
    this.tooltip.hidden = true;
    delete this.tooltip.dataset.key;
  }

  /** Pin (or unpin with -1) the tooltip of point i. */
  pin(i) {
    this.pinned = i;
    if (i < 0 && this.hover < 0) this.hideTooltip();
    this.requestDraw();
  }

  localPoint(event) {
    const rect = this.canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  zoomAt(factor, px, py) {
    const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.zoom * factor));
    const ratio = next / this.zoom;
    // Keep the data under (px, py) fixed: p = c + t + k*b  =>  t' = p - c - ratio * (p - c - t).
    const cx = this.cssWidth / 2;
    const cy = this.height / 2;
    this.tx = px - cx - ratio * (px - cx - this.tx);
    this.ty = py - cy - ratio * (py - cy - this.ty);
    this.zoom = next;
    this.requestDraw();
  }

  bindEvents() {
    const canvas = this.canvas;
    let drag = null;
    canvas.addEventListener(
      "wheel",
      (event) => {
        event.preventDefault();
        const p = this.localPoint(event);
        this.zoomAt(Math.exp(-event.deltaY * 0.0015), p.x, p.y);
      },
      { passive: false },
    );
    const touches = new Map(); // pointerId -> {x, y} of fingers on the plot
    let pinch = null;
    const pinchState = () => {
      const [a, b] = [...touches.values()];
      return { d: Math.hypot(a.x - b.x, a.y - b.y) || 1, mx: (a.x + b.x) / 2, my: (a.y + b.y) / 2 };
    };
    canvas.addEventListener("pointerdown", (event) => {
      if (event.pointerType === "touch") {
        touches.set(event.pointerId, this.localPoint(event));
        if (touches.size === 2) {
          pinch = pinchState(); // two fingers: zoom and pan the plot
          drag = null;
        } else {
          drag = { x: event.clientX, y: event.clientY, moved: false, touch: true };
        }
        return;
      }
      if (event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, tx: this.tx, ty: this.ty, moved: false };
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (event.pointerType === "touch") {
        if (!touches.has(event.pointerId)) return;
        touches.set(event.pointerId, this.localPoint(event));
        if (pinch && touches.size === 2) {
          const now = pinchState();
          this.tx += now.mx - pinch.mx;
          this.ty += now.my - pinch.my;
          this.zoomAt(now.d / pinch.d, now.mx, now.my);
          pinch = now;
        } else if (drag && Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) > 8) {
          drag.moved = true; // a scroll, not a tap (the browser scrolls the page)
        }
        return;
      }
      if (drag) {
        const dx = event.clientX - drag.x;
        const dy = event.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        if (drag.moved) {
          this.tx = drag.tx + dx;
          this.ty = drag.ty + dy;
          this.requestDraw();
          return;
        }
      }
      const p = this.localPoint(event);
      const hit = this.pick(p.x, p.y);
      if (hit !== this.hover) {
        this.hover = hit;
        if (hit < 0 && this.pinned < 0) this.hideTooltip();
        canvas.style.cursor = hit >= 0 ? "pointer" : "";
        this.requestDraw();
      }
    });
    const endDrag = (event) => {
      if (event.pointerType === "touch") {
        touches.delete(event.pointerId);
        if (touches.size < 2) pinch = null;
        if (!drag || !drag.touch) return;
        const tap = !drag.moved && event.type === "pointerup";
        drag = null;
        if (tap) {
          const p = this.localPoint(event);
          const hit = this.pick(p.x, p.y, TAP_PX);
          this.pin(hit); // a tap on empty space closes the tooltip
          if (hit >= 0 && this.onClick) this.onClick(hit);
        }
        return;
      }
      if (!drag) return;
      const wasClick = !drag.moved;
      drag = null;
      if (wasClick && event.type === "pointerup") {
        const p = this.localPoint(event);
        const hit = this.pick(p.x, p.y);
        this.pin(hit === this.pinned ? -1 : hit);
        if (hit >= 0 && this.onClick) this.onClick(hit);
      }
    };
    canvas.addEventListener("pointerup", endDrag);
    canvas.addEventListener("pointercancel", endDrag);
    canvas.addEventListener("pointerleave", (event) => {
      if (drag || event.pointerType === "touch") return;
      this.hover = -1;
      if (this.pinned < 0) this.hideTooltip();
      this.requestDraw();
    });
    canvas.addEventListener("dblclick", () => this.resetView());
    canvas.addEventListener("keydown", (event) => {
      const step = 40;
      const handled = {
        "+": () => this.zoomAt(1.25, this.cssWidth / 2, this.height / 2),
        "=": () => this.zoomAt(1.25, this.cssWidth / 2, this.height / 2),
        "-": () => this.zoomAt(0.8, this.cssWidth / 2, this.height / 2),
        "0": () => this.resetView(),
        Escape: () => this.pin(-1),
        ArrowLeft: () => { this.tx += step; this.requestDraw(); },
        ArrowRight: () => { this.tx -= step; this.requestDraw(); },
        ArrowUp: () => { this.ty += step; this.requestDraw(); },
        ArrowDown: () => { this.ty -= step; this.requestDraw(); },
      }[event.key];
      if (handled) {
        event.preventDefault();
        handled();
      }
    });
  }
}
