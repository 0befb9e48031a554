"""`render_markdown(text) -> MarkdownResult`: Python-Markdown with Pygments highlighting, build-time
math, heading ids and a table of contents — or, with `engine: cmark`, cmark-gfm with the same passes
around it (cmark_engine.py). Pure: same text and settings, same result.

This module is what the rest of the generator imports; the converters themselves live in
markdown_engine.py and are imported on the first conversion, so a build that finds every text in
the cache (a no-op rebuild) never pays for importing Python-Markdown, Pygments, latex2mathml or
cmark."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Mapping

from generator.installed import version as installed_version
from generator.load.nesting import NESTING_MESSAGE, NestingTooDeep, too_deep_line

__all__ = ["MarkdownResult", "NestingTooDeep", "highlight_css", "render_markdown", "settings_fingerprint"]


@dataclass(frozen=True)
class MarkdownResult:
    html: str
    toc: str
    toc_count: int
    warnings: tuple[tuple[int, str], ...]  # (line within the text, message)


def _version(name: str) -> str:
    """A converter's installed version, from its dist-info folder's name (installed.py): the same
    answer as importlib.metadata's, without importing it on every build (issue #19)."""
    return installed_version(name)


def settings_fingerprint(settings: Mapping[str, Any]) -> str:
    """Changes whenever output could change: our settings and the versions of the converters."""
    converters = ("markdown", "pygments", "latex2mathml") + (("cmarkgfm",) if _cmark(settings) else ())
    versions = {name: _version(name) for name in converters}
    from generator import __version__
    from generator.render.mathml import TYPESET_RULES

    blob = json.dumps(
        {
            "settings": dict(settings),
            "versions": versions,
            "generator": __version__,
            "rules": OUTPUT_RULES,
            "typeset": TYPESET_RULES,
            "cmark": CMARK_RULES if _cmark(settings) else None,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# Part of the cache key: converted HTML made under other rules is converted again.
OUTPUT_RULES = "keyboard-scrollable-1"
# Part of the cache key under the cmark engine (render/cmark_engine.py): bump it whenever a pass
# there changes its output. Kept here: reading it from that module imported cmarkgfm, Python-
# Markdown and Pygments into every build, a no-op too (~40 ms).
CMARK_RULES = "cmark-4"
# Code blocks and display math scroll sideways when wide: keyboard users must be able to focus them
# to scroll (axe's scrollable-region-focusable), so they get tabindex="0" unless they have one.
SCROLLABLE = re.compile(r'<(pre|div class="math-display")(?=[\s>])(?![^>]*\btabindex=)')


def keyboard_scrollable(html: str) -> str:
    return SCROLLABLE.sub(lambda match: f'<{match.group(1)} tabindex="0"', html)


# `blog serve` (serve/ahead.py): texts its worker process is converting while the build loads, by
# text -> (settings, a call that waits for the result: None when the worker refused or failed).
AHEAD: dict[str, tuple[dict[str, Any], Callable[[], MarkdownResult | None]]] = {}


def render_markdown(text: str, settings: Mapping[str, Any]) -> MarkdownResult:
    """Raises NestingTooDeep (line within `text`, no path: the caller knows the file)."""
    ahead = AHEAD.pop(text, None) if AHEAD else None
    if ahead is not None and ahead[0] == dict(settings):
        made = ahead[1]()  # (the same function on the same text and settings, in the worker)
        if made is not None:
            return made
    line = too_deep_line(text)
    if line is not None:
        raise NestingTooDeep(NESTING_MESSAGE, None, line)
    from generator.render import markdown_engine  # the converters: imported on first use

    html, toc, toc_count, warnings = markdown_engine.convert(text, settings, _cmark(settings))
    return MarkdownResult(keyboard_scrollable(html), toc, toc_count, tuple(warnings))


def _cmark(settings: Mapping[str, Any]) -> bool:
    return settings.get("engine") == "cmark"


def highlight_css(light_style: str, dark_style: str) -> str:
    """One stylesheet: the light style by default, the dark one under prefers-color-scheme."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style=light_style).get_style_defs(".highlight")
    dark = HtmlFormatter(style=dark_style).get_style_defs(".highlight")
    indented = "\n".join("  " + line for line in dark.splitlines())
    header = f"/* Pygments {light_style} (light) and {dark_style} (dark) */"
    return f"{header}\n{light}\n@media (prefers-color-scheme: dark) {{\n{indented}\n}}\n"


def __getattr__(name: str) -> Any:
    """Names that moved to markdown_engine.py (LanguageClassFormatter, …), imported on first use."""
    if name.startswith("__"):
        raise AttributeError(name)
    from generator.render import markdown_engine

    try:
        return getattr(markdown_engine, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
