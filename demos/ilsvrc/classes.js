// The 1000 ILSVRC classes: turns the compact data/classes.json into objects, and lays them out in
// hierarchy order with headings. No DOM, so node can test it.

/**
 * @typedef {{index: number, id: string, name: string, synonyms: string[], gloss: string,
 *   heading: string, subheading: string, ancestors: string[]}} IlsvrcClass
 * @typedef {{classes: IlsvrcClass[], order: number[], byId: Map<string, IlsvrcClass>}} ClassModel
 */

const FORMAT = "ilsvrc-classes/1";

/** Build the class model; throws on data that is not the expected format. */
export function loadClasses(json) {
  if (!json || json.format !== FORMAT || !Array.isArray(json.classes) || !Array.isArray(json.nodes)) {
    throw new Error(`classes data is not in format ${FORMAT}`);
  }
  const nodes = json.nodes;
  // Ancestor names root-last, computed once per node (classes share most of their paths).
  const pathCache = new Map();
  const ancestorsOf = (nodeIndex) => {
    if (nodeIndex < 0) return [];
    if (!pathCache.has(nodeIndex)) {
      const [name, parent] = nodes[nodeIndex];
      pathCache.set(nodeIndex, [name, ...ancestorsOf(parent)]);
    }
    return pathCache.get(nodeIndex);
  };
  const classes = json.classes.map(([id, name, synonyms, gloss, parent, heading, subheading], index) => ({
    index,
    id,
    name,
    synonyms,
    gloss,
    heading: heading >= 0 ? nodes[heading][0] : "",
    subheading: subheading >= 0 ? nodes[subheading][0] : "",
    ancestors: ancestorsOf(parent),
  }));
  const order = Array.isArray(json.order) && json.order.length === classes.length
    ? json.order.slice()
    : classes.map((c) => c.index);
  return { classes, order, byId: new Map(classes.map((c) => [c.id, c])) };
}

/**
 * Rows for the unfiltered list: a level-1 heading when the heading changes, a level-2 heading when
 * the subheading changes, then the class.
 * @returns {Array<{kind: "heading", level: 1|2, text: string} | {kind: "class", index: number}>}
 */
export function hierarchyRows(model) {
  const rows = [];
  let heading = null;
  let subheading = null;
  for (const index of model.order) {
    const cls = model.classes[index];
    if (cls.heading !== heading) {
      heading = cls.heading;
      subheading = null;
      rows.push({ kind: "heading", level: 1, text: heading });
    }
    if (cls.subheading !== subheading) {
      subheading = cls.subheading;
      if (subheading) rows.push({ kind: "heading", level: 2, text: subheading });
    }
    rows.push({ kind: "class", index });
  }
  return rows;
}
