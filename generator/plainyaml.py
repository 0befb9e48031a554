"""The plainest front matter read without PyYAML (issue #19, session 6): `key: value` lines whose
values are quoted strings without escapes, words, whole numbers, booleans, dates and flow lists of
words — what `blog new` writes and most posts hold. A one-post edit of such a post then never
imports PyYAML (~12 ms of a new process; the YAML memo knows only front matter it parsed before).

`parse(text)` gives (True, value) only when the value is certainly what PyYAML's safe loader
(YAML 1.1 resolution) makes of `text`, type for type; anything else, however ordinary — a comment,
an indented line, an escape, a float, a time zone, a word PyYAML resolves otherwise — is
(False, None), and the caller asks PyYAML. tests/test_plainyaml.py compares both on generated
texts, near misses included."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
# A word or words: starts with a letter (so never a number, date, `.inf`, `~` or an indicator);
# no `:`, `#`, tab, quote at the start, brackets or commas (flow and comment syntax).
WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_.+/()!?'-]*(?: [A-Za-z0-9_.+/()!?'-]+)*\Z")
INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
DATETIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})\Z")
# What `blog new` writes (strftime's %z): a zone without a colon is no YAML timestamp, so a string.
DATETIME_ZONE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\Z")
# YAML 1.1 as PyYAML resolves plain scalars: these exact spellings are booleans or null …
RESOLVED: dict[str, Any] = {
    **{word: True for word in ("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")},
    **{word: False for word in ("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")},
    **{word: None for word in ("null", "Null", "NULL")},
}
# … and other spellings of them are strings, but rare enough to leave to PyYAML.
NEAR_RESOLVED = {"yes", "no", "true", "false", "on", "off", "null"}


def parse(text: str) -> tuple[bool, Any]:
    """(True, the mapping) when `text` is only plain `key: value` lines; else (False, None)."""
    values: dict[str, Any] = {}
    for line in text.split("\n"):
        if not line.strip(" "):
            continue  # blank lines mean nothing to YAML
        key, colon, rest = line.partition(":")
        if not colon or not KEY.match(key) or key.lower() in NEAR_RESOLVED:
            return False, None
        rest = rest.rstrip(" ")
        if not rest:
            values[key] = None
            continue
        if not rest.startswith(" ") or rest.startswith("  "):
            return False, None  # `key:value` is one string to YAML; a second space: leave to PyYAML
        known, value = _value(rest[1:])
        if not known:
            return False, None
        values[key] = value
    return (True, values) if values else (False, None)


def _value(text: str) -> tuple[bool, Any]:
    if not text.isprintable():
        return False, None  # tabs and control characters: PyYAML's rules, and errors
    first = text[0]
    if first in "\"'":
        inner = text[1:-1]
        if len(text) >= 2 and text[-1] == first and first not in inner and "\\" not in inner:
            return True, inner
        return False, None
    if first == "[" and text[-1] == "]":
        inner = text[1:-1].strip(" ")
        if not inner:
            return True, []
        items = [item.strip(" ") for item in inner.split(",")]
        if all(_is_word(item) for item in items):
            return True, items
        return False, None
    if text in RESOLVED:
        return True, RESOLVED[text]
    if INTEGER.match(text):
        return True, int(text)
    return _scalar(text)


def _scalar(text: str) -> tuple[bool, Any]:
    found = DATE.match(text)
    if found:
        return _made(dt.date, found.groups())
    found = DATETIME.match(text)
    if found:
        return _made(dt.datetime, found.groups())
    if DATETIME_ZONE_TEXT.match(text):
        return True, text
    if _is_word(text):
        return True, text
    return False, None


def _is_word(text: str) -> bool:
    return WORDS.match(text) is not None and text.lower() not in NEAR_RESOLVED


def _made(kind: type, parts: tuple[str, ...]) -> tuple[bool, Any]:
    try:
        return True, kind(*(int(part) for part in parts))
    except ValueError:
        return False, None  # 2020-13-45: PyYAML's error, at its line
