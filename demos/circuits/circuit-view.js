// Circuit view (DOM): SVG drawing of a circuit, input fields, backward/step
// controls, numerical-gradient check. All math comes from engine.js; this
// file only renders state and turns reader actions into new state.

import { run, numericalGradient, step, gateSymbol, inputNames, backwardSteps, forks, firstNonFinite, GATES } from "./engine.js";
import { compile, ParseError } from "./parser.js";
import { layout } from "./layout.js";
import { fmt, fmtDelta, fmtLong } from "./format.js";
import { PRESETS, parseValues, initialValues } from "./presets.js";
import { el, svgEl, makeScrubbable, fitField } from "./dom.js";

const GATE_NAMES = {
  add: "add gate", mul: "multiply gate", max: "max gate", neg: "negation gate",
  sigmoid: "sigmoid gate", relu: "ReLU gate", inv: "1/x gate", exp: "exp gate", pow: "power gate",
};

/**
 * Mount one circuit into `host`. `circuit` is a PRESETS key; for
 * "expression" the reader can edit the text. Returns { destroy }.
 */
export function mountCircuit(host, root, { circuit, values, expression, height }) {
  const preset = PRESETS[circuit] ?? PRESETS.expression;
  const free = circuit === "expression";
  const given = parseValues(values || preset.values);
  const state = {
    text: free ? expression || preset.expression : preset.expression,
    graph: null,
    inputs: {},
    showGrads: false,
    stepSize: 0.01,
    h: 0.0001,
    lastStep: null, // {before, after} of the last Step, for the "rose by" line
    pull: 1, // the gradient put on the output before backprop (the guide's +1)
    stepping: -1, // backprop one gate at a time: index of the last gate step shown (-1: off)
  };
  const start = { ...given.values };

  // ---- static DOM -------------------------------------------------------
  const exprInput = el("input", {
    type: "text", class: "cc-expr-input", spellcheck: "false", autocomplete: "off",
    value: state.text,
  });
  const exprError = el("div", { class: "cc-error", role: "alert" });
  const exprBox = free
    ? el("div", { class: "cc-expr" }, [
        el("label", {}, ["Expression ", exprInput]),
        el("p", { class: "cc-hint" }, [
          "Gates: + − * / ^ (numbers), max(a,b), sigmoid(…), relu(…), exp(…). ",
          "A name used twice is one wire that fans out.",
        ]),
        exprError,
      ])
    : null;

  const svg = svgEl("svg", { class: "cc-svg", role: "group" });
  const figure = el("figure", { class: "cc-figure" }, [svg]);
  // Shown only while the drawing is wider than the embed (phones): it scrolls sideways.
  const scrollHint = el("p", { class: "cc-scroll-hint", hidden: "" }, ["Scroll the drawing sideways to see the whole circuit →"]);
  if (height > 0) svg.style.maxHeight = `${height}px`;
  const legend = el("div", { class: "cc-legend", "aria-hidden": "true" }, [
    el("span", { class: "cc-key cc-key-val" }, ["value (forward)"]),
    el("span", { class: "cc-key cc-key-grad" }, ["gradient (backward)"]),
  ]);
  const outputLine = el("p", { class: "cc-output", "aria-live": "polite" });
  const tbody = el("tbody");
  const table = el("table", { class: "cc-inputs" }, [
    el("thead", {}, [el("tr", {}, [
      el("th", { scope: "col" }, ["input"]),
      el("th", { scope: "col" }, ["value"]),
      el("th", { scope: "col", class: "cc-col-grad" }, ["gradient (backprop)"]),
      el("th", { scope: "col", class: "cc-col-num" }, ["numerical"]),
    ])]),
    tbody,
  ]);
  const backwardBtn = el("button", { type: "button", class: "cc-backward", "aria-pressed": "false" }, ["Backward"]);
  const stepBtn = el("button", { type: "button", class: "cc-step" }, ["Step"]);
  const bstepBtn = el("button", { type: "button", class: "cc-bstep", title: "backprop one gate at a time, from the output back" }, ["Backprop one gate"]);
  const pullInput = el("input", { type: "number", class: "cc-pull", step: "0.5", value: "1", "aria-label": "pull on the output" });
  const explain = el("div", { class: "cc-explain", "aria-live": "polite" });
  const warning = el("p", { class: "cc-warning", role: "alert" });
  const tieNote = el("p", { class: "cc-note cc-tie" });
  const roundNote = el("p", { class: "cc-note cc-round" });
  const resetBtn = el("button", { type: "button", class: "cc-reset" }, ["Reset"]);
  const stepInput = el("input", { type: "number", class: "cc-stepsize", step: "0.01", min: "0", value: "0.01" });
  const hInput = el("input", { type: "number", class: "cc-h", step: "0.0001", min: "0", value: "0.0001" });
  const controls = el("div", { class: "cc-controls" }, [
    backwardBtn, bstepBtn,
    el("label", { title: "the gradient put on the output wire before backprop (the guide pulls with +1)" }, ["pull on f ", pullInput]),
    stepBtn,
    el("label", {}, ["step size ", stepInput]),
    el("label", {}, ["h ", hInput]),
    resetBtn,
  ]);
  for (const field of [pullInput, stepInput, hInput]) fitField(field, 6, true);
  const tableWrap = el("div", { class: "cc-table-wrap" }, [table]);
  const view = el("div", { class: "cc" }, [exprBox, scrollHint, figure, legend, outputLine, roundNote, warning, controls, explain, tieNote, tableWrap].filter(Boolean));
  host.append(view);

  // ---- per-graph DOM (rebuilt when the expression changes) ---------------
  let labels = []; // {edge, valText, gradText} for every wire incl. output
  let forkTexts = []; // {id, text}: the sum of the branch gradients at a fork
  let rows = {}; // name -> {input, grad, num, tag}

  function setGraph(graph) {
    state.graph = graph;
    const names = inputNames(graph);
    const kept = {};
    for (const n of names) if (n in state.inputs) kept[n] = state.inputs[n];
    state.inputs = initialValues(names, { ...start, ...kept });
    state.lastStep = null;
    state.stepping = -1;
    drawSvg();
    buildRows(names);
    update();
    updateScrollHint();
  }

  function drawSvg() {
    const { graph } = state;
    const lay = layout(graph);
    svg.replaceChildren();
    svg.setAttribute("viewBox", `0 0 ${lay.width} ${lay.height}`);
    svg.setAttribute("width", String(lay.width));
    svg.setAttribute("aria-label", `Circuit computing ${state.text}`);
    svg.style.aspectRatio = `${lay.width} / ${lay.height}`;
    // Scale down on narrow screens, but never blow a two-gate circuit up.
    svg.style.maxWidth = `${Math.round(lay.width * 1.15)}px`;
    // Never shrink: at scale 1 the smallest label (12 px in demo.css) renders at 12 px and an input
    // tag's touch area at 44 px. A circuit wider than the embed (phones) scrolls sideways instead,
    // with a hint that says so (updateScrollHint).
    svg.style.minWidth = `${Math.ceil(lay.width * MIN_SCALE)}px`;
    const wires = svgEl("g", { class: "cc-wires" });
    const nodesG = svgEl("g", { class: "cc-nodes" });
    const labelsG = svgEl("g", { class: "cc-labels" });
    svg.append(wires, nodesG, labelsG);
    labels = [];
    for (const edge of [...lay.edges, lay.out]) {
      wires.append(svgEl("path", { d: edge.path, class: edge.to === null ? "cc-wire cc-wire-out" : "cc-wire" }));
      const valText = svgEl("text", { class: "cc-val", "text-anchor": "end" });
      const gradText = svgEl("text", { class: "cc-grad", "text-anchor": "end" });
      const [vy, gy] = labelOffsets(edge.side);
      valText.setAttribute("x", edge.labelX); valText.setAttribute("y", edge.labelY + vy);
      gradText.setAttribute("x", edge.labelX); gradText.setAttribute("y", edge.labelY + gy);
      labelsG.append(valText, gradText);
      labels.push({ edge, valText, gradText });
    }
    const outLabel = svgEl("text", { class: "cc-out-name", x: lay.out.x2 + 2, y: lay.out.y2 + 4 });
    outLabel.textContent = "f";
    labelsG.append(outLabel);

    for (const pos of lay.nodes) {
      const node = graph.nodes[pos.id];
      if (pos.kind === "gate") {
        const g = svgEl("g", { class: `cc-gate cc-gate-${node.op}`, transform: `translate(${pos.x},${pos.y})`, "data-id": pos.id });
        const title = svgEl("title");
        title.textContent = `${GATE_NAMES[node.op]}: ${node.expr ?? ""}`;
        const sym = gateSymbol(node);
        g.append(title, svgEl("circle", { r: 20 }), textEl(sym, sym.length > 2 ? "cc-sym cc-sym-small" : "cc-sym"));
        nodesG.append(g);
      } else {
        const label = pos.kind === "input" ? node.name : fmt(node.value);
        const w = Math.max(30, 9 * label.length + 12);
        const g = svgEl("g", { class: `cc-leaf cc-leaf-${pos.kind}`, transform: `translate(${pos.x},${pos.y})` });
        g.append(svgEl("rect", { class: "cc-leaf-box", x: 17 - w, y: -12, width: w, height: 24, rx: 5 }), textEl(label, "cc-leaf-name", 17 - w / 2));
        if (pos.kind === "input") {
          // The drawn tag is 24 px tall; an invisible 44 × 44 area around it is what a finger
          // grabs (leaf rows are 50 apart, so neighbours' areas never overlap).
          const side = Math.max(HIT, w);
          g.prepend(svgEl("rect", { class: "cc-hit", x: 17 - w / 2 - side / 2, y: -HIT / 2, width: side, height: HIT }));
          g.setAttribute("tabindex", "0");
          g.setAttribute("role", "slider");
          g.setAttribute("aria-label", `input ${node.name}: drag sideways or use arrow keys`);
          g.dataset.name = node.name;
        }
        nodesG.append(g);
      }
    }
    for (const g of nodesG.querySelectorAll(".cc-leaf-input")) attachScrub(g, g.dataset.name);
    // Forks: one wire feeding several gate inputs; its gradient is the sum of the branches'.
    forkTexts = [];
    for (const [id, uses] of forks(graph)) {
      const pos = lay.nodes[id];
      const t = svgEl("text", { class: "cc-fork", x: pos.x, y: pos.y + (pos.kind === "gate" ? 36 : 27), "text-anchor": "middle" });
      labelsG.append(t);
      forkTexts.push({ id, uses, text: t });
      if (pos.kind === "gate") nodesG.querySelector(`[data-id="${id}"]`)?.classList.add("cc-fork-node");
    }
  }

  function buildRows(names) {
    tbody.replaceChildren();
    rows = {};
    for (const name of names) {
      const input = el("input", { type: "number", step: "0.1", class: "cc-value", "aria-label": `value of ${name}` });
      input.addEventListener("input", () => {
        const v = input.valueAsNumber;
        if (Number.isFinite(v)) setInput(name, v, input);
      });
      const tag = el("span", { class: "cc-scrub", title: "drag sideways to change", "aria-hidden": "true" }, [name]);
      const grad = el("td", { class: "cc-col-grad" });
      const num = el("td", { class: "cc-col-num" });
      const tr = el("tr", { "data-name": name }, [el("th", { scope: "row" }, [tag]), el("td", {}, [input]), grad, num]);
      tbody.append(tr);
      attachScrub(tag, name);
      rows[name] = { input, grad, num };
    }
  }

  function attachScrub(target, name) {
    makeScrubbable(target, {
      get: () => state.inputs[name],
      set: (v) => setInput(name, v),
    });
  }

  function setInput(name, v, source = null) {
    state.inputs = { ...state.inputs, [name]: v };
    state.lastStep = null;
    state.stepMessage = false;
    update(source);
  }

  // ---- state -> DOM -------------------------------------------------------
  function update(source = null) {
    const { graph, inputs } = state;
    const pass = run(graph, inputs, state.pull);
    const numeric = numericalGradient(graph, inputs, state.h);
    root.dataset.output = String(pass.output);
    const stepping = state.stepping >= 0;
    const steps = stepping ? backwardSteps(graph, pass.values, state.pull) : null;
    const done = stepping ? new Set(steps.slice(0, state.stepping + 1).map((st) => st.id)) : null;
    const show = state.showGrads || stepping;
    view.classList.toggle("cc-show-grads", show);
    for (const { edge, valText, gradText } of labels) {
      valText.textContent = fmt(pass.values[edge.from]);
      const g = edge.to === null ? pass.grads[edge.from] : pass.edgeGrads[edge.to][edge.arg];
      const visible = state.showGrads || (stepping && (edge.to === null || done.has(edge.to)));
      gradText.textContent = visible ? fmt(g) : "";
    }
    for (const { id, uses, text } of forkTexts) {
      const allBack = state.showGrads || (stepping && uses.every(([gate]) => done.has(gate)));
      const parts = uses.map(([gate, i]) => fmt(pass.edgeGrads[gate][i]));
      text.textContent = allBack ? `${parts.join(" + ")} = ${fmt(pass.grads[id])}` : "";
    }
    for (const g of svg.querySelectorAll(".cc-gate")) {
      g.classList.toggle("cc-gate-active", stepping && Number(g.dataset.id) === steps[state.stepping]?.id);
    }
    for (const name of Object.keys(rows)) {
      const row = rows[name];
      if (row.input !== source) row.input.value = String(roundForField(inputs[name]));
      fitField(row.input, FIELD_MIN);
      row.grad.textContent = state.showGrads ? fmt(pass.inputGrads[name]) : "–";
      row.num.textContent = state.showGrads ? fmt(numeric[name] * state.pull) : "–";
      row.grad.dataset.value = String(pass.inputGrads[name]);
      row.num.dataset.value = String(numeric[name] * state.pull);
    }
    for (const g of svg.querySelectorAll(".cc-leaf-input")) {
      g.setAttribute("aria-valuenow", String(inputs[g.dataset.name]));
      g.setAttribute("aria-valuetext", fmt(inputs[g.dataset.name]));
    }
    let line = `output f = ${fmtLong(pass.output)}`;
    if (state.lastStep) {
      const { before, after } = state.lastStep;
      line += ` (was ${fmtLong(before)}, change ${fmtDelta(after - before)})`;
    }
    outputLine.textContent = line;
    // Rounding: wire labels keep 4 decimals, the output line up to 5 significant digits.
    const rounded = fmt(pass.output);
    roundNote.textContent = Number.isFinite(pass.output) && !Number.isInteger(pass.output) && rounded !== fmtLong(pass.output)
      ? `Wire labels round to 4 decimals (${rounded}); the output line shows more digits (${fmtLong(pass.output)}). A printout showing 4 digits of the same number may end one lower, e.g. 0.8825 for 0.88255.`
      : "";
    const bad = firstNonFinite(graph, pass.values);
    if (bad) warning.textContent = bad.message;
    else if (!state.stepMessage) warning.textContent = "";
    tieNote.textContent = graph.nodes.some((n) => n.op === "max" && pass.values[n.args[0]] === pass.values[n.args[1]])
      ? "Tie in a max gate: max has no derivative where its inputs are equal. Here a tie splits the gradient evenly (½ each), so the shares add up to 1, the rate at which max grows when both inputs move together; the guide's code would give both the full gradient (max(x, x) would get 2, not 1)."
      : "";
    explain.replaceChildren(...(stepping ? explainStep(steps, pass.values) : []));
    bstepBtn.textContent = !stepping ? "Backprop one gate" : state.stepping < steps.length - 1 ? "Next gate" : "Done";
    backwardBtn.setAttribute("aria-pressed", String(state.showGrads));
  }

  /** The current gate step: local gradient × upstream = downstream for each of its inputs. */
  function explainStep(steps, values) {
    const st = steps[state.stepping];
    if (!st) return [];
    const node = state.graph.nodes[st.id];
    const argNames = node.args.map((a) => {
      const n = state.graph.nodes[a];
      return n.op === "input" ? n.name : n.op === "const" ? fmt(n.value) : n.expr ?? GATES[n.op].symbol;
    });
    const argVals = node.args.map((a) => values[a]);
    const head = el("p", { class: "cc-explain-head" }, [
      `Gate ${state.stepping + 1} of ${steps.length}: ${GATE_NAMES[node.op]} ${node.expr ? `(${node.expr})` : ""}, `,
      `upstream gradient on its output = ${fmt(st.upstream)}`,
      st.id === state.graph.output ? " (the pull on f)" : "",
    ]);
    const rowsOut = st.local.map((l, i) => el("p", { class: "cc-explain-row", "data-arg": String(i) }, [
      `into ${argNames[i]}: local ${localFormula(node, i, argVals)} = ${fmt(l)} × upstream ${fmt(st.upstream)} = downstream ${fmt(st.downstream[i])}`,
    ]));
    return [head, ...rowsOut];
  }

  // ---- reader actions -----------------------------------------------------
  backwardBtn.addEventListener("click", () => {
    state.showGrads = !state.showGrads;
    state.stepping = -1;
    update();
  });
  bstepBtn.addEventListener("click", () => {
    const total = backwardSteps(state.graph, run(state.graph, state.inputs, state.pull).values, state.pull).length;
    if (state.stepping >= total - 1) {
      state.stepping = -1; // done: every gradient is known, show them all
      state.showGrads = true;
    } else {
      state.stepping += 1;
      state.showGrads = false;
    }
    update();
  });
  pullInput.addEventListener("input", () => {
    if (Number.isFinite(pullInput.valueAsNumber)) { state.pull = pullInput.valueAsNumber; update(); }
  });
  stepBtn.addEventListener("click", () => {
    const before = run(state.graph, state.inputs, state.pull);
    const next = step(state.inputs, before.inputGrads, state.stepSize);
    const after = run(state.graph, next, state.pull);
    // Guard: a step that leaves the numbers (1/x at 0, overflow) would blank the fields.
    const bad = firstNonFinite(state.graph, before.values) || firstNonFinite(state.graph, after.values) ||
      (Object.values(next).every(Number.isFinite) ? null : { message: "the step would leave the inputs at ±∞" });
    if (bad) {
      state.stepMessage = true;
      warning.textContent = `Step not taken: ${bad.message}.`;
      return;
    }
    state.stepMessage = false;
    state.inputs = next;
    state.showGrads = true;
    state.stepping = -1;
    state.lastStep = { before: before.output, after: after.output };
    update();
  });
  resetBtn.addEventListener("click", () => {
    state.inputs = initialValues(inputNames(state.graph), start);
    state.lastStep = null;
    state.stepping = -1;
    state.stepMessage = false;
    update();
  });
  stepInput.addEventListener("input", () => {
    if (Number.isFinite(stepInput.valueAsNumber)) state.stepSize = stepInput.valueAsNumber;
  });
  hInput.addEventListener("input", () => {
    if (Number.isFinite(hInput.valueAsNumber) && hInput.valueAsNumber > 0) {
      state.h = hInput.valueAsNumber;
      update();
    }
  });
  if (free) {
    exprInput.addEventListener("input", () => tryExpression(exprInput.value));
  }

  function tryExpression(text) {
    try {
      const graph = compile(text, given.order);
      state.text = text;
      exprError.replaceChildren();
      exprInput.removeAttribute("aria-invalid");
      setGraph(graph);
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      exprInput.setAttribute("aria-invalid", "true");
      const caret = `${" ".repeat(err.pos)}^`;
      exprError.replaceChildren(
        el("p", {}, [`Syntax error at ${err.message}`]),
        el("pre", { "aria-hidden": "true" }, [`${text}\n${caret}`]),
      );
    }
  }

  function updateScrollHint() {
    scrollHint.hidden = figure.scrollWidth <= figure.clientWidth + 1;
  }
  const resizes = typeof ResizeObserver === "function" ? new ResizeObserver(updateScrollHint) : null;
  resizes?.observe(figure);

  setGraph(compile(state.text, given.order));
  return { destroy: () => { resizes?.disconnect(); view.remove(); } };
}

/** Smallest drawing scale: 1, so the smallest SVG font size (12 px, .cc-sym-small and .cc-fork)
 * renders at 12 px and the input tags' touch areas at HIT px. */
const MIN_SCALE = 1;
/** Side of an input tag's touch area in drawing units (= CSS px at MIN_SCALE): WCAG 2.5.5. */
const HIT = 44;

/** The local derivative of a gate with respect to input i, as a formula with its numbers. */
function localFormula(node, i, [a, b]) {
  switch (node.op) {
    case "add": return "∂(x+y)/∂input = 1";
    case "mul": return `the other input's value ${fmt(i === 0 ? b : a)}`;
    case "max": return a === b ? "tie: ½" : (i === 0 ? a > b : b > a) ? "1 (the larger input)" : "0 (the smaller input)";
    case "neg": return "−1";
    case "sigmoid": return "σ(x)·(1 − σ(x))";
    case "relu": return a > 0 ? "1 (fired)" : "0 (not fired)";
    case "inv": return `−1/x² at x = ${fmt(a)}`;
    case "exp": return "exp(x)";
    case "pow": return `${node.p}·x^${node.p - 1} at x = ${fmt(a)}`;
    default: return "local";
  }
}

function labelOffsets(side) {
  if (side === "above") return [-19, -5];
  if (side === "below") return [15, 29];
  return [-6, 15];
}

function textEl(content, cls, x = 0) {
  const t = svgEl("text", { class: cls, x, y: 0, "text-anchor": "middle", "dominant-baseline": "central" });
  t.textContent = content;
  return t;
}

/** Narrowest input value field, in characters (fitField widens it for longer values). */
const FIELD_MIN = 9;

// Number fields show a few decimals so stepping by 0.01 stays readable.
const roundForField = (v) => Math.round(v * 1e6) / 1e6;
