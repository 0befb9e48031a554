// The right-hand panel: the filter box and the 1000 classes. Elements for every class are built
// once; a keystroke only re-runs the search and moves existing elements into the list, which keeps
// filtering well under a frame (see bench/ilsvrc_filter_bench.py).

import { el } from "./dom.js";
import { hierarchyRows } from "./classes.js";
import { buildSearchIndex, search } from "./search.js";

const PAGE = 10;

/**
 * @param {{classes: any[], order: number[]}} model
 * @param {{onPick: (id: string) => void, onRemoveLast: () => void, onSubmit: () => void,
 *          idPrefix?: string, exampleFor?: (id: string) => string | null}} actions
 */
export function createClassList(model, actions) {
  const index = buildSearchIndex(model);
  const prefix = `${actions.idPrefix || "ilsvrc"}-class`;
  const listId = `${prefix}-list`;
  // ARIA combobox: focus stays in the box, aria-activedescendant names the highlighted option.
  const input = el("input.ilsvrc-filter", {
    type: "search",
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "true",
    "aria-controls": listId,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "Type to filter 1000 classes…",
    "aria-label": "Filter classes. Arrow keys move, Enter picks, Backspace on an empty box removes the last pick, Ctrl+Enter submits",
  });
  const count = el("p.ilsvrc-count", { "aria-live": "polite" });
  const list = el("div.ilsvrc-list", { role: "listbox", id: listId, "aria-label": "ILSVRC classes" });
  const info = el("div.ilsvrc-info", { "aria-live": "polite" });
  const announcer = el("div.ilsvrc-sr", { "aria-live": "polite" });

  const options = model.classes.map((cls) => el("div.ilsvrc-option", {
    role: "option",
    id: `${prefix}-${cls.index}`,
    tabindex: "-1",
    "aria-selected": "false",
    "data-index": cls.index,
    title: [cls.synonyms.join(", "), cls.gloss].filter(Boolean).join(" — "),
  }, el("span.ilsvrc-option-name", { text: cls.name }), el("span.ilsvrc-option-group", { text: cls.subheading || cls.heading })));
  const fullRows = hierarchyRows(model).map((row) => row.kind === "class"
    ? options[row.index]
    : el(`div.ilsvrc-heading.ilsvrc-heading-${row.level}`, { role: "presentation", text: row.text }));

  let results = model.order.slice();
  let active = 0;
  let query = "";

  function showInfo(classIndex) {
    const cls = model.classes[classIndex];
    if (!cls) {
      info.replaceChildren();
      return;
    }
    // A shipped photo of the class, loaded only when asked for (one image, never the one on screen).
    const example = actions.exampleFor ? actions.exampleFor(cls.id) : null;
    const exampleBox = example && el("div.ilsvrc-example", {},
      el("button", { type: "button", text: "Show an example photo", onclick: (event) => {
        event.currentTarget.replaceWith(el("img.ilsvrc-example-img", { src: example, alt: `Example: ${cls.name}` }));
      } }));
    info.replaceChildren(
      el("strong", { text: cls.name }),
      cls.synonyms.length ? el("span.ilsvrc-info-syn", { text: ` (${cls.synonyms.join(", ")})` }) : null,
      el("p", { text: cls.gloss }),
      el("p.ilsvrc-info-path", { text: cls.ancestors.slice(0, 4).reverse().join(" › ") }),
      exampleBox || null,
    );
  }

  function setActive(position, announce, scroll = true) {
    const previous = options[results[active]];
    if (previous) {
      previous.classList.remove("is-active");
      previous.setAttribute("aria-selected", "false");
    }
    active = Math.max(0, Math.min(results.length - 1, position));
    const option = options[results[active]];
    if (!option) {
      input.removeAttribute("aria-activedescendant");
      showInfo(-1);
      return;
    }
    input.setAttribute("aria-activedescendant", option.id);
    option.classList.add("is-active");
    option.setAttribute("aria-selected", "true");
    if (scroll) option.scrollIntoView({ block: "nearest" });
    showInfo(results[active]);
    if (announce) announcer.textContent = `${model.classes[results[active]].name}, ${active + 1} of ${results.length}`;
  }

  function filter(text) {
    const previous = options[results[active]];
    if (previous) {
      previous.classList.remove("is-active");
      previous.setAttribute("aria-selected", "false");
    }
    query = text;
    results = search(index, text);
    const filtered = !!text.trim();
    if (!filtered) list.replaceChildren(...fullRows);
    else list.replaceChildren(...results.map((i) => options[i]));
    list.classList.toggle("is-filtered", filtered);
    count.textContent = filtered
      ? `${results.length} match${results.length === 1 ? "" : "es"}`
      : `${results.length} classes`;
    active = 0;
    list.scrollTop = 0;
    // The first row is at the top after scrollTop = 0: no scrollIntoView (it would force a layout).
    setActive(0, false, false);
  }

  function pickActive() {
    if (!results.length) return;
    actions.onPick(model.classes[results[active]].id);
    input.value = "";
    filter("");
  }

  input.addEventListener("input", () => filter(input.value));
  input.addEventListener("keydown", (event) => {
    const key = event.key;
    if (key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      actions.onSubmit();
    } else if (key === "Enter") {
      event.preventDefault();
      pickActive();
    } else if (key === "ArrowDown" || key === "ArrowUp" || key === "PageDown" || key === "PageUp") {
      event.preventDefault();
      const step = key.startsWith("Page") ? PAGE : 1;
      setActive(active + (key === "ArrowDown" || key === "PageDown" ? step : -step), true);
    } else if (key === "Backspace" && input.value === "") {
      event.preventDefault();
      actions.onRemoveLast();
    } else if (key === "Escape" && input.value) {
      event.preventDefault();
      input.value = "";
      filter("");
    }
  });
  list.addEventListener("click", (event) => {
    const option = event.target.closest(".ilsvrc-option");
    if (!option) return;
    const position = results.indexOf(Number(option.dataset.index));
    if (position >= 0) setActive(position, false);
    pickActive();
    input.focus();
  });
  list.addEventListener("mouseover", (event) => {
    const option = event.target.closest(".ilsvrc-option");
    if (option) showInfo(Number(option.dataset.index));
  });
  list.addEventListener("focusin", (event) => {
    const option = event.target.closest(".ilsvrc-option");
    if (option) showInfo(Number(option.dataset.index));
  });

  filter("");
  const element = el("div.ilsvrc-classes", {},
    el("label.ilsvrc-filter-label", {}, el("span", { text: "Find a class" }), input),
    count, list, info, announcer);
  return {
    element,
    input,
    /** Disable picking while there is nothing to label (feedback shown, or finished). */
    setEnabled(enabled) {
      element.classList.toggle("is-disabled", !enabled);
    },
    get query() { return query; },
  };
}
