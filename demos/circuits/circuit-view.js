// Circuit view (DOM): SVG drawing of a circuit, input fields, backward/step
// controls, numerical-gradient check. All math comes from engine.js; this
// file only renders state and turns reader actions into new state.

import { run, numericalGradient, step, gateSymbol, inputNames } from "./engine.js";
import { compile, ParseError } from "./parser.js";
import { layout } from "./layout.js";
import { fmt, fmtDelta } from "./format.js";
import { PRESETS, parseValues, initialValues } from "./presets.js";
import { el, svgEl, makeScrubbable } from "./dom.js";

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
  const resetBtn = el("button", { type: "button", class: "cc-reset" }, ["Reset"]);
  const stepInput = el("input", { type: "number", class: "cc-stepsize", step: "0.01", min: "0", value: "0.01" });
  const hInput = el("input", { type: "number", class: "cc-h", step: "0.0001", min: "0", value: "0.0001" });
  const controls = el("div", { class: "cc-controls" }, [
    backwardBtn, stepBtn,
    el("label", {}, ["step size ", stepInput]),
    el("label", {}, ["h ", hInput]),
    resetBtn,
  ]);
  const tableWrap = el("div", { class: "cc-table-wrap" }, [table]);
  const view = el("div", { class: "cc" }, [exprBox, figure, legend, outputLine, controls, tableWrap].filter(Boolean));
  host.append(view);

  // ---- per-graph DOM (rebuilt when the expression changes) ---------------
  let labels = []; // {edge, valText, gradText} for every wire incl. output
  let rows = {}; // name -> {input, grad, num, tag}

  function setGraph(graph) {
    state.graph = graph;
    const names = inputNames(graph);
    const kept = {};
    for (const n of names) if (n in state.inputs) kept[n] = state.inputs[n];
    state.inputs = initialValues(names, { ...start, ...kept });
    state.lastStep = null;
    drawSvg();
    buildRows(names);
    update();
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
        const g = svgEl("g", { class: `cc-gate cc-gate-${node.op}`, transform: `translate(${pos.x},${pos.y})` });
        const title = svgEl("title");
        title.textContent = `${GATE_NAMES[node.op]}: ${node.expr ?? ""}`;
        const sym = gateSymbol(node);
        g.append(title, svgEl("circle", { r: 20 }), textEl(sym, sym.length > 2 ? "cc-sym cc-sym-small" : "cc-sym"));
        nodesG.append(g);
      } else {
        const label = pos.kind === "input" ? node.name : fmt(node.value);
        const w = Math.max(30, 9 * label.length + 12);
        const g = svgEl("g", { class: `cc-leaf cc-leaf-${pos.kind}`, transform: `translate(${pos.x},${pos.y})` });
        g.append(svgEl("rect", { x: 17 - w, y: -12, width: w, height: 24, rx: 5 }), textEl(label, "cc-leaf-name", 17 - w / 2));
        if (pos.kind === "input") {
          g.setAttribute("tabindex", "0");
          g.setAttribute("role", "slider");
          g.setAttribute("aria-label", `input ${node.name}: drag sideways or use arrow keys`);
          g.dataset.name = node.name;
        }
        nodesG.append(g);
      }
    }
    for (const g of nodesG.querySelectorAll(".cc-leaf-input")) attachScrub(g, g.dataset.name);
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
    update(source);
  }

  // ---- state -> DOM -------------------------------------------------------
  function update(source = null) {
    const { graph, inputs } = state;
    const pass = run(graph, inputs);
    const numeric = numericalGradient(graph, inputs, state.h);
    root.dataset.output = String(pass.output);
    const show = state.showGrads;
    view.classList.toggle("cc-show-grads", show);
    for (const { edge, valText, gradText } of labels) {
      valText.textContent = fmt(pass.values[edge.from]);
      const g = edge.to === null ? pass.grads[edge.from] : pass.edgeGrads[edge.to][edge.arg];
      gradText.textContent = show ? fmt(g) : "";
    }
    for (const name of Object.keys(rows)) {
      const row = rows[name];
      if (row.input !== source) row.input.value = String(roundForField(inputs[name]));
      row.grad.textContent = show ? fmt(pass.inputGrads[name]) : "–";
      row.num.textContent = show ? fmt(numeric[name]) : "–";
      row.grad.dataset.value = String(pass.inputGrads[name]);
      row.num.dataset.value = String(numeric[name]);
    }
    for (const g of svg.querySelectorAll(".cc-leaf-input")) {
      g.setAttribute("aria-valuenow", String(inputs[g.dataset.name]));
      g.setAttribute("aria-valuetext", fmt(inputs[g.dataset.name]));
    }
    let line = `output f = ${fmt(pass.output)}`;
    if (state.lastStep) {
      const { before, after } = state.lastStep;
      line += ` (was ${fmt(before)}, change ${fmtDelta(after - before)})`;
    }
    outputLine.textContent = line;
    backwardBtn.setAttribute("aria-pressed", String(show));
  }

  // ---- reader actions -----------------------------------------------------
  backwardBtn.addEventListener("click", () => {
    state.showGrads = !state.showGrads;
    update();
  });
  stepBtn.addEventListener("click", () => {
    const before = run(state.graph, state.inputs);
    state.inputs = step(state.inputs, before.inputGrads, state.stepSize);
    state.showGrads = true;
    const after = run(state.graph, state.inputs).output;
    state.lastStep = { before: before.output, after };
    update();
  });
  resetBtn.addEventListener("click", () => {
    state.inputs = initialValues(inputNames(state.graph), start);
    state.lastStep = null;
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

  setGraph(compile(state.text, given.order));
  return { destroy: () => view.remove() };
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

// Number fields show a few decimals so stepping by 0.01 stays readable.
const roundForField = (v) => Math.round(v * 1e6) / 1e6;
