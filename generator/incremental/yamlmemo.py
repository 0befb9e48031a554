"""Parsed YAML kept in `.blog-cache/` (the fragment memo, fragments.py) by the text parsed: the
config, layouts' and data files' front matter, and that of an edited post, parsed by every
`blog build` although they rarely change. With it a no-op rebuild, and most one-post edits, never
import PyYAML (~12 ms of start-up, issue #19).

Values are stored as the source index's tagged JSON (sources.py: never pickle, the cache may come
with a stranger's tree) and kept only when they decode back to the same value; each lookup decodes
a fresh copy, since callers may change what they get."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from generator import frontmatter
from generator.incremental import fragments
from generator.incremental.sources import Unencodable, decode_value, encode_value

# Part of every key: bump when what is stored changes.
YAML_RULES = "yaml-1"


class YamlMemo:
    def __init__(self) -> None:
        self.hits = 0  # what tests count

    def _key(self, text: str) -> str:
        return "yaml:" + fragments.key("yaml", YAML_RULES, fragments.version("PyYAML"), text)

    def get(self, text: str) -> tuple[bool, Any]:
        stored = fragments.lookup(self._key(text))
        if stored is None:
            return False, None
        try:
            value = decode_value(json.loads(stored))
        except (ValueError, TypeError, KeyError, IndexError):  # a damaged entry: parse the text
            return False, None
        self.hits += 1
        return True, value

    def put(self, text: str, value: Any) -> None:
        try:
            stored = json.dumps(encode_value(value), ensure_ascii=False)
        except (Unencodable, ValueError):
            return
        if repr(decode_value(json.loads(stored))) == repr(value):  # exactly the same, or not kept
            fragments.remember(self._key(text), stored)


@contextmanager
def kept() -> Iterator[YamlMemo]:
    """Use the memo for the duration (inside fragments.kept_in, where the fragment memo is open)."""
    previous, frontmatter.memo = frontmatter.memo, YamlMemo()
    try:
        yield frontmatter.memo
    finally:
        frontmatter.memo = previous
