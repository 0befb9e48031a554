// Entry module of the circuits demo: mount(root, options) picks the view.
// Embedded in the guide it shows one circuit; on the demo's own page
// (options.standalone) a tab bar switches between all of them.

import { mountCircuit } from "./circuit-view.js";
import { mountPlayground } from "./playground-view.js";
import { CIRCUITS, PRESETS } from "./presets.js";
import { el } from "./dom.js";

const TAB_TITLES = {
  mul: "x · y",
  "add-mul": "(x + y) z",
  neuron: "neuron",
  expression: "your expression",
  playground: "classifier",
};

export function mount(root, options = {}) {
  const opts = {
    circuit: "expression",
    values: "",
    expression: "(a*b+c)*d",
    model: "svm",
    procedure: "guide",
    hidden: 3,
    height: 0,
    standalone: false,
    ...options,
  };
  root.replaceChildren(); // drop the no-script fragment
  root.classList.add("demo-circuits");
  const body = el("div", { class: "cc-body" });
  let current = null;

  function show(circuit, first) {
    current?.destroy();
    body.replaceChildren();
    delete root.dataset.output;
    delete root.dataset.accuracy;
    root.dataset.circuit = circuit;
    // The embed's values belong to the circuit it named; other tabs use the guide's.
    const values = first ? opts.values : "";
    current = circuit === "playground"
      ? mountPlayground(body, root, opts)
      : mountCircuit(body, root, { ...opts, circuit, values });
  }

  const startWith = CIRCUITS.includes(opts.circuit) ? opts.circuit : "expression";
  if (opts.standalone) {
    const tabs = el("div", { class: "cc-tabs", role: "tablist", "aria-label": "Circuits" });
    const buttons = CIRCUITS.map((name) => {
      const b = el("button", {
        type: "button", role: "tab", class: "cc-tab", "data-circuit": name,
        title: PRESETS[name]?.title ?? "2-D classification playground",
      }, [TAB_TITLES[name]]);
      b.addEventListener("click", () => select(name));
      b.addEventListener("keydown", (e) => {
        const d = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
        if (!d) return;
        const i = (CIRCUITS.indexOf(name) + d + CIRCUITS.length) % CIRCUITS.length;
        buttons[i].focus();
        select(CIRCUITS[i]);
      });
      return b;
    });
    tabs.append(...buttons);
    root.append(tabs, body);
    body.setAttribute("role", "tabpanel");
    const select = (name, first = false) => {
      for (const b of buttons) {
        const on = b.dataset.circuit === name;
        b.setAttribute("aria-selected", String(on));
        b.tabIndex = on ? 0 : -1; // roving tabindex: one tab stop, arrows move
      }
      show(name, first);
    };
    select(startWith, true);
  } else {
    root.append(body);
    show(startWith, true);
  }
}
