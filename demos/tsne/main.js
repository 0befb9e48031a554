// t-SNE explorer: the page side. Builds the controls inside the demo root, loads a dataset,
// hands it to the worker (which runs the optimiser) and draws the frames it sends back.
// Test hooks on the root: data-iteration, data-kl, data-state (running|paused|done|error).
import { parseVectors, validateDataset, ParseError } from "./parse.js";
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
  };
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
  root.append(controls, ui.custom, ui.message, ui.status, ui.announce, ui.plot, ui.legend, ui.info);
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

  const scatter = new Scatter(ui.plot, {
    height: Number(opts.height) || DEFAULTS.height,
    label: "t-SNE embedding",
    describe: (i) => describe(i),
    // A click or tap pins the tooltip; a paragraph opens only from its link, on purpose.
    link: (i) => (dataset && dataset.url && dataset.url[i]) || null,
    onDraw: (n) => {
      if (firstFrame && n > 0) {
        firstFrame = false;
        view.performance.mark("tsne:first-frame");
      }
    },
  });

  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });

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
    };
    ui.legend.replaceChildren(...buttons.map((b) => el(doc, "li", {}, [b])));
    scatter.setHidden(hidden);
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
    if (name === "custom") return parseCustom();
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
    const colors = drawLegend();
    const { data, n, d } = flatten(ds.X);
    // No points until the worker's first layout arrives (P first): an empty plot, not a fake one.
    scatter.setData(new Float32Array(0), Uint16Array.from(ds.y), colors);
    scatter.resetView();
    ui.info.textContent = `${formatInt(n)} points · ${d} dimensions · computing affinities…`;
    setState(live() ? "running" : "paused");
    generation += 1;
    const setup = { type: "setup", data, n, d, params: { ...params, autoplay: live(), generation } };
    worker.postMessage(setup, [data.buffer]);
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
  }

  worker.onmessage = (event) => {
    const msg = event.data;
    if (msg.generation !== undefined && msg.generation !== generation) return;
    if (msg.type === "ready") {
      const reduced = msg.perplexity < Number(ui.perplexity.value) ? ` (reduced for ${msg.n} points)` : "";
      ui.info.textContent = `${formatInt(msg.n)} points · perplexity ${formatNumber(msg.perplexity, 3)}${reduced}` +
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
      scatter.destroy();
      root.replaceChildren();
    },
  };
}
