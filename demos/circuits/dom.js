// Small DOM helpers shared by the views (browser only).

const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an HTML element with attributes and children (strings or nodes). */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "value") node.value = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

/** Create an SVG element with attributes. */
export function svgEl(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/**
 * Let the reader change a number by dragging sideways on `target`
 * (0.01 per pixel, 0.1 with shift) or, when it is focused, with the arrow
 * keys (0.1 per press, 1 with shift).
 */
export function makeScrubbable(target, { get, set }) {
  let drag = null;
  target.classList.add("cc-scrubbable");
  target.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, start: get(), id: e.pointerId };
    target.setPointerCapture?.(e.pointerId);
    e.preventDefault();
  });
  target.addEventListener("pointermove", (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    const perPixel = e.shiftKey ? 0.1 : 0.01;
    const v = drag.start + (e.clientX - drag.x) * perPixel;
    set(Math.round(v * 100) / 100);
  });
  const end = (e) => {
    if (drag && e.pointerId === drag.id) drag = null;
  };
  target.addEventListener("pointerup", end);
  target.addEventListener("pointercancel", end);
  target.addEventListener("keydown", (e) => {
    const dir = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[e.key];
    if (!dir) return;
    e.preventDefault();
    const v = get() + dir * (e.shiftKey ? 1 : 0.1);
    set(Math.round(v * 1e6) / 1e6);
  });
}

/**
 * Size a number field to its text so no value is ever cut (0.99895 stays 0.99895 in full): one
 * `ch` per character (digits are tabular, "." and "-" narrower), plus room for the padding, the
 * border and the spin buttons; never narrower than `min` characters. With `follow` it refits as
 * the reader types; call it again after setting the value in code.
 */
export function fitField(input, min = 6, follow = false) {
  input.style.width = `calc(${Math.max(min, input.value.length + 1)}ch + 2.75rem)`;
  if (follow) input.addEventListener("input", () => fitField(input, min));
}
