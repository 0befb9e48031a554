// Unit tests of the ILSVRC demo's DOM-free modules, on the real data/classes.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { hierarchyRows, loadClasses } from "../../demos/ilsvrc/classes.js";
import { buildSearchIndex, normalize, search } from "../../demos/ilsvrc/search.js";
import { duel, formatP, formatRate, humanScore, mcnemarExact, scoreEntry, summarize, wilson } from "../../demos/ilsvrc/scoring.js";
import { parseResults, serializeResults, storageKey } from "../../demos/ilsvrc/results.js";
import { parseLabelFile, validateImageSet } from "../../demos/ilsvrc/labels.js";
import * as S from "../../demos/ilsvrc/session.js";

const demoDir = new URL("../../demos/ilsvrc/", import.meta.url);
const model = loadClasses(JSON.parse(readFileSync(fileURLToPath(new URL("data/classes.json", demoDir)), "utf8")));
const index = buildSearchIndex(model);
const classIds = new Set(model.byId.keys());
const names = (indices) => indices.map((i) => model.classes[i].name);
const byName = (name) => model.classes.find((c) => c.name === name);

const TABBY = "n02123045";
const TIGER_CAT = "n02123159";
const ESPRESSO = "n07920052";
const TRIPOD = "n04485082";
const images = [
  { file: "data/sample/a.jpg", label: TABBY },
  { file: "data/sample/b.jpg", label: ESPRESSO },
  { file: "data/sample/c.jpg", label: TRIPOD },
];
const context = { set: "sample", images, classIds };

test("search: 'tabby' finds 'tabby, tabby cat' first", () => {
  const results = search(index, "tabby");
  assert.equal(model.classes[results[0]].id, TABBY);
  assert.equal(search(index, "TABBY")[0], results[0], "case does not matter");
});

test("search: 'dog' lists the whole dog group, whole-word names first", () => {
  const results = search(index, "dog");
  const dogs = model.classes.filter((c) => c.ancestors.includes("dog"));
  assert.ok(dogs.length > 100, "the ILSVRC classes hold more than 100 dog breeds");
  const found = new Set(results);
  for (const dog of dogs) assert.ok(found.has(dog.index), `${dog.name} is listed for 'dog'`);
  // A breed with no "dog" in its names (found through its group) ranks below names containing the word.
  const chihuahua = results.indexOf(byName("Chihuahua").index);
  const maltese = results.indexOf(byName("Maltese dog").index);
  assert.ok(maltese < chihuahua);
});

test("search: exact, then whole word, then prefix, then substring", () => {
  assert.deepEqual(names(search(index, "espresso")).slice(0, 2), ["espresso", "espresso machine"]);
  const pot = names(search(index, "pot"));
  const at = (name) => {
    assert.ok(pot.includes(name), `${name} matches 'pot'`);
    return pot.indexOf(name);
  };
  assert.ok(at("pot pie") < at("potter's wheel"), "whole word before prefix");
  assert.ok(at("potter's wheel") < at("mashed potatoes"), "prefix of the name before prefix of a later word");
  assert.ok(at("mashed potatoes") < at("teapot"), "word prefix before substring");
});

test("search: empty query gives all 1000 in hierarchy order; nonsense gives none", () => {
  assert.deepEqual(search(index, "  "), model.order);
  assert.equal(model.order.length, 1000);
  assert.equal(new Set(model.order).size, 1000);
  assert.deepEqual(search(index, "zzzqqq"), []);
  assert.equal(normalize("Café  Noir-(x)"), "cafe noir x");
});

test("search: matches synonyms and WordNet group names", () => {
  assert.equal(model.classes[search(index, "Carassius auratus")[0]].name, "goldfish");
  const vehicles = search(index, "vehicle").map((i) => model.classes[i]);
  assert.ok(vehicles.some((c) => c.name === "ambulance"), "ambulance is a vehicle by its WordNet path");
});

test("hierarchy rows: headings in order, every class once, dogs contiguous", () => {
  const rows = hierarchyRows(model);
  const classRows = rows.filter((r) => r.kind === "class");
  assert.equal(classRows.length, 1000);
  const level1 = rows.filter((r) => r.kind === "heading" && r.level === 1).map((r) => r.text);
  assert.equal(new Set(level1).size, level1.length, "each level-1 heading appears once");
  assert.ok(level1.includes("dog"));
  const dogPositions = classRows.map((r, i) => (model.classes[r.index].heading === "dog" ? i : -1)).filter((i) => i >= 0);
  assert.equal(dogPositions.at(-1) - dogPositions[0] + 1, dogPositions.length, "dog classes are contiguous");
});

test("scoring: top-1 and top-5", () => {
  assert.deepEqual(scoreEntry([TABBY, TIGER_CAT], TABBY), { top1: true, top5: true });
  assert.deepEqual(scoreEntry([TIGER_CAT, TABBY], TABBY), { top1: false, top5: true });
  assert.deepEqual(scoreEntry(["a", "b", "c", "d", "e", TABBY], TABBY), { top1: false, top5: false });
  const stats = summarize([
    { picks: [TABBY], truth: TABBY },
    { picks: [TIGER_CAT, TABBY], truth: TABBY },
    { picks: [TRIPOD], truth: ESPRESSO },
  ]);
  assert.equal(stats.n, 3);
  assert.equal(stats.top1.errors, 2);
  assert.equal(stats.top5.errors, 1);
  assert.ok(Math.abs(stats.top1.p - 2 / 3) < 1e-12);
});

test("Wilson interval matches reference values (scipy.stats.binomtest ... method='wilson')", () => {
  const cases = [
    [0, 10, 0.0, 0.277533],
    [5, 10, 0.236593, 0.763407],
    [4, 20, 0.080658, 0.416017],
    [77, 1500, 0.041267, 0.063691], // 5.1%: the human error in the post
    [102, 1500, 0.056332, 0.081875], // 6.8%: GoogLeNet on the same images
  ];
  for (const [k, n, low, high] of cases) {
    const ci = wilson(k, n);
    assert.ok(Math.abs(ci.low - low) < 1e-6, `low of ${k}/${n}: ${ci.low}`);
    assert.ok(Math.abs(ci.high - high) < 1e-6, `high of ${k}/${n}: ${ci.high}`);
  }
  assert.ok(Number.isNaN(wilson(0, 0).p));
  assert.throws(() => wilson(11, 10), RangeError);
  assert.equal(formatRate(wilson(5, 10)), "50.0% (95% CI 23.7–76.3%)");
});

test("results: serialisation round-trip", () => {
  const entries = [
    { file: images[0].file, picks: [TIGER_CAT, TABBY], truth: TABBY, accept: [TABBY], revealed: false, tag: "fine-grained" },
    { file: images[1].file, picks: [ESPRESSO], truth: ESPRESSO, accept: [ESPRESSO], revealed: true },
  ];
  const json = JSON.stringify(serializeResults({ set: "sample", mode: "practice", entries }));
  const parsed = parseResults(json, context);
  assert.equal(parsed.ok, true);
  assert.deepEqual(parsed.value, { set: "sample", mode: "practice", entries });
  assert.notEqual(storageKey("sample", "test"), storageKey("mine", "test"));
  // The post's embed and the demo page (or two embeds on one page) keep separate progress.
  assert.notEqual(storageKey("sample", "practice", "/2014/09/02/post/", "demo-ilsvrc-1"), storageKey("sample", "practice", "/demos/ilsvrc/", "demo-ilsvrc-1"));
  assert.notEqual(storageKey("sample", "practice", "/p/", "demo-ilsvrc-1"), storageKey("sample", "practice", "/p/", "demo-ilsvrc-2"));
  const tagged = JSON.parse(json);
  tagged.entries[0].tag = "made-up";
  assert.equal(parseResults(tagged, context).ok, false, "unknown error types are refused");
});

test("results: bad imports are rejected with a reason", () => {
  const good = serializeResults({ set: "sample", mode: "test", entries: [{ file: images[0].file, picks: [TABBY], truth: TABBY }] });
  const bad = (mutate) => {
    const copy = structuredClone(good);
    mutate(copy);
    return parseResults(copy, context);
  };
  assert.equal(parseResults("{not json", context).ok, false);
  assert.equal(parseResults("[]", context).ok, false);
  assert.equal(bad((d) => { d.format = "other"; }).ok, false);
  assert.equal(bad((d) => { d.version = 2; }).ok, false);
  assert.equal(bad((d) => { d.set = "mine"; }).ok, false);
  assert.equal(bad((d) => { d.mode = "cheat"; }).ok, false);
  assert.equal(bad((d) => { d.entries[0].file = "data/sample/zzz.jpg"; }).ok, false);
  assert.equal(bad((d) => { d.entries[0].picks = ["n99999999"]; }).ok, false);
  assert.equal(bad((d) => { d.entries[0].picks = []; }).ok, false);
  assert.equal(bad((d) => { d.entries[0].picks = [TABBY, TABBY]; }).ok, false);
  assert.equal(bad((d) => { d.entries[0].picks = [...classIds].slice(0, 6); }).ok, false);
  assert.equal(bad((d) => { d.entries[0].truth = TRIPOD; }).ok, false, "a forged truth is refused");
  assert.equal(bad((d) => { d.entries.push(structuredClone(d.entries[0])); }).ok, false, "duplicate image");
  const ok = bad(() => {});
  assert.equal(ok.ok, true);
});

test("session: picks, submit, practice feedback, restore", () => {
  let s = S.createSession("sample", "practice");
  s = S.addPick(s, TIGER_CAT, images);
  s = S.addPick(s, TABBY, images);
  s = S.addPick(s, TABBY, images); // duplicate ignored
  assert.deepEqual(s.picks, [TIGER_CAT, TABBY]);
  s = S.movePick(s, 1, -1);
  assert.deepEqual(s.picks, [TABBY, TIGER_CAT]);
  for (const id of [...classIds].slice(0, 6)) s = S.addPick(s, id, images);
  assert.equal(s.picks.length, 5, "at most five picks");
  s = S.removeLastPick(s);
  assert.equal(s.picks.length, 4);
  s = S.submit(s, images);
  assert.equal(s.submitted, true);
  assert.equal(S.displayIndex(s), 0, "feedback keeps the answered image on screen");
  assert.equal(S.addPick(s, ESPRESSO, images), s, "no picks while feedback shows");
  s = S.next(s);
  assert.equal(S.displayIndex(s), 1);
  s = S.addPick(S.reveal(s), ESPRESSO, images);
  const restored = S.restore(JSON.parse(JSON.stringify(S.snapshot(s))), context, "practice");
  assert.deepEqual(restored, s, "a reload restores answers and the unfinished picks");
  assert.equal(S.restore(S.snapshot(s), context, "test"), null, "practice results do not load in test mode");
  s = S.submit(s, images);
  assert.equal(s.entries[1].revealed, true);
});

test("session: test mode moves on and finishes", () => {
  let s = S.createSession("sample", "test");
  assert.equal(S.reveal(s), s, "no Show answer in test mode");
  for (const img of images) s = S.submit(S.addPick(s, img.label, images), images);
  assert.equal(S.isFinished(s, images), true);
  assert.equal(S.submit(S.addPick(s, TABBY, images), images).entries.length, 3);
  assert.equal(summarize(s.entries).top1.errors, 0);
});

test("label file validation: one error per bad line, with its line number", () => {
  const text = [
    "# my photos",
    "cat.jpg\tn02123045",
    "",
    "cup.png\tn99999999",
    "no-tab-here.jpg n02123045",
    "cat.jpg\tn07920052",
    "../escape.jpg\tn02123045",
    "notes.txt\tn02123045",
    "extra.jpg\tn02123045\tmore",
    "ok.webp\tn04485082",
  ].join("\n");
  const { entries, errors } = parseLabelFile(text, classIds);
  assert.deepEqual(entries.map((e) => [e.file, e.label, e.line]), [["cat.jpg", TABBY, 2], ["ok.webp", TRIPOD, 10]]);
  assert.deepEqual(errors.map((e) => e.line), [4, 5, 6, 7, 8, 9]);
  assert.match(errors[0].message, /unknown ILSVRC class id 'n99999999'/);
  assert.match(errors[2].message, /duplicate file 'cat.jpg' \(first on line 2\)/);
});

test("image set validation", () => {
  assert.equal(validateImageSet([], classIds).errors.length, 1);
  const { images: ok, errors } = validateImageSet([
    { file: "a.jpg", label: TABBY, width: 10, height: 5 },
    { file: "a.jpg", label: TABBY },
    { file: "b.jpg", label: "n00000000" },
  ], classIds);
  assert.deepEqual(ok, [{ file: "a.jpg", label: TABBY, labels: [TABBY], width: 10, height: 5, attribution: false, predictions: {} }]);
  assert.equal(errors.length, 2);
  // The demo's own manifest: acceptable labels, credit and the model's top-5 come through.
  const v2 = validateImageSet({
    format: "ilsvrc-set/2",
    models: [{ id: "m", name: "M" }],
    images: [{ file: "c.jpg", label: TABBY, labels: [TABBY, TIGER_CAT], author: "A", license: "CC-BY-2.0", attribution: true,
      predictions: { m: [[TIGER_CAT, 0.6], [TABBY, 0.3]] } }],
  }, classIds);
  assert.deepEqual(v2.errors, []);
  assert.deepEqual(v2.images[0].labels, [TABBY, TIGER_CAT]);
  assert.deepEqual(v2.images[0].predictions.m, [[TIGER_CAT, 0.6], [TABBY, 0.3]]);
  assert.equal(v2.images[0].attribution, true);
  assert.equal(validateImageSet({ images: [{ file: "c.jpg", label: TABBY, labels: ["n00000000"] }] }, classIds).errors.length, 1);
});

test("McNemar's exact test: binomial tail on the discordant pairs", () => {
  // b = 0, c = 6: p = 2 * 0.5^6 = 0.03125 (exact two-sided binomial test).
  assert.ok(Math.abs(mcnemarExact(0, 6).p - 0.03125) < 1e-12);
  // b = 2, c = 8 (n = 10): 2 * (1 + 10 + 45) / 1024 = 0.109375; symmetric in b and c.
  assert.ok(Math.abs(mcnemarExact(2, 8).p - 0.109375) < 1e-12);
  assert.equal(mcnemarExact(8, 2).p, mcnemarExact(2, 8).p);
  assert.equal(mcnemarExact(5, 5).p, 1, "capped at 1");
  assert.ok(Number.isNaN(mcnemarExact(0, 0).p), "no discordant photo: no test");
  // Large n stays finite (log-space sum): b = 40, c = 60 gives p ~ 0.0569 (scipy.stats.binomtest).
  assert.ok(Math.abs(mcnemarExact(40, 60).p - 0.05688793364098078) < 1e-9);
  assert.throws(() => mcnemarExact(-1, 2), RangeError);
  assert.equal(formatP(0.0001), "p < 0.001");
  assert.equal(formatP(0.03125), "p = 0.031");
});

test("duel: human vs model on the same photos, multi-label truth, revealed answers count as wrong", () => {
  const model = (top) => top.map((id, i) => [id, 0.5 / (i + 1)]);
  const entries = [
    { file: "a", picks: [TABBY], truth: TABBY, accept: [TABBY] }, // both right
    { file: "b", picks: [TIGER_CAT], truth: TABBY, accept: [TABBY, TIGER_CAT] }, // human right via 2nd label
    { file: "c", picks: [ESPRESSO], truth: ESPRESSO, accept: [ESPRESSO], revealed: true }, // answer shown: wrong
    { file: "d", picks: [TRIPOD, TABBY], truth: TABBY, accept: [TABBY] }, // human top-5 only
  ];
  const predictions = { a: model([TABBY]), b: model([TRIPOD, TIGER_CAT]), c: model([ESPRESSO]), d: model([TABBY]) };
  const d = duel(entries, (e) => predictions[e.file]);
  assert.equal(d.n, 4);
  assert.equal(d.top1.human.errors, 2); // c (revealed), d
  assert.equal(d.top1.model.errors, 1); // b
  assert.deepEqual([d.top1.test.b, d.top1.test.c], [1, 2]); // human alone: b; model alone: c, d
  assert.equal(d.top5.human.errors, 1); // c
  assert.equal(d.top5.model.errors, 0);
  assert.equal(humanScore(entries[2]).top1, false);
  assert.equal(summarize(entries).top1.errors, 2);
  assert.deepEqual(scoreEntry([TIGER_CAT], [TABBY, TIGER_CAT]), { top1: true, top5: true });
});

test("session: 'Show answer' then submit is not scored correct; errors can be tagged", () => {
  const imgs = [{ file: "a", label: TABBY, labels: [TABBY] }, { file: "b", label: ESPRESSO, labels: [ESPRESSO] }];
  let s = S.createSession("sample", "practice");
  s = S.reveal(s);
  s = S.addPick(s, TABBY, imgs);
  s = S.submit(s, imgs);
  assert.equal(s.entries[0].revealed, true);
  assert.equal(summarize(s.entries).top1.errors, 1);
  s = S.tagError(s, 0, "class-unawareness");
  assert.equal(s.entries[0].tag, "class-unawareness");
  assert.equal(S.tagError(s, 0, "nonsense"), s, "unknown tags are ignored");
  assert.equal(S.tagError(s, 0, "").entries[0].tag, undefined);
});
