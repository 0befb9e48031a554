// Classification playground (DOM): a canvas of labelled points, a model
// (SVM or 2-layer ReLU net from models.js) trained by SGD, decision regions
// as a heat map. Reader actions only change `state`; draw() shows it.

import {
  GUIDE_DATA, GUIDE_REG, NET_DEFAULT_REG, PROCEDURES, makeModel, makeRng, makeTrainer, orderSeed,
  accuracy, loss, scoreGrid,
} from "./models.js";
import { MEASURED } from "./measured.js";
import { el, fitField } from "./dom.js";
import { fmt } from "./format.js";

// The guide's printed log (accuracy every 25 iterations), drawn over the curve for comparison.
const GUIDE_LOG = [1 / 3, 1 / 3, 0.5, 0.5, 1 / 3, 0.5, 0.5, 0.5, 0.5, 2 / 3, 2 / 3, 5 / 6, 1, 1, 1, 1];
const HISTORY_MAX = 20000; // accuracy/loss per iteration kept for the curve
const PICK_PX = 9; // how close a click must be to a point to inspect it instead of adding one
const TOUCH_PICK_PX = 22; // a fingertip's reach: half a 44 px touch target

const BOUNDS = { x0: -4, x1: 4, y0: -4, y1: 4 };
const GRID = 64; // heat-map cells per side; drawn smoothed, so coarse is fine
const ITERS_PER_FRAME = 4;

const defaultReg = (kind) => (kind === "net" ? NET_DEFAULT_REG : GUIDE_REG);

export function mountPlayground(host, root, { model = "svm", hidden = 3, height = 0, procedure = "guide" }) {
  const kind = model === "net" ? "net" : "svm";
  const state = {
    kind,
    hidden: Math.max(1, hidden | 0 || 3),
    procedure: procedure in PROCEDURES ? procedure : "guide",
    run: 1, // run #k: start seed k, point order orderSeed(k), as in measure.js
    model: null,
    trainer: null,
    data: GUIDE_DATA.map((p) => ({ ...p })),
    iteration: 0,
    history: [], // {acc, loss} after each iteration (index 0 = the start)
    stepSize: 0.01,
    // Spring strength: the guide's 1 for the SVM; 0.1 for the net, which barely learns at 1.
    reg: defaultReg(kind),
    inspect: -1, // index of the point whose circuit is shown
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
  const regInput = el("input", { type: "number", class: "pg-reg", min: "0", step: "0.1", value: String(state.reg) });
  for (const field of [hiddenInput, stepInput, regInput]) fitField(field, 6, true);
  const guideRegBtn = el("button", { type: "button", class: "pg-guide-reg" }, ["guide's spring (1)"]);
  const procSelect = el("select", { class: "pg-procedure" },
    Object.entries(PROCEDURES).map(([value, text]) => el("option", { value }, [text])));
  procSelect.value = state.procedure;
  const stepBtn = el("button", { type: "button", class: "pg-step" }, ["Step ×25"]);
  const playBtn = el("button", { type: "button", class: "pg-play", "aria-pressed": "false" }, ["Play"]);
  const againBtn = el("button", { type: "button", class: "pg-again", title: "a new random order of the points (and, for the net, a new random start), from the beginning" }, ["Run again"]);
  const resetBtn = el("button", { type: "button", class: "pg-reset", title: "back to iteration 0 of this run" }, ["Reset"]);
  const curve = el("canvas", { class: "pg-curve", role: "img", "aria-label": "Training accuracy (solid) and loss (dashed) by iteration" });
  const curveCaption = el("p", { class: "pg-curve-caption" });
  const note = el("aside", { class: "pg-note", role: "note" });
  const inspector = el("div", { class: "pg-inspect", "aria-live": "polite" });
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
        guideRegBtn,
        el("label", {}, ["procedure ", procSelect]),
      ]),
      el("div", { class: "pg-controls" }, [stepBtn, playBtn, againBtn, resetBtn]),
      curve, curveCaption,
      el("div", { class: "pg-controls" }, [
        el("label", {}, [negToggle, " clicks add negative points"]), clearBtn, guideBtn,
      ]),
      el("p", { class: "pg-legend" }, [
        el("span", { class: "pg-key pg-key-pos" }, ["positive (+1)"]), " ",
        el("span", { class: "pg-key pg-key-neg" }, ["negative (−1)"]),
        " Click: positive point; shift-click: negative; click a point to see its circuit.",
      ]),
      inspector,
    ]),
    note,
  ]);
  host.append(view);

  // ---- model ----------------------------------------------------------------
  function resetModel() {
    state.model = makeModel(state.kind, { hidden: state.hidden, seed: state.run, reg: state.reg });
    state.iteration = 0;
    state.history = [];
    newTrainer(makeRng(orderSeed(state.run)));
    hiddenLabel.hidden = state.kind !== "net";
    root.dataset.run = String(state.run);
    root.dataset.procedure = state.procedure;
    root.dataset.reg = String(state.reg);
    drawNote();
    draw();
  }

  // A new trainer keeps the run's random stream going (data, procedure or step size changed).
  function newTrainer(rng = state.trainer?.rng) {
    state.trainer = makeTrainer(state.model, state.data, state.procedure, rng, state.stepSize);
    state.trainer.rng = rng;
  }

  function record() {
    if (state.history.length >= HISTORY_MAX) return;
    state.history.push({ acc: accuracy(state.model, state.data), loss: loss(state.model, state.data) });
  }

  function trainSome(n) {
    if (!state.data.length) return;
    if (state.history.length === 0) record();
    for (let k = 0; k < n; k++) {
      state.trainer.next();
      state.iteration += 1;
      record();
    }
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
      fg: get("--cc-fg", "#1a202c"), grad: get("--cc-grad", "#c53030"), muted: get("--cc-muted", "#5a6474"),
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

    drawLines(ctx, toPx, size, c);

    state.data.forEach((p, i) => {
      const [px, py] = toPx(p.x, p.y);
      ctx.beginPath();
      if (p.label === 1) ctx.arc(px, py, 6, 0, 2 * Math.PI);
      else ctx.rect(px - 5.5, py - 5.5, 11, 11); // shape as well as colour tells the classes apart
      ctx.fillStyle = p.label === 1 ? c.pos : c.neg;
      ctx.fill();
      ctx.lineWidth = 2;
      ctx.strokeStyle = c.stroke;
      ctx.stroke();
      if (i === state.inspect) {
        ctx.beginPath();
        ctx.arc(px, py, 11, 0, 2 * Math.PI);
        ctx.strokeStyle = c.fg;
        ctx.stroke();
      }
    });
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
    root.dataset.inspect = String(state.inspect);
    stats.textContent = `run #${state.run} · iteration ${state.iteration} · training accuracy ${Math.round(acc * 1000) / 10}% · loss ${fmt(l)} · ${state.data.length} points`;
    params.textContent = state.model.describe();
    drawCurve(c);
    drawInspector();
  }

  /** SVM: the decision line (score 0) and the margins (score ±1). Net: each hidden unit's line. */
  function drawLines(ctx, toPx, size, c) {
    const line = (a, b, cst, dash, color) => {
      // a x + b y + cst = 0, clipped to the bounds
      const pts = [];
      if (Math.abs(b) > 1e-9) for (const x of [BOUNDS.x0, BOUNDS.x1]) pts.push([x, -(a * x + cst) / b]);
      else if (Math.abs(a) > 1e-9) for (const y of [BOUNDS.y0, BOUNDS.y1]) pts.push([-cst / a, y]);
      if (pts.length < 2) return;
      ctx.save();
      ctx.setLineDash(dash);
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.3;
      ctx.beginPath();
      ctx.moveTo(...toPx(...pts[0]));
      ctx.lineTo(...toPx(...pts[1]));
      ctx.stroke();
      ctx.restore();
    };
    const m = state.model;
    if (m.kind === "svm") {
      line(m.a, m.b, m.c, [], c.fg);
      line(m.a, m.b, m.c - 1, [5, 4], c.muted);
      line(m.a, m.b, m.c + 1, [5, 4], c.muted);
    } else {
      for (const u of m.units) line(u.a, u.b, u.c, [2, 3], c.muted);
    }
  }

  function drawCurve(c) {
    const w = Math.max(160, Math.round(curve.clientWidth || 260));
    const h = 90;
    const dpr = window.devicePixelRatio || 1;
    if (curve.width !== Math.round(w * dpr)) curve.width = Math.round(w * dpr);
    curve.height = Math.round(h * dpr);
    const ctx = curve.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const hist = state.history;
    const showGuide = state.kind === "svm" && isGuideData();
    const span = Math.max(400, hist.length - 1);
    const X = (k) => 4 + (k / span) * (w - 8);
    const Y = (v) => h - 6 - v * (h - 12);
    ctx.strokeStyle = c.axis;
    ctx.beginPath(); ctx.moveTo(0, Y(1)); ctx.lineTo(w, Y(1)); ctx.moveTo(0, Y(0)); ctx.lineTo(w, Y(0)); ctx.stroke();
    if (hist.length > 1) {
      const maxLoss = Math.max(...hist.map((e) => e.loss), 1e-9);
      for (const [key, dash, color, scale] of [["acc", [], c.pos, 1], ["loss", [4, 3], c.grad, 1 / maxLoss]]) {
        ctx.save();
        ctx.setLineDash(dash);
        ctx.strokeStyle = color;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        const every = Math.max(1, Math.floor(hist.length / w));
        for (let k = 0; k < hist.length; k += every) {
          const v = hist[k][key] * scale;
          if (k === 0) ctx.moveTo(X(k), Y(v)); else ctx.lineTo(X(k), Y(v));
        }
        ctx.stroke();
        ctx.restore();
      }
    }
    if (showGuide) {
      ctx.strokeStyle = c.fg;
      GUIDE_LOG.forEach((v, i) => {
        ctx.beginPath();
        ctx.arc(X(i * 25 + 1), Y(v), 2.5, 0, 2 * Math.PI);
        ctx.stroke();
      });
    }
    curveCaption.textContent = "accuracy (solid, 0–100 %) and loss (dashed, scaled) by iteration" +
      (showGuide ? "; circles: the guide's printed log" : "");
  }

  function isGuideData() {
    return state.data.length === GUIDE_DATA.length &&
      state.data.every((p, i) => p.x === GUIDE_DATA[i].x && p.y === GUIDE_DATA[i].y && p.label === GUIDE_DATA[i].label);
  }

  /** The editor's note: what the playground does differently from the guide's text, measured. */
  function drawNote() {
    const g = MEASURED.guide, p = MEASURED.passes, nd = MEASURED.netDefault, ng = MEASURED.netGuide;
    const pc = (f) => `${Math.round(f * 1000) / 10} %`;
    const head = el("strong", {}, ["Editor's note. "]);
    if (state.kind === "svm") {
      note.replaceChildren(head,
        `The guide's printed log (33 % → 100 % by iteration 300) cannot be reproduced from its code: `,
        `its start a = 1, b = −2, c = −1 already scores 66.7 % on its data, and its loop picks points at random. `,
        `Over ${g.runs.toLocaleString("en")} seeded runs of the guide's exact procedure, ${pc(g.withinLimit)} reach 100 % within ${g.limit} iterations; `,
        `the median run first reaches it at iteration ${g.median} (10th–90th percentile ${g.p10}–${g.p90}), and accuracy keeps flickering after `,
        `(${pc(g.settled)} of runs stay at 100 %). The reliable variant (shuffled passes, springs once per pass) reaches 100 % in `,
        `${pc(p.withinLimit)} of runs within ${p.limit} iterations (median ${p.median}) and stays there. `,
        `Run again replays the guide's loop with another seed; run #k here is run #k of the measurement `,
        "(node demos/circuits/measure.mjs).");
    } else {
      note.replaceChildren(head,
        `The guide's code pulls every multiplicative weight towards zero with spring strength 1. On the guide's data that holds the net back: `,
        `${pc(ng.withinLimit)} of ${ng.runs.toLocaleString("en")} random starts reach 100 % within ${ng.limit} iterations (median ${ng.median}) and ${ng.settled === 0 ? "none" : pc(ng.settled)} stay${ng.settled === 0 ? "s" : ""} there. `,
        `This playground starts at spring ${NET_DEFAULT_REG}, where ${pc(nd.withinLimit)} reach 100 % within ${nd.limit} iterations (median ${nd.median}). `,
        `The "guide's spring (1)" button restores the guide's setting.`);
    }
  }

  /** The circuit of the inspected point: a·x + b·y + c forward, the pull, and the gradients back. */
  function drawInspector() {
    const p = state.data[state.inspect];
    if (!p) { inspector.replaceChildren(); return; }
    const m = state.model;
    const title = el("p", { class: "pg-inspect-title" }, [
      `Point (${fmt(p.x)}, ${fmt(p.y)}), label ${p.label > 0 ? "+1" : "−1"}`,
    ]);
    const close = el("button", { type: "button", class: "pg-inspect-close" }, ["close"]);
    close.addEventListener("click", () => { state.inspect = -1; draw(); });
    let lines;
    if (m.kind === "svm") {
      const pass = m.circuitPass(p.x, p.y, p.label);
      const g = pass.inputGrads;
      lines = [
        `forward:  a·x + b·y + c = ${fmt(m.a)}·${fmt(p.x)} + ${fmt(m.b)}·${fmt(p.y)} + ${fmt(m.c)} = ${fmt(pass.output)}`,
        `pull:     ${pass.pull === 0 ? "0 (outside the margin: no pull)" : pass.pull > 0 ? "+1 (score below 1: pull up)" : "−1 (score above −1: pull down)"}`,
        `backward: ∂/∂a = x·pull = ${fmt(g.a)}, ∂/∂b = y·pull = ${fmt(g.b)}, ∂/∂c = pull = ${fmt(g.c)}`,
        `springs:  −${fmt(m.reg)}·a = ${fmt(-m.reg * m.a)}, −${fmt(m.reg)}·b = ${fmt(-m.reg * m.b)}`,
      ];
    } else {
      const { n, score } = m.forward(p.x, p.y);
      lines = [
        ...m.units.map((u, i) => `n${i + 1} = max(0, ${fmt(u.a)}·x + ${fmt(u.b)}·y + ${fmt(u.c)}) = ${fmt(n[i])}`),
        `score = Σ w·n + d = ${fmt(score)}; pull ${p.label * score < 1 ? (p.label > 0 ? "+1" : "−1") : "0"}`,
      ];
    }
    inspector.replaceChildren(title, el("pre", {}, [lines.join("\n")]), close);
  }

  // ---- reader actions ---------------------------------------------------------
  function addPoint(x, y, negative) {
    state.data.push({ x: round2(x), y: round2(y), label: negative ? -1 : 1 });
    newTrainer();
    draw();
  }

  // A tap picks a point from further away than a mouse click; the pointer type of the press
  // tells them apart (click events carry it too, but not in every browser).
  let pressedWith = "mouse";
  canvas.addEventListener("pointerdown", (e) => { pressedWith = e.pointerType || "mouse"; });
  canvas.addEventListener("click", (e) => {
    const rect = canvas.getBoundingClientRect();
    const x = BOUNDS.x0 + ((e.clientX - rect.left) / rect.width) * (BOUNDS.x1 - BOUNDS.x0);
    const y = BOUNDS.y1 - ((e.clientY - rect.top) / rect.height) * (BOUNDS.y1 - BOUNDS.y0);
    const perPx = (BOUNDS.x1 - BOUNDS.x0) / rect.width;
    const touch = (e.pointerType || pressedWith) === "touch";
    const reach = (touch ? TOUCH_PICK_PX : PICK_PX) * perPx;
    let hit = -1;
    state.data.forEach((p, i) => {
      const d = Math.hypot(p.x - x, p.y - y);
      if (d <= reach && (hit < 0 || d < Math.hypot(state.data[hit].x - x, state.data[hit].y - y))) hit = i;
    });
    if (hit >= 0 && !e.shiftKey) {
      state.inspect = state.inspect === hit ? -1 : hit;
      draw();
      // On a phone the circuit appears below the canvas and controls: bring it into view.
      if (touch && state.inspect >= 0) inspector.scrollIntoView?.({ block: "nearest" });
      return;
    }
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

  modelSelect.addEventListener("change", () => {
    state.kind = modelSelect.value;
    state.reg = defaultReg(state.kind);
    regInput.value = String(state.reg);
    fitField(regInput, 6);
    resetModel();
  });
  procSelect.addEventListener("change", () => { state.procedure = procSelect.value; resetModel(); });
  guideRegBtn.addEventListener("click", () => {
    state.reg = GUIDE_REG;
    regInput.value = String(GUIDE_REG);
    fitField(regInput, 6);
    resetModel();
  });
  hiddenInput.addEventListener("change", () => {
    const h = Math.round(hiddenInput.valueAsNumber);
    if (h >= 1 && h <= 32) { state.hidden = h; resetModel(); }
  });
  stepInput.addEventListener("input", () => {
    if (Number.isFinite(stepInput.valueAsNumber) && stepInput.valueAsNumber >= 0) {
      state.stepSize = stepInput.valueAsNumber;
      newTrainer();
    }
  });
  regInput.addEventListener("input", () => {
    const v = regInput.valueAsNumber;
    if (Number.isFinite(v) && v >= 0) { state.reg = v; state.model.reg = v; root.dataset.reg = String(v); draw(); }
  });
  stepBtn.addEventListener("click", () => { trainSome(25); draw(); });
  resetBtn.addEventListener("click", () => resetModel());
  againBtn.addEventListener("click", () => {
    state.run += 1; // a new order of the points (and a new random start for the net)
    resetModel();
    if (!state.playing) playBtn.click();
  });
  negToggle.addEventListener("change", () => { state.negative = negToggle.checked; });
  const setData = (data) => {
    state.data = data;
    state.inspect = -1;
    newTrainer();
    draw();
  };
  clearBtn.addEventListener("click", () => setData([]));
  guideBtn.addEventListener("click", () => setData(GUIDE_DATA.map((p) => ({ ...p }))));

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
  // colors() reads the CSS variables at draw time; redraw when the system scheme or the site's
  // dark-mode toggle (data-theme on <html>) changes them.
  const scheme = window.matchMedia?.("(prefers-color-scheme: dark)");
  scheme?.addEventListener("change", draw);
  const theme = new MutationObserver(() => draw());
  theme.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  resetModel();

  return {
    destroy() {
      state.playing = false;
      cancelAnimationFrame(frame);
      resize?.disconnect();
      scheme?.removeEventListener("change", draw);
      theme.disconnect();
      view.remove();
    },
  };
}

const round2 = (v) => Math.round(v * 100) / 100;
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const rgb = (s) => s.split(",").map((t) => Number(t.trim()));
