// Results as JSON: what is saved in localStorage and what Export/Import exchange. Imports come from
// a file the user picked, so everything is checked against the current image set before use.

import { MAX_PICKS } from "./scoring.js";

export const RESULTS_FORMAT = "ilsvrc-results";
export const RESULTS_VERSION = 1;

/** The post's error types ("Analysis of errors"), for the reader to tag their own errors with. */
export const ERROR_TYPES = Object.freeze([
  { id: "fine-grained", text: "Fine-grained recognition" },
  { id: "class-unawareness", text: "Class unawareness" },
  { id: "insufficient-training", text: "Insufficient training data" },
  { id: "multiple-objects", text: "Multiple objects" },
  { id: "small-thin", text: "Object small or thin" },
  { id: "filter", text: "Image filter" },
  { id: "abstract", text: "Abstract representation" },
  { id: "incorrect-annotation", text: "Incorrect annotation" },
  { id: "other", text: "Other (closeup, viewpoint, text, occlusion…)" },
]);

/**
 * localStorage key: one saved session per page, embed, image set and mode, so the post's embed and
 * the demo's own page (or two embeds on one page) never share progress.
 */
export function storageKey(setName, mode, page = "", embed = "") {
  return `demo-ilsvrc:${RESULTS_VERSION}:${page}#${embed}:${setName}:${mode}`;
}

/**
 * @param {{set: string, mode: string, entries: Array<{file: string, picks: string[], truth: string,
 *          revealed?: boolean}>}} results
 */
export function serializeResults({ set, mode, entries }) {
  return {
    format: RESULTS_FORMAT,
    version: RESULTS_VERSION,
    set,
    mode,
    entries: entries.map((e) => ({
      file: e.file, picks: e.picks.slice(), truth: e.truth, revealed: !!e.revealed, ...(e.tag ? { tag: e.tag } : {}),
    })),
  };
}

/**
 * Validate results data (a JSON string or parsed object) against the current set.
 * Truth is taken from the set, never from the file, so an edited file cannot fake a score.
 * @param {{set: string, images: Array<{file: string, label: string}>, classIds: Set<string>}} context
 * @returns {{ok: true, value: {set: string, mode: string, entries: any[]}} | {ok: false, errors: string[]}}
 */
export function parseResults(data, { set, images, classIds }) {
  let value = data;
  if (typeof data === "string") {
    try {
      value = JSON.parse(data);
    } catch (error) {
      return { ok: false, errors: [`not JSON: ${error.message}`] };
    }
  }
  const fail = (message) => ({ ok: false, errors: [message] });
  if (!value || typeof value !== "object" || Array.isArray(value)) return fail("results must be a JSON object");
  if (value.format !== RESULTS_FORMAT) return fail(`not an ILSVRC results file (format must be '${RESULTS_FORMAT}')`);
  if (value.version !== RESULTS_VERSION) return fail(`unsupported version ${value.version}`);
  if (value.set !== set) return fail(`these results are for set '${value.set}', not '${set}'`);
  if (value.mode !== "practice" && value.mode !== "test") return fail("mode must be 'practice' or 'test'");
  if (!Array.isArray(value.entries)) return fail("entries must be a list");

  const truthByFile = new Map(images.map((img) => [img.file, img.label]));
  const acceptByFile = new Map(images.map((img) => [img.file, img.labels || [img.label]]));
  const errors = [];
  const seen = new Set();
  const entries = [];
  value.entries.forEach((entry, i) => {
    const where = `entry ${i + 1}`;
    if (!entry || typeof entry !== "object") return errors.push(`${where}: not an object`);
    if (!truthByFile.has(entry.file)) return errors.push(`${where}: unknown image '${entry.file}'`);
    if (seen.has(entry.file)) return errors.push(`${where}: '${entry.file}' appears twice`);
    const picks = entry.picks;
    if (!Array.isArray(picks) || picks.length === 0 || picks.length > MAX_PICKS) {
      return errors.push(`${where}: picks must be a list of 1 to ${MAX_PICKS} class ids`);
    }
    if (picks.some((p) => typeof p !== "string" || !classIds.has(p))) {
      return errors.push(`${where}: unknown class id in picks`);
    }
    if (new Set(picks).size !== picks.length) return errors.push(`${where}: a class is picked twice`);
    if (entry.truth !== undefined && entry.truth !== truthByFile.get(entry.file)) {
      return errors.push(`${where}: truth does not match the image set`);
    }
    if (entry.tag !== undefined && !ERROR_TYPES.some((t) => t.id === entry.tag)) return errors.push(`${where}: unknown error type '${entry.tag}'`);
    seen.add(entry.file);
    const restored = { file: entry.file, picks: picks.slice(), truth: truthByFile.get(entry.file), accept: acceptByFile.get(entry.file), revealed: !!entry.revealed };
    if (entry.tag) restored.tag = entry.tag;
    entries.push(restored);
  });
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { set: value.set, mode: value.mode, entries } };
}
