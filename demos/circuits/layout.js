// Circuit layout: graph -> positions of nodes and wire paths (pure, no DOM).
//
// Inputs sit in the left column in the order a depth-first walk from the
// output meets them, which draws any tree without crossings; each gate sits
// one column right of its deepest argument, vertically at the mean of its
// arguments, then gates sharing a column are pushed apart. Wire labels
// (value and gradient) go on the straight last stretch of each wire into
// its gate: above the wire for a gate's first input, below for its second,
// so the two never overlap.

export const LAYOUT = {
  margin: 16,
  inputWidth: 34, // the name tag of an input wire
  column: 124, // horizontal distance between gate columns
  leafRow: 50, // vertical distance between inputs
  gateGap: 92, // minimal vertical distance between gates in one column
  gateRadius: 20,
  slot: 13, // binary gates: inputs enter at y -/+ slot
  approach: 62, // length of the straight stretch into a gate (holds the labels)
  outputLength: 96, // the output wire, right of the last gate
  labelRoom: 34, // space above the first row / below the last for labels
};

/** Column of every node: 0 for inputs/constants, else 1 + deepest argument. */
function columns(graph) {
  const col = [];
  for (const n of graph.nodes) col[n.id] = n.args ? 1 + Math.max(...n.args.map((a) => col[a])) : 0;
  return col;
}

/** Leaves (inputs, constants) in depth-first order from the output. */
function leafOrder(graph) {
  const order = [];
  const seen = new Set();
  (function visit(id) {
    if (seen.has(id)) return;
    seen.add(id);
    const n = graph.nodes[id];
    if (n.args) n.args.forEach(visit);
    else order.push(id);
  })(graph.output);
  // Inputs the output does not depend on (cannot come from the parser) last.
  for (const n of graph.nodes) if (!n.args && !seen.has(n.id)) order.push(n.id);
  return order;
}

/** Spread the wanted y positions of one column so neighbours keep `gap`. */
function spread(ids, wanted, gap) {
  const sorted = [...ids].sort((a, b) => wanted[a] - wanted[b] || a - b);
  const y = {};
  let prev = -Infinity;
  for (const id of sorted) {
    y[id] = Math.max(wanted[id], prev + gap);
    prev = y[id];
  }
  // Pushing only downwards drifts the column; recentre it on the wanted mean.
  const shift = sorted.reduce((s, id) => s + (y[id] - wanted[id]), 0) / sorted.length;
  for (const id of sorted) y[id] -= shift;
  return y;
}

/** A wire from (x1,y1) to (x2,y2): curve early, straight for the last `approach`. */
export function wirePath(x1, y1, x2, y2, approach) {
  const bend = Math.max(x1 + 8, x2 - approach);
  const c = Math.max(12, (bend - x1) / 2);
  return `M${r(x1)},${r(y1)} C${r(x1 + c)},${r(y1)} ${r(bend - c)},${r(y2)} ${r(bend)},${r(y2)} L${r(x2)},${r(y2)}`;
}

const r = (v) => Math.round(v * 10) / 10;

/**
 * Lay out a graph. Returns { width, height, nodes, edges, out } where
 *   nodes[id] = { id, x, y, kind: "input"|"const"|"gate", column }
 *   edges     = [{ from, to, arg, x1, y1, x2, y2, path, labelX, labelY, side }]
 *   out       = the output wire, same shape as an edge (from = graph.output)
 */
export function layout(graph, L = LAYOUT) {
  const col = columns(graph);
  const maxCol = Math.max(...col);
  const wanted = [];
  leafOrder(graph).forEach((id, row) => { wanted[id] = row * L.leafRow; });

  // Gates column by column: mean of the arguments, then spread.
  for (let c = 1; c <= maxCol; c++) {
    const ids = graph.nodes.filter((n) => col[n.id] === c).map((n) => n.id);
    for (const id of ids) {
      const args = graph.nodes[id].args;
      wanted[id] = args.reduce((s, a) => s + wanted[a], 0) / args.length;
    }
    Object.assign(wanted, spread(ids, wanted, L.gateGap));
  }

  const minY = Math.min(...wanted);
  const maxY = Math.max(...wanted);
  const top = L.margin + L.labelRoom - minY;
  const x0 = L.margin + L.inputWidth / 2;
  const nodes = graph.nodes.map((n) => ({
    id: n.id,
    kind: n.op === "input" ? "input" : n.op === "const" ? "const" : "gate",
    column: col[n.id],
    x: col[n.id] === 0 ? x0 : x0 + L.inputWidth / 2 + col[n.id] * L.column - L.gateRadius,
    y: wanted[n.id] + top,
  }));

  const rightEdge = (node) => node.x + (node.kind === "gate" ? L.gateRadius : L.inputWidth / 2);
  const edges = [];
  for (const n of graph.nodes) {
    if (!n.args) continue;
    const to = nodes[n.id];
    n.args.forEach((argId, i) => {
      const from = nodes[argId];
      const y2 = n.args.length === 2 ? to.y + (i === 0 ? -L.slot : L.slot) : to.y;
      const x1 = rightEdge(from);
      const x2 = to.x - L.gateRadius;
      edges.push({
        from: argId, to: n.id, arg: i, x1, y1: from.y, x2, y2,
        path: wirePath(x1, from.y, x2, y2, L.approach),
        labelX: x2 - 6, labelY: y2, side: n.args.length === 1 ? "both" : i === 0 ? "above" : "below",
      });
    });
  }

  const last = nodes[graph.output];
  const ox1 = rightEdge(last);
  const ox2 = ox1 + L.outputLength;
  const out = {
    from: graph.output, to: null, arg: 0, x1: ox1, y1: last.y, x2: ox2, y2: last.y,
    path: `M${r(ox1)},${r(last.y)} L${r(ox2)},${r(last.y)}`,
    labelX: ox2 - 6, labelY: last.y, side: "both",
  };

  const width = ox2 + L.margin;
  const height = maxY - minY + 2 * (L.margin + L.labelRoom);
  return { width, height, nodes, edges, out };
}
