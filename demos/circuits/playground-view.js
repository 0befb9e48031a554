// Classification playground (DOM): a canvas of labelled points, a model
// (SVM or 2-layer ReLU net from models.js) trained by SGD, decision regions
// as a heat map. Reader actions only change `state`; draw() shows it.

import { GUIDE_DATA, makeModel, makeRng, accuracy, loss, train, scoreGrid } from "./models.js";
import { el } from "./dom.js";
import { fmt } from "./format.js";

const BOUNDS = { x0: -4, x1: 4, y0: -4, y1: 4 };
const GRID = 64; // heat-map cells per side; drawn smoothed, so coarse is fine
const ITERS_PER_FRAME = 4;

export function mountPlayground(host, root, { model = "svm", hidden = 3, height = 0 }) {
  const state = {
    kind: model === "net" ? "net" : "svm",
    hidden: Math.max(1, hidden | 0 || 3),
    seed: 1,
    model: null,
    rng: makeRng(7),
    data: GUIDE_DATA.map((p) => ({ ...p })),
    iteration: 0,
    stepSize: 0.01,
    reg: 1, // spring strength; 1 is the guide's rule
    playing: false,
    negative: false, // what a plain click adds
    cursor: { x: 0, y: 0 }, // keyboard cursor, in data coordinates
    cursorOn: false,
  };

  // ---- DOM ------------------------------------------------------------------
  const canvas = el("canvas", {
    class: "pg-canvas", tabindex: "0", role: "img",
    "aria-label": "Training points and decision regions. Click adds a positive point, shift-click a negative one; with the keyboard, arrow keys move a cursor and Enter adds a point.",
  });
  if (height > 0) canvas.style.maxWidth = `${height}px`;
  const stats = el("p", { class: "pg-stats", "aria-live": "polite" });
  const params = el("p", { class: "pg-params" });
  const modelSelect = el("select", { class: "pg-model" }, [
    el("option", { value: "svm" }, ["linear SVM"]),
    el("option", { value: "net" }, ["2-layer ReLU net"]),
  ]);
  modelSelect.value = state.kind;
  const hiddenInput = el("input", { type: "number", class: "pg-hidden", min: "1", max: "32", step: "1", value: String(state.hidden) });
  const hiddenLabel = el("label", { class: "pg-hidden-label" }, ["hidden units ", hiddenInput]);
  const stepInput = el("input", { type: "number", class: "pg-stepsize", min: "0", step: "0.01", value: "0.01" });
  const regInput = el("input", { type: "number", class: "pg-reg", min: "0", step: "0.1", value: "1" });
  const stepBtn = el("button", { type: "button", class: "pg-step" }, ["Step ×25"]);
  const playBtn = el("button", { type: "button", class: "pg-play", "aria-pressed": "false" }, ["Play"]);
  const resetBtn = el("button", { type: "button", class: "pg-reset" }, ["Reset model"]);
  const negToggle = el("input", { type: "checkbox", class: "pg-negative" });
  const clearBtn = el("button", { type: "button", class: "pg-clear" }, ["Clear points"]);
  const guideBtn = el("button", { type: "button", class: "pg-guide" }, ["Guide's data"]);
  const view = el("div", { class: "pg" }, [
    el("div", { class: "pg-stage" }, [canvas]),
    el("div", { class: "pg-side" }, [
      stats, params,
      el("div", { class: "pg-controls" }, [
        el("label", {}, ["model ", modelSelect]), hiddenLabel,
        el("label", {}, ["step size ", stepInput]),
        el("label", { title: "regularization: the pull of each weight towards zero, in proportion to its size" }, ["spring ", regInput]),
      ]),
      el("div", { class: "pg-controls" }, [stepBtn, playBtn, resetBtn]),
      el("div", { class: "pg-controls" }, [
        el("label", {}, [negToggle, " clicks add negative points"]), clearBtn, guideBtn,
      ]),
      el("p", { class: "pg-legend" }, [
        el("span", { class: "pg-key pg-key-pos" }, ["positive (+1)"]), " ",
        el("span", { class: "pg-key pg-key-neg" }, ["negative (−1)"]),
        " Click: positive point; shift-click: negative.",
      ]),
    ]),
  ]);
  host.append(view);

  // ---- model ----------------------------------------------------------------
  function resetModel() {
    state.model = makeModel(state.kind, { hidden: state.hidden, seed: state.seed, reg: state.reg });
    state.iteration = 0;
    hiddenLabel.hidden = state.kind !== "net";
    draw();
  }

  function trainSome(n) {
    train(state.model, state.data, n, state.rng, state.stepSize);
    if (state.data.length) state.iteration += n;
  }

  // ---- drawing --------------------------------------------------------------
  const heat = document.createElement("canvas");
  heat.width = GRID;
  heat.height = GRID;

  function colors() {
    const cs = getComputedStyle(view);
    const get = (name, fallback) => cs.getPropertyValue(name).trim() || fallback;
    return {
      pos: get("--pg-pos", "#2b6cb0"), neg: get("--pg-neg", "#c05621"),
      posRgb: rgb(get("--pg-pos-rgb", "43,108,176")), negRgb: rgb(get("--pg-neg-rgb", "192,86,33")),
      axis: get("--pg-axis", "rgba(0,0,0,0.25)"), stroke: get("--pg-stroke", "#fff"),
    };
  }

  function draw() {
    const size = Math.max(120, Math.round(canvas.clientWidth || 320));
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(size * dpr)) {
      canvas.width = Math.round(size * dpr);
      canvas.height = Math.round(size * dpr);
    }
    const ctx = canvas.getContext("2d");
    const c = colors();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);

    // Heat map: colour by the sign of the score, opacity by its size.
    const grid = scoreGrid(state.model, BOUNDS, GRID, GRID);
    const hctx = heat.getContext("2d");
    const img = hctx.createImageData(GRID, GRID);
    for (let k = 0; k < grid.length; k++) {
      const s = grid[k];
      const [r, g, b] = s > 0 ? c.posRgb : c.negRgb;
      img.data.set([r, g, b, Math.round(40 + 120 * Math.tanh(Math.abs(s)))], 4 * k);
    }
    hctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(heat, 0, 0, canvas.width, canvas.height);

    ctx.scale(dpr, dpr);
    const toPx = (x, y) => [((x - BOUNDS.x0) / (BOUNDS.x1 - BOUNDS.x0)) * size, ((BOUNDS.y1 - y) / (BOUNDS.y1 - BOUNDS.y0)) * size];
    ctx.strokeStyle = c.axis;
    ctx.lineWidth = 1;
    const [ox, oy] = toPx(0, 0);
    ctx.beginPath();
    ctx.moveTo(0, oy); ctx.lineTo(size, oy); ctx.moveTo(ox, 0); ctx.lineTo(ox, size);
    ctx.stroke();

    for (const p of state.data) {
      const [px, py] = toPx(p.x, p.y);
      ctx.beginPath();
      if (p.label === 1) ctx.arc(px, py, 6, 0, 2 * Math.PI);
      else ctx.rect(px - 5.5, py - 5.5, 11, 11); // shape as well as colour tells the classes apart
      ctx.fillStyle = p.label === 1 ? c.pos : c.neg;
      ctx.fill();
      ctx.lineWidth = 2;
      ctx.strokeStyle = c.stroke;
      ctx.stroke();
    }
    if (state.cursorOn) {
      const [px, py] = toPx(state.cursor.x, state.cursor.y);
      ctx.strokeStyle = c.axis.replace(/[\d.]+\)$/, "0.9)");
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(px - 9, py); ctx.lineTo(px + 9, py); ctx.moveTo(px, py - 9); ctx.lineTo(px, py + 9);
      ctx.stroke();
    }

    const acc = accuracy(state.model, state.data);
    const l = loss(state.model, state.data);
    root.dataset.accuracy = String(acc);
    root.dataset.loss = String(l);
    root.dataset.iteration = String(state.iteration);
    stats.textContent = `iteration ${state.iteration} · training accuracy ${Math.round(acc * 1000) / 10}% · loss ${fmt(l)} · ${state.data.length} points`;
    params.textContent = state.model.describe();
  }

  // ---- reader actions ---------------------------------------------------------
  function addPoint(x, y, negative) {
    state.data.push({ x: round2(x), y: round2(y), label: negative ? -1 : 1 });
    draw();
  }

  canvas.addEventListener("click", (e) => {
    const rect = canvas.getBoundingClientRect();
    const x = BOUNDS.x0 + ((e.clientX - rect.left) / rect.width) * (BOUNDS.x1 - BOUNDS.x0);
    const y = BOUNDS.y1 - ((e.clientY - rect.top) / rect.height) * (BOUNDS.y1 - BOUNDS.y0);
    addPoint(x, y, state.negative !== e.shiftKey);
  });
  canvas.addEventListener("keydown", (e) => {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    if (moves[e.key]) {
      e.preventDefault();
      const d = e.shiftKey ? 1 : 0.25;
      state.cursorOn = true;
      state.cursor.x = clamp(state.cursor.x + moves[e.key][0] * d, BOUNDS.x0, BOUNDS.x1);
      state.cursor.y = clamp(state.cursor.y + moves[e.key][1] * d, BOUNDS.y0, BOUNDS.y1);
      draw();
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      state.cursorOn = true;
      addPoint(state.cursor.x, state.cursor.y, state.negative !== e.shiftKey);
    }
  });
  canvas.addEventListener("blur", () => { state.cursorOn = false; draw(); });

  modelSelect.addEventListener("change", () => { state.kind = modelSelect.value; resetModel(); });
  hiddenInput.addEventListener("change", () => {
    const h = Math.round(hiddenInput.valueAsNumber);
    if (h >= 1 && h <= 32) { state.hidden = h; resetModel(); }
  });
  stepInput.addEventListener("input", () => {
    if (Number.isFinite(stepInput.valueAsNumber) && stepInput.valueAsNumber >= 0) state.stepSize = stepInput.valueAsNumber;
  });
  regInput.addEventListener("input", () => {
    const v = regInput.valueAsNumber;
    if (Number.isFinite(v) && v >= 0) { state.reg = v; state.model.reg = v; draw(); }
  });
  stepBtn.addEventListener("click", () => { trainSome(25); draw(); });
  resetBtn.addEventListener("click", () => {
    state.seed += 1; // a fresh random start for the net (the SVM always starts at a=1, b=-2, c=-1)
    resetModel();
  });
  negToggle.addEventListener("change", () => { state.negative = negToggle.checked; });
  clearBtn.addEventListener("click", () => { state.data = []; draw(); });
  guideBtn.addEventListener("click", () => { state.data = GUIDE_DATA.map((p) => ({ ...p })); draw(); });

  let frame = 0;
  function tick() {
    if (!state.playing) return;
    if (!root.isConnected) { state.playing = false; return; }
    trainSome(ITERS_PER_FRAME);
    draw();
    frame = requestAnimationFrame(tick);
  }
  playBtn.addEventListener("click", () => {
    state.playing = !state.playing;
    playBtn.textContent = state.playing ? "Pause" : "Play";
    playBtn.setAttribute("aria-pressed", String(state.playing));
    if (state.playing) frame = requestAnimationFrame(tick);
    else cancelAnimationFrame(frame);
  });

  const resize = typeof ResizeObserver === "function" ? new ResizeObserver(() => draw()) : null;
  resize?.observe(canvas);
  resetModel();

  return {
    destroy() {
      state.playing = false;
      cancelAnimationFrame(frame);
      resize?.disconnect();
      view.remove();
    },
  };
}

const round2 = (v) => Math.round(v * 100) / 100;
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const rgb = (s) => s.split(",").map((t) => Number(t.trim()));
