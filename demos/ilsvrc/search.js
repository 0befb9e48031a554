// Filtering the 1000 classes as the user types. Runs on every keystroke, so the index holds
// pre-normalised strings and `search` is one pass with no allocation per class beyond the result.

// Match tiers, best first. A class's rank is its best tier over all its strings; ties keep
// hierarchy order so related classes stay together.
export const TIER = Object.freeze({
  EXACT: 0, // a name or synonym equals the query
  WORD: 1, // it is a whole word of a name ("cat" in "tabby cat"): still an exact match, of a word
  PREFIX: 2, // a name or synonym starts with it
  WORD_PREFIX: 3, // a word inside a name or synonym starts with it
  GROUP_EXACT: 4, // a WordNet ancestor ("dog", "vehicle") equals it
  SUBSTRING: 5, // a name or synonym contains it
  GROUP_PREFIX: 6, // an ancestor name starts with it (or a word of it does)
  GROUP_SUBSTRING: 7,
});
const TIER_COUNT = 8;
const NO_MATCH = 99;

/** Lower case, accents removed, runs of spaces/punctuation collapsed to one space. */
export function normalize(text) {
  return String(text)
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[\s_\-'’,.()/]+/g, " ")
    .trim();
}

/** @param {{classes: any[], order: number[]}} model */
export function buildSearchIndex(model) {
  const position = new Array(model.classes.length);
  model.order.forEach((classIndex, rank) => { position[classIndex] = rank; });
  const entries = model.classes.map((cls) => ({
    index: cls.index,
    position: position[cls.index],
    names: [cls.name, ...cls.synonyms].map(normalize),
    groups: [...new Set(cls.ancestors.map(normalize))],
  }));
  return { entries, byPosition: model.order.slice() };
}

// Names are normalised to single spaces, so a word starts after a space.
function isWordPrefix(text, query) {
  return text.includes(" " + query);
}

function isWord(text, query) {
  for (let at = text.indexOf(query); at >= 0; at = text.indexOf(query, at + 1)) {
    const end = at + query.length;
    if ((at === 0 || text[at - 1] === " ") && (end === text.length || text[end] === " ")) return true;
  }
  return false;
}

function nameTier(text, query) {
  if (text === query) return TIER.EXACT;
  if (isWord(text, query)) return TIER.WORD;
  if (text.startsWith(query)) return TIER.PREFIX;
  if (isWordPrefix(text, query)) return TIER.WORD_PREFIX;
  if (text.includes(query)) return TIER.SUBSTRING;
  return NO_MATCH;
}

function groupTier(text, query) {
  if (text === query) return TIER.GROUP_EXACT;
  if (text.startsWith(query) || isWordPrefix(text, query)) return TIER.GROUP_PREFIX;
  if (text.includes(query)) return TIER.GROUP_SUBSTRING;
  return NO_MATCH;
}

/** Tier of one class for an already normalised query (NO_MATCH = 99 when it does not match). */
export function matchTier(entry, query) {
  let best = NO_MATCH;
  for (const name of entry.names) {
    const tier = nameTier(name, query);
    if (tier < best) best = tier;
    if (best === TIER.EXACT) return best;
  }
  if (best <= TIER.GROUP_EXACT) return best;
  for (const group of entry.groups) {
    const tier = groupTier(group, query);
    if (tier < best) best = tier;
  }
  return best;
}

/**
 * Class indices matching `query`, best first; an empty query gives every class in hierarchy order.
 * @returns {number[]}
 */
export function search(index, query) {
  const q = normalize(query);
  if (!q) return index.byPosition.slice();
  // Bucket by tier instead of sorting: entries are visited in hierarchy order, so each bucket
  // is already ordered and the whole search stays linear.
  const buckets = Array.from({ length: TIER_COUNT }, () => []);
  const entries = index.entries;
  const visit = index.byPosition;
  for (let i = 0; i < visit.length; i++) {
    const entry = entries[visit[i]];
    const tier = matchTier(entry, q);
    if (tier !== NO_MATCH) buckets[tier].push(entry.index);
  }
  return buckets.flat();
}
