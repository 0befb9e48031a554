// Gate/graph engine for real-valued circuits (no DOM; node imports it in tests).
//
// A graph is { nodes, output } where nodes is an array in topological order
// (every node's args refer to earlier nodes) and output is the id (= index)
// of the node whose value is the circuit's output. Node shapes:
//   { id, op: "input", name }            a named input wire (may fan out)
//   { id, op: "const", value }           a literal number
//   { id, op: <gate>, args: [ids], p? }  a gate; p is the exponent of "pow"
//
// Values and gradients live in plain arrays indexed by node id, never on
// the nodes, so one graph can be evaluated many times (numerical gradient).

const sig = (x) => 1 / (1 + Math.exp(-x));

/**
 * Every gate: arity, a symbol for drawing, forward(values, p) and
 * local(values, out, p) -> local derivatives d out / d arg_i.
 * Backward is then always: argGrad_i += local_i * outGrad (the chain rule).
 */
export const GATES = {
  add: { arity: 2, symbol: "+", forward: ([a, b]) => a + b, local: () => [1, 1] },
  mul: { arity: 2, symbol: "*", forward: ([a, b]) => a * b, local: ([a, b]) => [b, a] },
  max: {
    arity: 2,
    symbol: "max",
    forward: ([a, b]) => Math.max(a, b),
    // The larger input gets the whole gradient, the other none. Tie rule: max has no derivative
    // where a = b, and the guide's code (`a === x ? dx : 0`) hands the full gradient to BOTH,
    // so max(x, x) would get 2 where the true (and numerical) gradient is 1. Here a tie splits
    // it evenly, ½ each: the two shares add up to 1, the rate at which max grows when both
    // inputs move together (and max(x, x) = x gets exactly 1).
    local: ([a, b]) => (a === b ? [0.5, 0.5] : a > b ? [1, 0] : [0, 1]),
  },
  neg: { arity: 1, symbol: "−", forward: ([a]) => -a, local: () => [-1] },
  sigmoid: {
    arity: 1,
    symbol: "σ",
    forward: ([a]) => sig(a),
    local: (_args, out) => [out * (1 - out)],
  },
  relu: {
    arity: 1,
    symbol: "ReLU",
    forward: ([a]) => Math.max(a, 0),
    local: ([a]) => [a > 0 ? 1 : 0],
  },
  inv: { arity: 1, symbol: "1/x", forward: ([a]) => 1 / a, local: ([a]) => [-1 / (a * a)] },
  exp: { arity: 1, symbol: "exp", forward: ([a]) => Math.exp(a), local: (_args, out) => [out] },
  pow: {
    arity: 1,
    symbol: "x^",
    forward: ([a], _out, p) => Math.pow(a, p),
    local: ([a], _out, p) => [p * Math.pow(a, p - 1)],
  },
};

/** The label drawn inside a gate. */
export function gateSymbol(node) {
  if (node.op !== "pow") return GATES[node.op].symbol;
  const sup = { 2: "²", 3: "³" }[node.p];
  return sup ? `x${sup}` : `x^${node.p}`;
}

/** Names of the graph's input wires, in node order. */
export function inputNames(graph) {
  return graph.nodes.filter((n) => n.op === "input").map((n) => n.name);
}

/**
 * Forward pass. `inputs` maps input names to numbers.
 * Returns the array of node values (index = node id).
 */
export function forward(graph, inputs) {
  const values = new Array(graph.nodes.length);
  for (const node of graph.nodes) {
    if (node.op === "input") {
      if (!(node.name in inputs)) throw new Error(`no value for input "${node.name}"`);
      values[node.id] = Number(inputs[node.name]);
    } else if (node.op === "const") {
      values[node.id] = node.value;
    } else {
      const args = node.args.map((id) => values[id]);
      values[node.id] = GATES[node.op].forward(args, undefined, node.p);
    }
  }
  return values;
}

/** The circuit's output for these inputs. */
export function evaluate(graph, inputs) {
  return forward(graph, inputs)[graph.output];
}

/**
 * Backward pass: starts with `topGrad` (the pull, +1 by default) on the
 * output and walks the gates in reverse order.
 * Returns { grads, edgeGrads, inputGrads }:
 *   grads[id]        total gradient on a node's output wire (sums over fan-out)
 *   edgeGrads[id][i] gradient flowing back along the wire into arg i of gate id
 *   inputGrads       { name: gradient } for the input wires
 */
export function backward(graph, values, topGrad = 1) {
  const grads = new Array(graph.nodes.length).fill(0);
  const edgeGrads = graph.nodes.map((n) => (n.args ? n.args.map(() => 0) : []));
  grads[graph.output] = topGrad;
  for (let id = graph.nodes.length - 1; id >= 0; id--) {
    const node = graph.nodes[id];
    if (!node.args) continue;
    const args = node.args.map((a) => values[a]);
    const local = GATES[node.op].local(args, values[id], node.p);
    node.args.forEach((argId, i) => {
      const g = local[i] * grads[id];
      edgeGrads[id][i] = g;
      grads[argId] += g; // += : a wire used twice collects both pulls
    });
  }
  const inputGrads = {};
  for (const node of graph.nodes) if (node.op === "input") inputGrads[node.name] = grads[node.id];
  return { grads, edgeGrads, inputGrads };
}

/**
 * Numerical gradient by the guide's forward difference (f(x+h) - f(x)) / h,
 * one input at a time.
 */
export function numericalGradient(graph, inputs, h = 1e-4) {
  const base = evaluate(graph, inputs);
  const result = {};
  for (const name of inputNames(graph)) {
    const nudged = { ...inputs, [name]: inputs[name] + h };
    result[name] = (evaluate(graph, nudged) - base) / h;
  }
  return result;
}

/**
 * One step along the gradient: every input not in `fixed` moves by
 * stepSize * gradient (the inputs "respond to the tug").
 */
export function step(inputs, inputGrads, stepSize, fixed = new Set()) {
  const next = { ...inputs };
  for (const name of Object.keys(inputGrads)) {
    if (!fixed.has(name)) next[name] = inputs[name] + stepSize * inputGrads[name];
  }
  return next;
}

/**
 * Backprop as a sequence of gate steps, in the order backward() visits them (reverse
 * topological): at each gate, upstream = the gradient on its output wire (all pulls from above
 * summed), local[i] = d out / d arg_i, downstream[i] = local[i] × upstream. `after[k]` is the
 * grads array once steps 0..k are done, so a view can show backprop gate by gate.
 */
export function backwardSteps(graph, values, topGrad = 1) {
  const grads = new Array(graph.nodes.length).fill(0);
  grads[graph.output] = topGrad;
  const steps = [];
  for (let id = graph.nodes.length - 1; id >= 0; id--) {
    const node = graph.nodes[id];
    if (!node.args) continue;
    const args = node.args.map((a) => values[a]);
    const local = GATES[node.op].local(args, values[id], node.p);
    const upstream = grads[id];
    const downstream = local.map((l) => l * upstream);
    node.args.forEach((argId, i) => { grads[argId] += downstream[i]; });
    steps.push({ id, op: node.op, upstream, local, downstream, args: node.args, after: grads.slice() });
  }
  return steps;
}

/**
 * Ids of the nodes whose output feeds more than one gate input (a fork): their gradient is the
 * SUM of what comes back along each branch. Returns Map id -> [[gateId, argIndex], ...].
 */
export function forks(graph) {
  const uses = new Map();
  for (const node of graph.nodes) {
    if (!node.args) continue;
    node.args.forEach((argId, i) => {
      if (!uses.has(argId)) uses.set(argId, []);
      uses.get(argId).push([node.id, i]);
    });
  }
  for (const [id, list] of uses) if (list.length < 2) uses.delete(id);
  return uses;
}

/**
 * The first gate whose value is not a finite number, with a message a reader can act on
 * (e.g. 1/x at x = 0), or null when every value is finite.
 */
export function firstNonFinite(graph, values) {
  for (const node of graph.nodes) {
    if (Number.isFinite(values[node.id])) continue;
    if (node.op === "input" || node.op === "const") return { id: node.id, message: `input ${node.name ?? ""} is not a finite number` };
    const args = node.args.map((a) => values[a]);
    if (node.op === "inv" && args[0] === 0) {
      return { id: node.id, message: `1/x is undefined at x = 0 (in ${node.expr ?? "1/x"}): move its input away from 0` };
    }
    if (node.op === "pow" && args[0] === 0 && node.p < 0) {
      return { id: node.id, message: `x^${node.p} is undefined at x = 0 (in ${node.expr ?? "x^p"}): move its input away from 0` };
    }
    return { id: node.id, message: `${node.expr ?? node.op} overflows (${values[node.id]}): use smaller inputs or a smaller step` };
  }
  return null;
}

/** Forward + backward in one call, the shape the views use. */
export function run(graph, inputs, topGrad = 1) {
  const values = forward(graph, inputs);
  return { values, output: values[graph.output], ...backward(graph, values, topGrad) };
}
