// Tiny element builder: text always goes in as text nodes, never as HTML, since class names,
// glosses and imported files are data.

/**
 * @param {string} tag  "div.ilsvrc-x" gives a class
 * @param {Record<string, any>} [attrs]  on* keys become listeners; false/null are skipped
 * @param {...(Node|string|null|false)} children
 */
export function el(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split(".");
  const node = document.createElement(name);
  if (classes.length) node.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else if (key === "hidden") node.hidden = !!value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === false || child === undefined) continue;
    node.append(child);
  }
  return node;
}
