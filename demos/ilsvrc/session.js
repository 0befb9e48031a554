// The labeling session as plain data and pure transitions (each returns a new state), so the DOM
// layer only renders and node can test the rules.
//
// Images are labeled in order; entries[k] is the answer for images[k]. In practice mode a submit
// keeps the image on screen with the answer (`submitted`) until `next`; in test mode it moves on.

import { MAX_PICKS } from "./scoring.js";
import { ERROR_TYPES, parseResults, serializeResults } from "./results.js";

/** @typedef {{set: string, mode: "practice"|"test", entries: any[], picks: string[],
 *             revealed: boolean, submitted: boolean}} Session */

export function createSession(set, mode) {
  return { set, mode: mode === "test" ? "test" : "practice", entries: [], picks: [], revealed: false, submitted: false };
}

export function isFinished(session, images) {
  return session.entries.length >= images.length && !session.submitted;
}

/** Index of the image on screen (the answered one while its feedback shows). */
export function displayIndex(session) {
  return session.submitted ? session.entries.length - 1 : session.entries.length;
}

/** Can the user still change the picks for the image on screen? */
export function canEdit(session, images) {
  return !session.submitted && session.entries.length < images.length;
}

export function addPick(session, classId, images) {
  if (!canEdit(session, images) || session.picks.length >= MAX_PICKS || session.picks.includes(classId)) return session;
  return { ...session, picks: [...session.picks, classId] };
}

export function removePick(session, position) {
  if (session.submitted || position < 0 || position >= session.picks.length) return session;
  return { ...session, picks: session.picks.filter((_, i) => i !== position) };
}

export function removeLastPick(session) {
  return removePick(session, session.picks.length - 1);
}

/** Move a pick up (delta -1) or down (+1); order matters because only the first counts for top-1. */
export function movePick(session, position, delta) {
  const target = position + delta;
  if (session.submitted || position < 0 || target < 0 || target >= session.picks.length) return session;
  const picks = session.picks.slice();
  [picks[position], picks[target]] = [picks[target], picks[position]];
  return { ...session, picks };
}

/** "Show answer" exists only in practice mode; the entry remembers that the answer was seen. */
export function reveal(session) {
  if (session.mode !== "practice") return session;
  return { ...session, revealed: true };
}

export function submit(session, images) {
  if (!canEdit(session, images) || session.picks.length === 0) return session;
  const image = images[session.entries.length];
  const entry = { file: image.file, picks: session.picks, truth: image.label, accept: image.labels || [image.label], revealed: session.revealed };
  const entries = [...session.entries, entry];
  return { ...session, entries, picks: [], revealed: false, submitted: session.mode === "practice" };
}

/** Tag the reader's own error on entry `index` with one of the post's error types ("" clears it). */
export function tagError(session, index, tag) {
  if (index < 0 || index >= session.entries.length || (tag && !ERROR_TYPES.some((t) => t.id === tag))) return session;
  const entries = session.entries.slice();
  entries[index] = { ...entries[index], tag: tag || undefined };
  return { ...session, entries };
}

/** Leave the practice feedback for the next image. */
export function next(session) {
  return session.submitted ? { ...session, submitted: false } : session;
}

/** Storage snapshot: the results file plus the unfinished picks, so a reload loses nothing. */
export function snapshot(session) {
  return {
    ...serializeResults(session),
    draft: { picks: session.picks, revealed: session.revealed, submitted: session.submitted },
  };
}

/** Rebuild a session from a snapshot or an imported results file; null when it does not validate. */
export function restore(data, context, mode) {
  const parsed = parseResults(data, context);
  if (!parsed.ok || parsed.value.mode !== mode) return null;
  // Entries must be a prefix of the image order: the session labels images in sequence.
  const entries = parsed.value.entries;
  if (entries.some((e, i) => context.images[i].file !== e.file)) return null;
  const session = { ...createSession(context.set, mode), entries };
  const draft = typeof data === "object" && data && data.draft ? data.draft : null;
  if (!draft) return session;
  const picks = Array.isArray(draft.picks)
    ? draft.picks.filter((p, i, all) => context.classIds.has(p) && all.indexOf(p) === i).slice(0, MAX_PICKS)
    : [];
  const submitted = !!draft.submitted && mode === "practice" && entries.length > 0;
  return { ...session, picks: submitted ? [] : picks, revealed: !!draft.revealed && !submitted, submitted };
}
