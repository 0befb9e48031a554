"""Pygments' plugin lookup (`pygments.plugin`) with `importlib.metadata` imported when a lookup
runs rather than when Pygments is imported (issue #19).

Pygments' own `pygments/plugin.py` imports `importlib.metadata` at its top, and `pygments.lexers`
imports it, and Python-Markdown's fenced code imports `pygments.lexers`: so every build that
converts one post — a one-edit `blog build` — paid ~10 ms for `importlib.metadata` and `email`
although Pygments asks for entry points only for a name its own tables lack (an unknown lexer,
style or formatter; a listing of all of them). This module is that file's API, function for
function (Pygments 2.x), with the import moved inside the one function that uses it; importing
this module puts it in `sys.modules` as `pygments.plugin` (markdown_engine.py imports it first).
Lookups give exactly what Pygments' module gives (tests/test_edit_imports.py: a plugin lexer is
still found)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable, Iterator
from typing import Any

LEXER_ENTRY_POINT = "pygments.lexers"
FORMATTER_ENTRY_POINT = "pygments.formatters"
STYLE_ENTRY_POINT = "pygments.styles"
FILTER_ENTRY_POINT = "pygments.filters"


@functools.cache
def iter_entry_points(group_name: str) -> Iterable[Any]:
    from importlib.metadata import entry_points  # the import this module exists to defer

    return entry_points().select(group=group_name)


def find_plugin_lexers() -> Iterator[Any]:
    for entrypoint in iter_entry_points(LEXER_ENTRY_POINT):
        yield entrypoint.load()


def find_plugin_formatters() -> Iterator[tuple[str, Any]]:
    for entrypoint in iter_entry_points(FORMATTER_ENTRY_POINT):
        yield entrypoint.name, entrypoint.load()


def find_plugin_styles() -> Iterator[tuple[str, Any]]:
    for entrypoint in iter_entry_points(STYLE_ENTRY_POINT):
        yield entrypoint.name, entrypoint.load()


def find_plugin_filters() -> Iterator[tuple[str, Any]]:
    for entrypoint in iter_entry_points(FILTER_ENTRY_POINT):
        yield entrypoint.name, entrypoint.load()


def install() -> None:
    """Stand in for `pygments.plugin` unless Pygments already imported its own (then nothing
    changes: its functions are already bound in `pygments.lexers` and the others)."""
    if "pygments.plugin" in sys.modules:
        return
    import pygments  # the package's __init__ alone: no lexer, no plugin lookup

    sys.modules["pygments.plugin"] = sys.modules[__name__]
    pygments.plugin = sys.modules[__name__]  # type: ignore[attr-defined]  (as an import would bind it)


install()
