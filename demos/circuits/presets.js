// The guide's circuits and the embed's `values` option (no DOM).

/** Circuits the guide draws, as expressions with the guide's example inputs. */
export const PRESETS = {
  mul: { title: "Single * gate", expression: "x*y", values: "x=-2,y=3" },
  "add-mul": { title: "(x + y) z", expression: "(x+y)*z", values: "x=-2,y=5,z=-4" },
  neuron: { title: "Neuron σ(ax + by + c)", expression: "sigmoid(a*x+b*y+c)", values: "a=1,b=2,c=-3,x=-1,y=3" },
  expression: { title: "Free expression", expression: "(a*b+c)*d", values: "" },
};

/** Every choice of the `circuit` option, in the order the tabs show them. */
export const CIRCUITS = ["mul", "add-mul", "neuron", "expression", "playground"];

/**
 * "x=-2, y=3" -> { order: ["x","y"], values: {x:-2, y:3} }.
 * Throws on a malformed pair so a bad embed fails loudly.
 */
export function parseValues(text) {
  const values = {};
  const order = [];
  for (const part of (text || "").split(",")) {
    if (!part.trim()) continue;
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/.exec(part);
    if (!m) throw new Error(`bad value "${part.trim()}": write name=number, e.g. x=-2`);
    if (!(m[1] in values)) order.push(m[1]);
    values[m[1]] = Number(m[2]);
  }
  return { order, values };
}

/** The inverse of parseValues, for a stable text form. */
export function formatValues(values, order = Object.keys(values)) {
  return order.map((name) => `${name}=${values[name]}`).join(",");
}

// Inputs the reader has not given a value start from these, in turn: small,
// mixed signs, so gates like max and ReLU show both of their cases.
const DEFAULTS = [1, 2, -3, -1, 3, -2, 0.5, -0.5];

/** Values for every name: the given ones, else a default by position. */
export function initialValues(names, given = {}) {
  const out = {};
  names.forEach((name, i) => {
    out[name] = name in given ? given[name] : DEFAULTS[i % DEFAULTS.length];
  });
  return out;
}
