// Validation of image sets: the `labels.tsv` a site author writes (filename<TAB>wnid per line)
// and the JSON manifest the demo loads (data/sample.json, sets/<name>.json). The generator checks
// labels.tsv at build time with the same rules (generator/labelsets.py); this copy lets the page
// refuse a broken manifest with a clear message instead of failing halfway through a session.

const IMAGE_FILE = /^[A-Za-z0-9][A-Za-z0-9._ -]*\.(jpe?g|png|webp|gif|avif)$/i;
const WNID = /^n\d{8}$/;

/**
 * Parse labels.tsv. Blank lines and lines starting with "#" are skipped.
 * @param {string} text
 * @param {Set<string>} classIds
 * @returns {{entries: Array<{file: string, label: string, line: number}>,
 *            errors: Array<{line: number, message: string}>}}
 */
export function parseLabelFile(text, classIds) {
  const entries = [];
  const errors = [];
  const seen = new Map();
  String(text).split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim() || raw.trimStart().startsWith("#")) return;
    const fields = raw.split("\t");
    if (fields.length !== 2 || !fields[0].trim() || !fields[1].trim()) {
      errors.push({ line, message: "expected 'filename<TAB>class id'" });
      return;
    }
    const file = fields[0].trim();
    const label = fields[1].trim();
    if (!IMAGE_FILE.test(file)) {
      errors.push({ line, message: `'${file}' is not a plain image file name (.jpg, .png, .webp, .gif, .avif)` });
    } else if (!WNID.test(label) || !classIds.has(label)) {
      errors.push({ line, message: `unknown ILSVRC class id '${label}'` });
    } else if (seen.has(file)) {
      errors.push({ line, message: `duplicate file '${file}' (first on line ${seen.get(file)})` });
    } else {
      seen.set(file, line);
      entries.push({ file, label, line });
    }
  });
  return { entries, errors };
}

/**
 * Check a set manifest. Two shapes: a plain non-empty list of {file, label, width?, height?} (the
 * sets a site declares, built by _plugins/ilsvrc_labelsets.py) or the demo's own
 * {format: "ilsvrc-set/2", models: [...], images: [...]} where each image may also carry every
 * acceptable label (`labels`), its credit (author, source, license, attribution) and the models'
 * top-5 (`predictions`: {modelId: [[classId, probability], ...]}).
 * @returns {{images: any[], models: any[], errors: string[]}}
 */
export function validateImageSet(json, classIds) {
  const errors = [];
  const list = Array.isArray(json) ? json : json && Array.isArray(json.images) ? json.images : null;
  const models = !Array.isArray(json) && json && Array.isArray(json.models) ? json.models.filter((m) => m && typeof m.id === "string") : [];
  if (!list || list.length === 0) {
    return { images: [], models: [], errors: ["an image set must be a non-empty list"] };
  }
  const files = new Set();
  const images = [];
  list.forEach((item, i) => {
    const where = `image ${i + 1}`;
    if (!item || typeof item.file !== "string" || !item.file) {
      errors.push(`${where}: missing file`);
    } else if (typeof item.label !== "string" || !classIds.has(item.label)) {
      errors.push(`${where}: unknown class id '${item.label}'`);
    } else if (files.has(item.file)) {
      errors.push(`${where}: duplicate file '${item.file}'`);
    } else if (item.labels !== undefined && (!Array.isArray(item.labels) || !item.labels.every((l) => classIds.has(l)))) {
      errors.push(`${where}: unknown class id in labels`);
    } else {
      files.add(item.file);
      const image = { file: item.file, label: item.label, labels: [item.label] };
      if (Array.isArray(item.labels)) image.labels = [item.label, ...item.labels.filter((l) => l !== item.label)];
      if (Number.isInteger(item.width) && Number.isInteger(item.height)) {
        image.width = item.width;
        image.height = item.height;
      }
      for (const key of ["author", "source", "license"]) if (typeof item[key] === "string") image[key] = item[key];
      image.attribution = item.attribution === true;
      image.predictions = {};
      for (const model of models) {
        const rows = item.predictions && item.predictions[model.id];
        if (Array.isArray(rows) && rows.every((r) => Array.isArray(r) && classIds.has(r[0]) && typeof r[1] === "number")) {
          image.predictions[model.id] = rows.map((r) => [r[0], r[1]]);
        }
      }
      images.push(image);
    }
  });
  return { images, models, errors };
}
