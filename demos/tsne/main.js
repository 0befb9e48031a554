// t-SNE explorer: the page side. Builds the controls inside the demo root, loads a dataset,
// hands it to the worker (which runs the optimiser) and draws the frames it sends back.
// Test hooks on the root: data-iteration, data-kl, data-state (running|paused|done|error).
import { parseVectors, validateDataset, ParseError } from "./parse.js";
import { parseDistances, squared, formatDistanceMatrix } from "./distances.js";
import { glyphSprites, isImageData } from "./glyphs.js";
import { NeighboursPanel } from "./panel.js";
import { PerplexityCompare } from "./compare.js";
import { Scatter } from "../_shared/scatter.js";
import { colorsForLabels } from "../_shared/colors.js";
import { formatNumber, formatInt } from "../_shared/format.js";

const DEFAULTS = {
  dataset: "digits",
  perplexity: 30,
  learning_rate: 100,
  iterations: 1000,
  seed: 1,
  height: 560,
  autoplay: true,
};

const DATASETS = {
  digits: "Handwritten digits (1,797 × 64)",
  posts: "This blog's paragraphs",
  custom: "Paste your own",
  distances: "Paste a distance matrix",
};

// Three small labelled groups so the paste box works out of the box and shows the format.
const SAMPLE = `# One vector per line, comma or tab separated; an optional label in the first or last column.
x1,x2,x3,label
0.1,0.2,0.0,red
0.0,0.1,0.2,red
0.2,0.0,0.1,red
0.1,0.1,0.1,red
0.2,0.2,0.0,red
5.1,5.0,4.9,green
4.9,5.2,5.0,green
5.0,4.8,5.1,green
5.2,5.1,5.0,green
4.8,5.0,5.2,green
0.1,5.0,9.9,blue
0.0,5.2,10.1,blue
0.2,4.9,10.0,blue
0.1,5.1,9.8,blue
0.0,4.8,10.2,blue`;

// The same three groups as a distance matrix, so a reader can check that both inputs agree.
const DISTANCE_SAMPLE = (() => {
  const s = parseVectors(SAMPLE);
  return "# Row i, column j: the distance from point i to point j (square, symmetric, 0 on the diagonal).\n" +
    "# An optional label may come first on each line. These are the distances of the vectors sample.\n" +
    formatDistanceMatrix(s.X, s.y.map((c) => s.labels[c]));
})();

function el(doc, tag, attrs = {}, children = []) {
  const node = doc.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

/** A labelled control: the <label> wraps the input, so no id is needed (two demos may share a page). */
function field(doc, text, input) {
  // aria-label as well: otherwise a wrapped <select> adds its current value to its own name.
  input.setAttribute("aria-label", text);
  return el(doc, "label", { className: "tsne-field" }, [el(doc, "span", { text }), input]);
}

function buildUI(root, opts) {
  const doc = root.ownerDocument;
  const select = el(doc, "select", { name: "dataset" });
  for (const [value, text] of Object.entries(DATASETS)) {
    const option = el(doc, "option", { value, text });
    if (value === opts.dataset) option.selected = true;
    select.append(option);
  }
  const number = (name, value, attrs) => el(doc, "input", { type: "number", name, value: String(value), ...attrs });
  const ui = {
    select,
    perplexity: number("perplexity", opts.perplexity, { min: "2", max: "200", step: "any" }),
    learningRate: number("learning_rate", opts.learning_rate, { min: "0.1", step: "any" }),
    iterations: number("iterations", opts.iterations, { min: "1", max: "100000", step: "1" }),
    seed: number("seed", opts.seed, { step: "1" }),
    play: el(doc, "button", { type: "button", className: "tsne-play", text: "Play" }),
    step: el(doc, "button", { type: "button", className: "tsne-step", text: "Step" }),
    restart: el(doc, "button", { type: "button", className: "tsne-restart", text: "Restart" }),
    status: el(doc, "p", { className: "tsne-status", "aria-live": "off" }),
    announce: el(doc, "p", { className: "tsne-announce", "aria-live": "polite" }),
    message: el(doc, "p", { className: "tsne-message", role: "alert" }),
    info: el(doc, "p", { className: "tsne-info" }),
    legend: el(doc, "ul", { className: "tsne-legend", "aria-label": "Legend" }),
    plot: el(doc, "div", { className: "tsne-plot" }),
    textarea: el(doc, "textarea", { name: "custom", rows: "8", spellcheck: "false" }),
    parse: el(doc, "button", { type: "button", className: "tsne-parse", text: "Embed pasted data" }),
    matrixText: el(doc, "textarea", { name: "distances", rows: "8", spellcheck: "false", wrap: "off" }),
    parseMatrix: el(doc, "button", { type: "button", className: "tsne-parse", text: "Embed distance matrix" }),
    glyphs: el(doc, "input", { type: "checkbox", name: "glyphs" }),
    compareToggle: el(doc, "button", {
      type: "button", className: "tsne-compare-toggle", "aria-pressed": "false", text: "Compare perplexities 5 / 30 / 100",
    }),
    neighbours: el(doc, "section", { className: "tsne-neighbours", tabindex: "-1", "aria-label": "Nearest neighbours: high-dimensional and 2-D" }),
    compare: el(doc, "section", { className: "tsne-compare", "aria-label": "Perplexity 5, 30 and 100 side by side" }),
  };
  ui.matrixText.value = DISTANCE_SAMPLE;
  ui.matrix = el(doc, "div", { className: "tsne-custom tsne-matrix" }, [
    field(doc, "Distance matrix (CSV or TSV)", ui.matrixText),
    ui.parseMatrix,
  ]);
  ui.matrix.hidden = opts.dataset !== "distances";
  ui.glyphLabel = el(doc, "label", { className: "tsne-check" }, [ui.glyphs, el(doc, "span", { text: "Draw digits as their 8×8 images" })]);
  ui.glyphLabel.hidden = true;
  ui.compare.hidden = true;
  const extras = el(doc, "div", { className: "tsne-extras" }, [ui.glyphLabel, ui.compareToggle]);
  ui.textarea.value = SAMPLE;
  ui.message.hidden = true;
  ui.custom = el(doc, "div", { className: "tsne-custom" }, [
    field(doc, "Vectors (CSV or TSV)", ui.textarea),
    ui.parse,
  ]);
  ui.custom.hidden = opts.dataset !== "custom";
  const controls = el(doc, "div", { className: "tsne-controls", role: "group", "aria-label": "t-SNE controls" }, [
    field(doc, "Dataset", select),
    field(doc, "Perplexity", ui.perplexity),
    field(doc, "Learning rate", ui.learningRate),
    field(doc, "Iterations", ui.iterations),
    field(doc, "Random seed", ui.seed),
    el(doc, "div", { className: "tsne-buttons" }, [ui.play, ui.step, ui.restart]),
  ]);
  root.append(controls, extras, ui.custom, ui.matrix, ui.message, ui.status, ui.announce, ui.plot, ui.neighbours,
    ui.legend, ui.info, ui.compare);
  return ui;
}

/** Options from the embed, defaults applied, values checked (an embed typo should not hang). */
function normalise(options) {
  const o = { ...DEFAULTS, ...options };
  if (!(o.dataset in DATASETS)) o.dataset = DEFAULTS.dataset;
  return o;
}

/** Current parameters from the controls, or a message naming the bad one. */
function readParams(ui) {
  const read = (input, label, check) => {
    const v = Number(input.value);
    if (input.value.trim() === "" || !Number.isFinite(v) || !check(v)) {
      throw new ParseError(`${label}: '${input.value}' is not valid`);
    }
    return v;
  };
  return {
    perplexity: read(ui.perplexity, "Perplexity", (v) => v >= 1),
    learningRate: read(ui.learningRate, "Learning rate", (v) => v > 0),
    iterations: read(ui.iterations, "Iterations", (v) => Number.isInteger(v) && v >= 1),
    seed: read(ui.seed, "Random seed", Number.isInteger),
  };
}

function flatten(X) {
  const n = X.length;
  const d = X[0].length;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) data.set(X[i], i * d);
  return { data, n, d };
}

export function mount(root, options = {}) {
  const opts = normalise(options);
  const assets = opts.assets || {};
  const doc = root.ownerDocument;
  const view = doc.defaultView;
  root.classList.add("tsne-root");
  const ui = buildUI(root, opts);
  let dataset = null; // the validated dataset being shown
  // Autoplay waits until the demo is on screen, pauses when it leaves (a reader scrolling to it
  // finds it at the start, not at step 489), and is off for prefers-reduced-motion.
  const reduceMotion = Boolean(view.matchMedia && view.matchMedia("(prefers-reduced-motion: reduce)").matches);
  let playing = Boolean(opts.autoplay) && !reduceMotion; // the reader's intent
  let onScreen = typeof view.IntersectionObserver !== "function"; // without IO: as if visible
  const hidden = new Set(); // categories hidden from the legend
  let firstFrame = true;
  let lastAnnounced = "";
  let generation = 0; // bumped on every setup/restart; frames from an older run are dropped
  const cache = new Map();
  const panel = new NeighboursPanel(ui.neighbours);
  let compare = null; // PerplexityCompare, made when the reader first opens it
  let payload = null; // () => fresh setup body {data, n, d, kind} of the current dataset
  let colors = [];
  let shape = ""; // "N points · D dimensions" (or "· distance matrix") for the info line
  let sprites = null; // glyph canvases of the current dataset (made on first use)

  const scatter = new Scatter(ui.plot, {
    height: Number(opts.height) || DEFAULTS.height,
    label: "t-SNE embedding",
    describe: (i) => describe(i),
    // A click or tap pins the tooltip; a paragraph opens only from its link, on purpose.
    link: (i) => (dataset && dataset.url && dataset.url[i]) || null,
    // Hover/tap: the point's nearest neighbours in high-D next to those in 2-D (panel.js).
    overlay: (ctx, sc, shown) => panel.draw(ctx, sc, shown),
    onDraw: (n) => {
      // After the tooltip is placed: repeat the panel's kept count in it (panel.js).
      panel.annotate(scatter, scatter.shown, revealPanel);
      if (firstFrame && n > 0) {
        firstFrame = false;
        view.performance.mark("tsne:first-frame");
      }
    },
  });

  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });

  /** Bring the neighbour panel on screen (from the tooltip's button; the panel may be below the fold). */
  function revealPanel() {
    ui.neighbours.scrollIntoView({ block: "nearest", behavior: reduceMotion ? "auto" : "smooth" });
    ui.neighbours.focus({ preventScroll: true });
  }

  function describe(i) {
    const label = dataset.labels[dataset.y[i]];
    if (dataset.text && dataset.text[i]) {
      return dataset.name === "posts" ? `${dataset.text[i]} (${label})` : dataset.text[i];
    }
    return dataset.name === "digits" ? `digit ${label} (sample ${i + 1})` : `${label} (${i + 1})`;
  }

  function setState(state) {
    root.dataset.state = state;
    ui.play.textContent = state === "running" ? "Pause" : "Play";
    ui.play.setAttribute("aria-pressed", state === "running" ? "true" : "false");
    ui.play.disabled = state === "error";
    ui.step.disabled = state === "error";
  }

  function showMessage(text) {
    ui.message.textContent = text;
    ui.message.hidden = !text;
  }

  /** Stop, say what is wrong, and leave nothing of the previous run on screen. */
  function fail(text) {
    showMessage(text);
    generation += 1; // frames of the abandoned run still in flight are dropped
    worker.postMessage({ type: "pause" });
    dataset = null;
    payload = null;
    panel.setSpace(null);
    setGlyphs(false);
    compare?.stop();
    scatter.setData(new Float32Array(0), new Uint16Array(0), []);
    ui.legend.replaceChildren();
    ui.status.textContent = "";
    ui.info.textContent = "";
    root.dataset.iteration = "0";
    root.dataset.kl = "";
    setState("error");
  }

  const live = () => playing && onScreen;

  function announce(text) {
    if (text !== lastAnnounced) ui.announce.textContent = lastAnnounced = text;
  }

  /** Legend of buttons: click hides/shows a class, shift-click (or double-click) shows only it. */
  function drawLegend() {
    const colors = colorsForLabels(dataset.labels);
    hidden.clear();
    const buttons = dataset.labels.map((label, c) => {
      const swatch = el(doc, "span", { className: "tsne-swatch", "aria-hidden": "true" });
      swatch.style.background = colors[c];
      const button = el(doc, "button", {
        type: "button", className: "tsne-legend-item", "aria-pressed": "true", "data-category": String(c),
        title: "click: hide or show this class; shift-click or double-click: show only this class",
      }, [swatch, el(doc, "span", { text: label })]);
      button.addEventListener("click", (event) => {
        if (event.shiftKey) isolate(c);
        else if (hidden.has(c)) hidden.delete(c);
        else hidden.add(c);
        sync();
      });
      button.addEventListener("dblclick", () => { isolate(c); sync(); });
      return button;
    });
    const isolate = (c) => {
      const alone = hidden.size === dataset.labels.length - 1 && !hidden.has(c);
      hidden.clear();
      if (!alone) dataset.labels.forEach((_, k) => { if (k !== c) hidden.add(k); });
    };
    const sync = () => {
      buttons.forEach((b, k) => b.setAttribute("aria-pressed", hidden.has(k) ? "false" : "true"));
      scatter.setHidden(hidden);
      compare?.setHidden(hidden);
    };
    ui.legend.replaceChildren(...buttons.map((b) => el(doc, "li", {}, [b])));
    scatter.setHidden(hidden);
    compare?.setHidden(hidden);
    return colors;
  }

  async function fetchJSON(key) {
    if (cache.has(key)) return cache.get(key);
    const url = assets[key];
    if (!url) return null;
    const response = await view.fetch(url);
    if (!response.ok) throw new ParseError(`could not load ${key} (HTTP ${response.status})`);
    const value = validateDataset(await response.json(), key);
    cache.set(key, value);
    return value;
  }

  async function loadDataset(name) {
    ui.custom.hidden = name !== "custom";
    ui.matrix.hidden = name !== "distances";
    if (name === "custom") return parseCustom();
    if (name === "distances") return parseMatrix();
    const key = name === "digits" ? "data/digits.json" : "posts.json";
    try {
      const loaded = await fetchJSON(key);
      if (ui.select.value !== name) return; // the reader switched again meanwhile
      if (!loaded) {
        fail(name === "posts"
          ? "The posts dataset is generated when the site is built, and this page has no copy of it."
          : `The data file ${key} is not available on this page.`);
        return;
      }
      start(loaded);
    } catch (err) {
      fail(err instanceof ParseError ? err.message : `Could not load the data: ${err.message}`);
    }
  }

  function parseCustom() {
    try {
      start(parseVectors(ui.textarea.value));
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      fail(err.message);
    }
  }

  function parseMatrix() {
    try {
      start(parseDistances(ui.matrixText.value));
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      fail(err.message);
    }
  }

  /** Glyphs on/off: only for 8×8 image data (the digits); the checkbox hides otherwise. */
  function setGlyphs(on) {
    const usable = isImageData(dataset);
    ui.glyphLabel.hidden = !usable;
    const show = on && usable;
    if (show && !sprites) {
      sprites = glyphSprites(dataset, colors, (w, h) => el(doc, "canvas", { width: String(w), height: String(h) }));
    }
    scatter.setSprites(show ? sprites : null, 14);
    root.dataset.glyphs = show ? "on" : "off";
  }

  function loadCompare() {
    if (!compare || ui.compare.hidden || !payload) return;
    let params;
    try {
      params = readParams(ui);
    } catch {
      return; // the main plot shows the message
    }
    compare.load(payload, Uint16Array.from(dataset.y), colors, params);
    compare.setHidden(hidden);
  }

  function start(ds) {
    let params;
    try {
      params = readParams(ui);
    } catch (err) {
      fail(err.message);
      return;
    }
    showMessage("");
    dataset = ds;
    sprites = null;
    colors = drawLegend();
    // The worker takes its copy (transferred); the page keeps one for the neighbours panel.
    payload = ds.D
      ? () => ({ kind: "distances", data: squared(ds.D), n: ds.n, d: ds.n })
      : () => ({ kind: "vectors", ...flatten(ds.X) });
    const { data, n, d, kind } = payload();
    if (ds.D) panel.setSpace({ D: ds.D }, describe, "the distance matrix");
    else panel.setSpace(flatten(ds.X), describe, `${d}-D`);
    setGlyphs(ui.glyphs.checked);
    // No points until the worker's first layout arrives (P first): an empty plot, not a fake one.
    scatter.setData(new Float32Array(0), Uint16Array.from(ds.y), colors);
    scatter.resetView();
    shape = `${formatInt(n)} points · ${kind === "distances" ? "distance matrix" : `${d} dimensions`}`;
    ui.info.textContent = `${shape} · computing affinities…`;
    setState(live() ? "running" : "paused");
    generation += 1;
    const setup = { type: "setup", data, n, d, kind, params: { ...params, autoplay: live(), generation } };
    worker.postMessage(setup, [data.buffer]);
    loadCompare();
  }

  function restart() {
    if (!dataset || root.dataset.state === "error") {
      loadDataset(ui.select.value); // nothing valid is loaded: load (or re-parse) it first
      return;
    }
    let params;
    try {
      params = readParams(ui);
    } catch (err) {
      fail(err.message);
      return;
    }
    showMessage("");
    if (root.dataset.state === "done") playing = true;
    setState(live() ? "running" : "paused");
    generation += 1;
    worker.postMessage({ type: "restart", params: { ...params, autoplay: live(), generation } });
    compare?.restart(params, false); // new seed / learning rate / iterations: the three follow
  }

  worker.onmessage = (event) => {
    const msg = event.data;
    if (msg.generation !== undefined && msg.generation !== generation) return;
    if (msg.type === "ready") {
      const reduced = msg.perplexity < Number(ui.perplexity.value) ? ` (reduced for ${msg.n} points)` : "";
      ui.info.textContent = `${shape} · perplexity ${formatNumber(msg.perplexity, 3)}${reduced}` +
        ` · affinities in ${Math.round(msg.ms)} ms`;
    } else if (msg.type === "frame") {
      if (root.dataset.state === "error") return;
      if (!msg.Y.every(Number.isFinite)) {
        fail("t-SNE diverged: the layout's coordinates stopped being finite numbers. Try a smaller learning rate, or rescale the data.");
        return;
      }
      scatter.setPositions(msg.Y);
      root.dataset.iteration = String(msg.iteration);
      root.dataset.kl = Number.isFinite(msg.kl) ? msg.kl.toPrecision(6) : "";
      root.dataset.msPerIteration = msg.msPerIteration.toFixed(3);
      const max = ui.iterations.value;
      ui.status.textContent = `Iteration ${formatInt(msg.iteration)} / ${max} · KL divergence ${formatNumber(msg.kl)}`;
      // `playing` is the reader's intent (only Pause and Step clear it): a finished run keeps it,
      // so the next dataset or restart starts running again.
      setState(msg.state);
      if (msg.state === "done") announce(`Done: KL divergence ${formatNumber(msg.kl)} after ${msg.iteration} iterations.`);
      else if (msg.state === "paused") announce(`Paused at iteration ${msg.iteration}.`);
      else announce("Running.");
    } else if (msg.type === "error") {
      fail(`t-SNE stopped: ${msg.message}`);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    fail(`t-SNE worker failed: ${event.message || "unknown error"}`);
  };

  ui.play.addEventListener("click", () => {
    if (root.dataset.state === "running") {
      playing = false;
      worker.postMessage({ type: "pause" });
    } else if (root.dataset.state === "done") {
      restart();
    } else {
      playing = true;
      setState("running");
      worker.postMessage({ type: "play" });
    }
  });
  ui.step.addEventListener("click", () => {
    playing = false;
    worker.postMessage({ type: "step" });
  });
  ui.restart.addEventListener("click", () => restart());
  ui.select.addEventListener("change", () => loadDataset(ui.select.value));
  ui.parse.addEventListener("click", () => parseCustom());
  ui.parseMatrix.addEventListener("click", () => parseMatrix());
  ui.glyphs.addEventListener("change", () => setGlyphs(ui.glyphs.checked));
  ui.compareToggle.addEventListener("click", () => {
    const open = ui.compare.hidden;
    ui.compare.hidden = !open;
    ui.compareToggle.setAttribute("aria-pressed", String(open));
    if (!open) {
      compare?.stop(); // closed: no three O(N²) runs in the background
      return;
    }
    compare ??= new PerplexityCompare(ui.compare, { reduceMotion, describe: (i) => (dataset ? describe(i) : "") });
    loadCompare();
  });
  for (const input of [ui.perplexity, ui.learningRate, ui.seed]) input.addEventListener("change", () => restart());
  ui.iterations.addEventListener("change", () => {
    const v = Number(ui.iterations.value);
    if (Number.isInteger(v) && v >= 1) worker.postMessage({ type: "iterations", value: v });
  });

  setState(live() ? "running" : "paused");
  root.dataset.iteration = "0";
  root.dataset.onScreen = String(onScreen);
  if (reduceMotion && opts.autoplay) ui.status.textContent = "Reduced motion: press Play to start.";
  const observer = onScreen ? null : new view.IntersectionObserver((entries) => {
    const visible = entries[entries.length - 1].isIntersecting;
    if (visible === onScreen) return;
    onScreen = visible;
    root.dataset.onScreen = String(onScreen);
    if (!dataset || root.dataset.state === "error") return;
    if (onScreen && playing && root.dataset.state === "paused") {
      setState("running");
      worker.postMessage({ type: "play" });
    } else if (!onScreen && root.dataset.state === "running") {
      worker.postMessage({ type: "pause" }); // `playing` stays: it resumes when back in view
    }
  }, { threshold: 0.2 });
  observer?.observe(ui.plot);
  loadDataset(opts.dataset);

  return {
    destroy() {
      observer?.disconnect();
      worker.terminate();
      compare?.destroy();
      scatter.destroy();
      root.replaceChildren();
    },
  };
}
