// Unit tests of the DOM-free shared demo helpers in demos/_shared/.
import { test } from "node:test";
import assert from "node:assert/strict";

import { formatNumber, formatInt, formatDuration } from "../../demos/_shared/format.js";
import { PALETTE, PALETTE_20, categoryColor, categoryColors, colorsForLabels } from "../../demos/_shared/colors.js";

test("formatNumber keeps significant digits and handles edge values", () => {
  assert.equal(formatNumber(0.681234), "0.6812");
  assert.equal(formatNumber(12.3456), "12.35");
  assert.equal(formatNumber(1234.5678), "1235");
  assert.equal(formatNumber(-0.5, 3), "-0.500");
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(NaN), "–");
  assert.equal(formatNumber(Infinity), "∞");
  assert.equal(formatNumber(2.5e-7), "2.500e-7");
  assert.equal(formatNumber(3e9, 2), "3.0e+9");
});

test("formatInt groups thousands, independent of locale", () => {
  assert.equal(formatInt(1797), "1,797");
  assert.equal(formatInt(1000000), "1,000,000");
  assert.equal(formatInt(999), "999");
  assert.equal(formatInt(-12345), "-12,345");
  assert.equal(formatInt(NaN), "–");
});

test("formatDuration switches units", () => {
  assert.equal(formatDuration(850.4), "850 ms");
  assert.equal(formatDuration(1234), "1.23 s");
  assert.equal(formatDuration(12345), "12.3 s");
});

test("category colours: palette for few categories, distinct hues for many", () => {
  assert.deepEqual(categoryColors(10), [...PALETTE]);
  assert.equal(categoryColor(3, 4), PALETTE[3]);
  const many = categoryColors(40);
  assert.equal(new Set(many).size, 40);
  assert.ok(many.every((c) => /^hsl\(/.test(c)));
});

test("15 classes get 15 distinct palette colours, not near-identical hues", () => {
  const fifteen = categoryColors(15);
  assert.equal(new Set(fifteen).size, 15);
  assert.deepEqual(fifteen, PALETTE_20.slice(0, 15));
  // every pair differs clearly in RGB
  const rgb = (hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
  for (let i = 0; i < 15; i++) {
    for (let j = i + 1; j < 15; j++) {
      const d = Math.hypot(...rgb(fifteen[i]).map((v, k) => v - rgb(fifteen[j])[k]));
      assert.ok(d > 40, `${fifteen[i]} vs ${fifteen[j]}: ${d}`);
    }
  }
});

test("labels that name colours are drawn in those colours", () => {
  const [red, green, blue] = colorsForLabels(["red", "green", "blue"]);
  const rgb = (hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
  const dominant = (hex) => rgb(hex).indexOf(Math.max(...rgb(hex)));
  assert.deepEqual([dominant(red), dominant(green), dominant(blue)], [0, 1, 2]);
  assert.deepEqual(colorsForLabels(["cat", "dog"]), categoryColors(2), "other labels: the palette in order");
  assert.deepEqual(colorsForLabels(["red", "Red"]), categoryColors(2), "two labels naming one colour: palette");
});
