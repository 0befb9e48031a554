// ILSVRC labeling interface: label images with up to five of the 1000 ILSVRC classes and see your
// top-1 / top-5 error, as in "what I learned from competing against a ConvNet on ImageNet".
// This file is the DOM layer only; the rules live in session.js, scoring.js, search.js, results.js.

import { el } from "./dom.js";
import { loadClasses } from "./classes.js";
import { createClassList } from "./classlist.js";
import { validateImageSet } from "./labels.js";
import { ERROR_TYPES, parseResults, storageKey } from "./results.js";
import { acceptable, duel, formatP, formatRate, humanScore, scoreModel, summarize } from "./scoring.js";
import * as S from "./session.js";
import { attachZoom } from "./zoom.js";

const CLASSES_PATH = "data/classes.json";
const SAMPLE_PATH = "data/sample.json";

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** The manifest of the chosen set: "sample" ships with the demo, others are built from _config.yml. */
function setPath(name) {
  return name === "sample" ? SAMPLE_PATH : `sets/${name}.json`;
}

export function mount(root, options = {}) {
  const assets = options.assets || {};
  const setName = String(options.set || "sample");
  const mode = options.mode === "test" ? "test" : "practice";
  root.classList.add("demo-ilsvrc");
  const loading = el("p.ilsvrc-message", { role: "status", text: "Loading the 1000 classes…" });
  root.replaceChildren(loading);

  const fail = (message) => {
    root.replaceChildren(el("p.ilsvrc-message.is-error", { role: "alert", text: message }));
  };
  const classesUrl = assets[CLASSES_PATH];
  const setUrl = assets[setPath(setName)];
  if (!classesUrl || !setUrl) {
    fail(`ILSVRC demo: no data for ${!classesUrl ? CLASSES_PATH : `image set '${setName}'`}.`);
    return;
  }
  Promise.all([fetchJson(classesUrl), fetchJson(setUrl)])
    .then(([classesJson, setJson]) => {
      const model = loadClasses(classesJson);
      const classIds = new Set(model.byId.keys());
      const { images, models, errors } = validateImageSet(setJson, classIds);
      if (errors.length) throw new Error(`image set '${setName}': ${errors.join("; ")}`);
      const missing = images.find((img) => !assets[img.file]);
      if (missing) throw new Error(`image set '${setName}': no URL for ${missing.file}`);
      const count = Number.isInteger(options.count) && options.count > 0 ? options.count : images.length;
      const params = { model, classIds, allImages: images.slice(0, count), models, assets, setName, mode, height: options.height };
      start(root, { ...params, subset: "all" });
    })
    .catch((error) => fail(`ILSVRC demo could not start: ${error.message}`));
}

function start(root, params) {
  const { model, classIds, allImages, models, assets, mode, height, subset } = params;
  const convnet = models[0] || null; // the ConvNet of the duel (the manifest's first model)
  const predictionsOf = (file) => (convnet && imageByFile.get(file)?.predictions?.[convnet.id]) || null;
  const imageByFile = new Map(allImages.map((img) => [img.file, img]));
  // The "hard" subset: photos the ConvNet gets wrong at top-1, one click away.
  const hardImages = convnet ? allImages.filter((img) => { const p = predictionsOf(img.file); return p && !scoreModel(p, img.labels).top1; }) : [];
  const images = subset === "hard" && hardImages.length ? hardImages : allImages;
  const setName = subset === "hard" && hardImages.length ? `${params.setName}/hard` : params.setName;
  const page = typeof location !== "undefined" ? location.pathname : "";
  const key = storageKey(setName, mode, page, root.id || "");
  const context = { set: setName, images, classIds };
  let session = loadSaved(key, context, mode) || S.createSession(setName, mode);
  const name = (id) => model.byId.get(id)?.name ?? id;
  const pct = (p) => `${(100 * p).toFixed(1)}%`;

  // ----- left: image, picks, actions, score -----
  const progress = el("p.ilsvrc-progress", { "aria-live": "polite" });
  const image = el("img.ilsvrc-image", { alt: "", draggable: "false" });
  const viewport = el("div.ilsvrc-viewport", {
    tabindex: "0",
    role: "group",
    "aria-label": "Image to label. Click or press + to zoom in, Shift+click or - to zoom out, 0 to reset, arrow keys or drag to pan",
  }, image);
  const zoom = attachZoom(viewport, image);
  const credit = el("p.ilsvrc-credit");
  const zoomBar = el("div.ilsvrc-zoombar", {},
    el("button", { type: "button", "aria-label": "Zoom out", text: "−", onclick: () => zoom.zoomOut() }),
    el("button", { type: "button", "aria-label": "Zoom in", text: "+", onclick: () => zoom.zoomIn() }),
    el("button", { type: "button", title: "Reset zoom", text: "Fit", onclick: () => zoom.reset() }));
  const picksList = el("ol.ilsvrc-picks", { "aria-label": "Your labels, best guess first" });
  const feedback = el("div.ilsvrc-feedback", { "aria-live": "polite" });
  const submitButton = el("button.ilsvrc-primary", { type: "button", onclick: () => primaryAction() });
  const answerButton = el("button", {
    type: "button", text: "Show answer", hidden: mode !== "practice",
    onclick: () => update(S.reveal(session)),
  });
  const score = el("div.ilsvrc-score", { "aria-live": "polite" });
  const hardButton = el("button.ilsvrc-hard", {
    type: "button",
    hidden: !hardImages.length,
    text: subset === "hard" ? `Back to all ${allImages.length} photos` : `Hard photos only: the ${hardImages.length} the ConvNet gets wrong (top-1)`,
    onclick: () => start(root, { ...params, subset: subset === "hard" ? "all" : "hard" }),
  });
  const toolStatus = el("p.ilsvrc-tool-status", { role: "status" });
  const fileInput = el("input", { type: "file", accept: "application/json,.json", hidden: true, "aria-hidden": "true", tabindex: "-1" });
  const confirmBox = el("div.ilsvrc-confirm", { hidden: true, role: "group", "aria-label": "Confirm reset" },
    el("span", { text: "Discard all answers for this set? " }),
    el("button", { type: "button", text: "Discard", onclick: () => doReset() }),
    el("button", { type: "button", text: "Keep", onclick: () => { confirmBox.hidden = true; } }));
  const tools = el("div.ilsvrc-tools", {},
    el("button.ilsvrc-export", { type: "button", text: "Export JSON", onclick: () => doExport() }),
    el("button", { type: "button", text: "Import JSON", onclick: () => fileInput.click() }),
    el("button", { type: "button", text: "Reset…", onclick: () => { confirmBox.hidden = false; } }),
    fileInput, confirmBox, toolStatus);
  const summary = el("section.ilsvrc-summary", { "aria-label": "Results per image" });

  // Class examples: shipped photos of a class (never the photo being labelled, never one still ahead).
  const examplesOf = (id) => allImages.filter((img) => img.labels.includes(id));
  const classList = createClassList(model, {
    idPrefix: root.id || "ilsvrc",
    exampleFor: (id) => {
      const current = images[Math.min(S.displayIndex(session), images.length - 1)];
      const answered = new Set(session.entries.map((e) => e.file));
      const example = examplesOf(id).find((img) => img.file !== current.file && (answered.has(img.file) || !images.includes(img)));
      return example ? assets[example.file] : null;
    },
    onPick: (id) => update(S.addPick(session, id, images)),
    onRemoveLast: () => update(S.removeLastPick(session)),
    onSubmit: () => primaryAction(),
  });

  // Grid areas: photo | classes, picks | classes, score | classes. On a phone the photo sticks to
  // the top while the reader searches the list below it.
  const media = el("div.ilsvrc-media", {}, progress, viewport, credit, zoomBar);
  const panel = el("div.ilsvrc-panel", {},
    el("h3.ilsvrc-subtitle", { text: "Your labels (best first, up to 5)" }), picksList,
    el("div.ilsvrc-actions", {}, submitButton, answerButton), feedback);
  const board = el("div.ilsvrc-board", {}, score, hardButton, tools);
  const layout = el("div.ilsvrc-layout", {}, media, panel, classList.element, board);
  if (Number.isInteger(height) && height > 0) layout.style.setProperty("--ilsvrc-height", `${height}px`);
  root.replaceChildren(layout, summary);

  // Ctrl+Enter submits from anywhere inside this instance, not only from the filter box. A property,
  // not addEventListener: switching to the hard subset restarts and must replace the handler.
  root.onkeydown = ((event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target !== classList.input) {
      event.preventDefault();
      primaryAction();
    }
  });
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (file) doImport(await file.text());
  });

  function primaryAction() {
    if (session.submitted) update(S.next(session));
    else update(S.submit(session, images));
    classList.input.focus();
  }

  function doExport() {
    const data = JSON.stringify(S.snapshot(session), null, 2);
    const link = el("a", { href: URL.createObjectURL(new Blob([data], { type: "application/json" })), download: `ilsvrc-${setName.replace("/", "-")}-${mode}.json` });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    toolStatus.textContent = `Exported ${session.entries.length} answers.`;
  }

  function doImport(text) {
    const parsed = parseResults(text, context);
    if (!parsed.ok) {
      toolStatus.textContent = `Import failed: ${parsed.errors.join("; ")}`;
      return;
    }
    const restored = S.restore(JSON.parse(text), context, mode);
    if (!restored) {
      toolStatus.textContent = `Import failed: results must be ${mode}-mode answers in image order.`;
      return;
    }
    toolStatus.textContent = `Imported ${restored.entries.length} answers.`;
    update(restored);
  }

  function doReset() {
    confirmBox.hidden = true;
    toolStatus.textContent = "All answers discarded.";
    update(S.createSession(setName, mode));
  }

  function update(next) {
    const imageChanged = S.displayIndex(next) !== S.displayIndex(session) || next.entries.length !== session.entries.length;
    session = next;
    try {
      localStorage.setItem(key, JSON.stringify(S.snapshot(session)));
    } catch {
      // Storage full or blocked (private mode): the session still works, it just won't survive a reload.
    }
    render(imageChanged);
  }

  let shownImage = -1;
  function render(resetZoom) {
    const finished = S.isFinished(session, images);
    const current = Math.min(S.displayIndex(session), images.length - 1);
    const img = images[current];
    if (current !== shownImage) {
      shownImage = current;
      image.src = assets[img.file];
      if (img.width && img.height) viewport.style.aspectRatio = `${img.width} / ${img.height}`;
      if (resetZoom) zoom.reset();
    }
    image.alt = `Image ${current + 1} of ${images.length}`;
    credit.replaceChildren(...creditParts(img));
    const done = session.entries.length;
    progress.textContent = finished ? `Done: ${done} of ${images.length}` : `${current + 1} of ${images.length}`;

    const editable = S.canEdit(session, images);
    const picks = session.submitted ? session.entries[done - 1].picks : session.picks;
    picksList.replaceChildren(...picks.map((id, i) => el("li.ilsvrc-pick", {},
      el("span.ilsvrc-pick-number", { "aria-hidden": "true", text: `${i + 1}.` }),
      el("span.ilsvrc-pick-name", { text: name(id) }),
      editable && el("button", { type: "button", "aria-label": `Move ${name(id)} up`, text: "↑", disabled: i === 0, onclick: () => update(S.movePick(session, i, -1)) }),
      editable && el("button", { type: "button", "aria-label": `Move ${name(id)} down`, text: "↓", disabled: i === picks.length - 1, onclick: () => update(S.movePick(session, i, 1)) }),
      editable && el("button", { type: "button", "aria-label": `Remove ${name(id)}`, text: "✕", onclick: () => update(S.removePick(session, i)) }))));
    if (!picks.length) picksList.append(el("li.ilsvrc-pick-empty", { text: "Type a class name in “Find a class” and press Enter." }));

    submitButton.textContent = session.submitted ? "Next image" : "Submit";
    submitButton.disabled = finished || (!session.submitted && !session.picks.length);
    submitButton.setAttribute("aria-keyshortcuts", "Control+Enter");
    answerButton.hidden = mode !== "practice" || finished || session.submitted;
    classList.setEnabled(editable);
    renderFeedback(finished);
    renderScore(finished);
    renderSummary(finished);
  }

  function renderFeedback(finished) {
    const lines = [];
    if (session.submitted) {
      const entry = session.entries[session.entries.length - 1];
      const result = humanScore(entry);
      const verdict = entry.revealed ? "Not scored as correct: the answer was shown." : result.top1 ? "Correct (top-1)." : result.top5 ? "Correct within your top 5." : "Wrong.";
      lines.push(el("p", { class: result.top5 ? "is-right" : "is-wrong", text: `${verdict} The answer is ${answerText(entry)}.` }));
      lines.push(duelTable(entry));
      lines.push(el("p.ilsvrc-hint", { text: "Press Ctrl+Enter or Next image to continue." }));
    } else if (session.revealed && !finished) {
      lines.push(el("p.ilsvrc-reveal", { text: `Answer: ${name(images[session.entries.length].label)}` }));
    } else if (mode === "test" && !finished) {
      lines.push(el("p.ilsvrc-hint", { text: "Test mode: answers are shown at the end." }));
    }
    feedback.replaceChildren(...lines);
  }

  function answerText(entry) {
    const accept = acceptable(entry);
    return accept.length > 1 ? `${name(accept[0])} (also accepted: ${accept.slice(1).map(name).join(", ")})` : name(accept[0]);
  }

  /** The reader's picks next to the ConvNet's top-5 with probabilities, right answers marked. */
  function duelTable(entry) {
    const accept = acceptable(entry);
    const predictions = predictionsOf(entry.file) || [];
    const cell = (id, extra) => el("td", { class: id && accept.includes(id) ? "is-right" : "" }, id ? `${name(id)}${extra || ""}` : "");
    const rows = [0, 1, 2, 3, 4].map((i) => el("tr", {},
      el("th", { scope: "row", text: String(i + 1) }),
      cell(entry.picks[i]),
      cell(predictions[i]?.[0], predictions[i] ? ` (${pct(predictions[i][1])})` : "")));
    return el("table.ilsvrc-duel", {},
      el("caption", { text: convnet ? `You vs ${convnet.name}` : "Your picks" }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "#" }), el("th", { scope: "col", text: "You" }),
        el("th", { scope: "col", text: convnet ? `${convnet.name} (probability)` : "—" }))),
      el("tbody", {}, ...rows));
  }

  function creditParts(img) {
    if (!img.source && !img.author) return [];
    const url = (img.source || "").match(/https?:\/\/\S+/)?.[0];
    return [
      "Photo: ", img.author || "", img.license ? ` — ${img.license.replace(/ \(stated.*$/, "")}` : "", " — ",
      url ? el("a", { href: url, rel: "noopener", target: "_blank", text: "source" }) : (img.source || ""),
    ];
  }

  function renderScore(finished) {
    if (mode === "test" && !finished) {
      score.replaceChildren(el("p", { text: `${session.entries.length} answered; score shown at the end.` }));
      return;
    }
    const stats = summarize(session.entries);
    if (stats.n === 0) {
      score.replaceChildren(el("p", { text: "No answers yet: top-1 and top-5 error appear after your first submit." }));
      return;
    }
    const parts = [
      el("p.ilsvrc-score-top1", { text: `Top-1 error: ${formatRate(stats.top1)} — ${stats.top1.errors} of ${stats.n} wrong` }),
      el("p.ilsvrc-score-top5", { text: `Top-5 error: ${formatRate(stats.top5)} — ${stats.top5.errors} of ${stats.n} wrong` }),
    ];
    if (convnet) {
      const d = duel(session.entries, (entry) => predictionsOf(entry.file));
      const row = (who, key) => el("tr", {}, el("th", { scope: "row", text: who }),
        el("td", { text: formatRate(d.top1[key]) }), el("td", { text: formatRate(d.top5[key]) }));
      parts.push(el("table.ilsvrc-scoreboard", {},
        el("caption", { text: `Scoreboard on the same ${d.n} photo${d.n === 1 ? "" : "s"}: error (95% Wilson interval)` }),
        el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "" }), el("th", { scope: "col", text: "Top-1 error" }), el("th", { scope: "col", text: "Top-5 error" }))),
        el("tbody", {}, row("You", "human"), row(convnet.name, "model"))));
      const test = (label, t) => `${label}: you alone right on ${t.b}, the ConvNet alone on ${t.c} — ${formatP(t.p)}`;
      parts.push(el("p.ilsvrc-mcnemar", {
        text: `Paired test (McNemar's exact test, two-sided; paired because you both labelled the same photos, so only the photos where exactly one of you was right count). ${test("Top-1", d.top1.test)}. ${test("Top-5", d.top5.test)}.`,
      }));
    }
    score.replaceChildren(...parts);
  }

  function renderSummary(finished) {
    // Practice mode shows the table as it grows (so errors can be tagged); test mode only at the end.
    const visible = finished || (mode === "practice" && session.entries.length > 0);
    summary.hidden = !visible;
    if (!visible) return;
    const tags = new Map();
    const rows = session.entries.map((entry, i) => {
      const result = humanScore(entry);
      const accept = acceptable(entry);
      const predictions = predictionsOf(entry.file) || [];
      if (entry.tag && !result.top1) tags.set(entry.tag, (tags.get(entry.tag) || 0) + 1);
      const select = !result.top1 && el("select.ilsvrc-tag-select", {
        "aria-label": `Error type of your answer to image ${i + 1}`,
        onchange: (event) => update(S.tagError(session, i, event.target.value)),
      }, el("option", { value: "", text: "Tag this error…" }),
      ...ERROR_TYPES.map((t) => el("option", { value: t.id, text: t.text, selected: entry.tag === t.id })));
      return el("tr", {},
        el("td", { text: String(i + 1) }),
        el("td", {}, el("img.ilsvrc-thumb", { src: assets[entry.file], alt: `Image ${i + 1}`, loading: "lazy" })),
        el("td", {}, ...entry.picks.map((id) => el("span", { class: accept.includes(id) ? "ilsvrc-tag is-right" : "ilsvrc-tag", text: name(id) }))),
        el("td", {}, ...predictions.map(([id, p]) => el("span", { class: accept.includes(id) ? "ilsvrc-tag is-right" : "ilsvrc-tag", text: `${name(id)} ${pct(p)}` }))),
        el("td", { text: answerText(entry) + (entry.revealed ? " (answer was shown)" : "") }),
        el("td", { text: result.top1 ? "✓" : "✗" }),
        el("td", { text: result.top5 ? "✓" : "✗" }),
        el("td", {}, select || ""));
    });
    const tally = [...tags].map(([id, count]) => `${ERROR_TYPES.find((t) => t.id === id).text}: ${count}`).join(" · ");
    summary.replaceChildren(
      el("h3", { text: "Your results" }),
      el("p.ilsvrc-tally", { text: tally ? `Your errors by type — ${tally}` : "Tag your top-1 errors with the post's error types to see where you go wrong." }),
      el("table.ilsvrc-table", {},
        el("thead", {}, el("tr", {}, ...["#", "Image", "Your labels", convnet ? convnet.name : "Model", "Truth", "Top-1", "Top-5", "Error type"].map((t) => el("th", { scope: "col", text: t })))),
        el("tbody", {}, ...rows)));
  }

  render(true);
}

function loadSaved(key, context, mode) {
  try {
    const text = localStorage.getItem(key);
    return text ? S.restore(JSON.parse(text), context, mode) : null;
  } catch {
    return null;
  }
}
