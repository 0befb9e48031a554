// Zoom and pan of the image under test: click to zoom in at a point (Shift+click out), drag to pan,
// keys + - 0 and arrows when the viewport has focus. DOM, but small and self-contained.

const MAX_SCALE = 8;
const PAN_STEP = 40;

/** @param {HTMLElement} viewport  @param {HTMLImageElement} image */
export function attachZoom(viewport, image, onChange = () => {}) {
  let scale = 1;
  let x = 0;
  let y = 0;
  let drag = null;

  const apply = () => {
    // Keep the image covering the viewport: never pan past its edges.
    const w = viewport.clientWidth;
    const h = viewport.clientHeight;
    x = Math.min(0, Math.max(w - w * scale, x));
    y = Math.min(0, Math.max(h - h * scale, y));
    image.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
    viewport.classList.toggle("is-zoomed", scale > 1);
    onChange(scale);
  };
  const zoomAt = (factor, px, py) => {
    const next = Math.min(MAX_SCALE, Math.max(1, scale * factor));
    x = px - (px - x) * (next / scale);
    y = py - (py - y) * (next / scale);
    scale = next;
    apply();
  };
  const centre = () => [viewport.clientWidth / 2, viewport.clientHeight / 2];

  // Touch: a tap never zooms (it would trap the page's scrolling under the finger); the zoom buttons
  // do, and once zoomed a drag pans (touch-action: none only while zoomed, see demo.css).
  viewport.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || (event.pointerType === "touch" && scale === 1)) return;
    drag = { startX: event.clientX, startY: event.clientY, x, y, moved: false };
    viewport.setPointerCapture?.(event.pointerId);
  });
  viewport.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.startX;
    const dy = event.clientY - drag.startY;
    if (Math.abs(dx) + Math.abs(dy) > 4) drag.moved = true;
    if (drag.moved && scale > 1) {
      x = drag.x + dx;
      y = drag.y + dy;
      apply();
    }
  });
  viewport.addEventListener("pointerup", (event) => {
    if (!drag) return;
    const wasClick = !drag.moved;
    drag = null;
    if (!wasClick) return;
    const box = viewport.getBoundingClientRect();
    const px = event.clientX - box.left;
    const py = event.clientY - box.top;
    if (event.shiftKey) zoomAt(0.5, px, py);
    else if (scale >= MAX_SCALE) reset();
    else zoomAt(2, px, py);
  });
  viewport.addEventListener("pointercancel", () => { drag = null; });
  viewport.addEventListener("keydown", (event) => {
    const keys = {
      "+": () => zoomAt(1.5, ...centre()),
      "=": () => zoomAt(1.5, ...centre()),
      "-": () => zoomAt(1 / 1.5, ...centre()),
      "0": () => reset(),
      ArrowLeft: () => { x += PAN_STEP; apply(); },
      ArrowRight: () => { x -= PAN_STEP; apply(); },
      ArrowUp: () => { y += PAN_STEP; apply(); },
      ArrowDown: () => { y -= PAN_STEP; apply(); },
    };
    const action = keys[event.key];
    if (action && !event.ctrlKey && !event.metaKey && !event.altKey) {
      action();
      event.preventDefault();
    }
  });

  function reset() {
    scale = 1;
    x = 0;
    y = 0;
    apply();
  }
  return {
    zoomIn: () => zoomAt(1.5, ...centre()),
    zoomOut: () => zoomAt(1 / 1.5, ...centre()),
    reset,
  };
}
