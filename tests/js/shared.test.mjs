// Unit tests of the DOM-free shared demo helpers in demos/_shared/.
import { test } from "node:test";
import assert from "node:assert/strict";

import { formatNumber, formatInt, formatDuration } from "../../demos/_shared/format.js";
import { PALETTE, categoryColor, categoryColors } from "../../demos/_shared/colors.js";

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
