"""`render_markdown(text) -> MarkdownResult`: Python-Markdown with Pygments highlighting, build-time
math, heading ids and a table of contents. Pure: same text and settings, same result."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any
from collections.abc import Mapping

import markdown
from markdown.extensions import Extension
from markdown.extensions.codehilite import CodeHiliteExtension
from markdown.extensions.toc import TocExtension
from markdown.preprocessors import Preprocessor
from pygments.formatters import HtmlFormatter

from generator.errors import ContentError
from generator.math import MathWarning, replace_math
from generator.scanning import STEPS, segments

# Python-Markdown recurses once (or more) per level of nested lists, quotes and markdown-in-HTML
# blocks; a few hundred levels exhaust Python's stack. Real posts nest a handful of levels.
MAX_NESTING = 100
NESTING_MESSAGE = f"nesting deeper than {MAX_NESTING} levels (lists, quotes or markdown divs); flatten it"
# One container marker of a line's prefix: a quote `>` or a list bullet/number followed by a space.
PREFIX_MARKER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))")
LEADING_SPACE = re.compile(r"[ \t]*")
THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
MARKDOWN_ATTRIBUTE = re.compile(r"\bmarkdown\s*=")
# Tags that never nest: void elements and those whose end tag is optional (an unclosed <p> is fine).
FLAT_TAGS = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr")
    + ("p", "li", "dt", "dd", "tr", "td", "th", "option")
)


class LanguageClassFormatter(HtmlFormatter):
    """Pygments HTML with `<code class="language-x">` so readers, tests and CSS see the language."""

    def __init__(self, **options: Any) -> None:
        self.lang_str = options.pop("lang_str", "")
        super().__init__(**options)

    def _wrap_code(self, source):  # type: ignore[override]  (the hook Python-Markdown documents)
        attribute = f' class="{self.lang_str}"' if self.lang_str else ""
        yield 0, f"<code{attribute}>"
        yield from source
        yield 0, "</code>"


class MathPreprocessor(Preprocessor):
    """Runs before fenced code (priority 28 > 25) to see the file's real line numbers."""

    def __init__(self, md: markdown.Markdown, enabled: bool) -> None:
        super().__init__(md)
        self.enabled = enabled
        self.warnings: list[MathWarning] = []

    def run(self, lines: list[str]) -> list[str]:
        text, self.warnings = replace_math("\n".join(lines), self.md.htmlStash.store, self.enabled)
        return text.split("\n")


class MathExtension(Extension):
    def __init__(self, enabled: bool = True) -> None:
        super().__init__()
        self.enabled = enabled

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's API name)
        md.preprocessors.register(MathPreprocessor(md, self.enabled), "math", 28)


@dataclass(frozen=True)
class MarkdownResult:
    html: str
    toc: str
    toc_count: int
    warnings: tuple[tuple[int, str], ...]  # (line within the text, message)


def settings_fingerprint(settings: Mapping[str, Any]) -> str:
    """Changes whenever output could change: our settings and the versions of the converters."""
    versions = {name: version(name) for name in ("markdown", "pygments", "latex2mathml")}
    from generator import __version__

    blob = json.dumps(
        {"settings": dict(settings), "versions": versions, "generator": __version__}, sort_keys=True, default=str
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


_local = threading.local()


def _engine(settings: Mapping[str, Any]) -> markdown.Markdown:
    key = json.dumps(dict(settings), sort_keys=True, default=str)
    engines = getattr(_local, "engines", None)
    if engines is None:
        engines = _local.engines = {}
    if key not in engines:
        depth = str(settings.get("toc_depth", "2-3"))
        engines[key] = markdown.Markdown(
            extensions=[
                "fenced_code",
                "tables",
                "footnotes",
                "attr_list",
                "def_list",
                "md_in_html",
                "abbr",
                "sane_lists",
                CodeHiliteExtension(css_class="highlight", guess_lang=False, pygments_formatter=LanguageClassFormatter),
                TocExtension(
                    toc_depth=depth,
                    permalink=bool(settings.get("heading_anchors", True)),
                    permalink_class="headerlink",
                    permalink_title="Link to this section",
                ),
                MathExtension(enabled=bool(settings.get("math", True))),
            ]
            + (["smarty"] if settings.get("smart_quotes") else []),
            output_format="html",
        )
    return engines[key]


class NestingTooDeep(ContentError):
    """Markdown nested deeper than Python-Markdown's recursion can follow."""


def too_deep_line(text: str) -> int | None:
    """The first line (1-based) where lists, block quotes and markdown-in-HTML blocks together nest
    deeper than MAX_NESTING, found by one linear pass before Python-Markdown can recurse."""
    html_depth = 0
    for segment in segments(text):
        if segment.fenced:
            continue
        tags = TAG.finditer(segment.text)
        tag = next(tags, None)
        offset = 0
        for number, line in enumerate(segment.text.splitlines(keepends=True), start=segment.first_line):
            line_end = offset + len(line)
            deepest_html = html_depth
            while tag is not None and tag.start() < line_end:
                html_depth = _html_depth_after(tag, html_depth)
                deepest_html = max(deepest_html, html_depth)
                tag = next(tags, None)
            if deepest_html + _prefix_depth(line) > MAX_NESTING:
                return number
            offset = line_end
    return None


def _html_depth_after(tag: re.Match[str], depth: int) -> int:
    """Depth inside markdown-in-HTML blocks: only tags within (or opening) one count."""
    closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
    STEPS.count += 1
    if name in FLAT_TAGS or attributes.rstrip().endswith("/"):
        return depth
    if closing:
        return max(depth - 1, 0)
    if depth or MARKDOWN_ATTRIBUTE.search(attributes):
        return depth + 1
    return depth


def _prefix_depth(line: str) -> int:
    """Quotes and list markers in front of a line, plus indentation in 4-column steps."""
    if THEMATIC_BREAK.match(line):
        return 0
    markers, columns, position = 0, 0, 0
    while (marker := PREFIX_MARKER.match(line, position)) is not None:
        markers += 1
        columns += len(LEADING_SPACE.match(line, position).group().expandtabs(4))
        position = marker.end()
    columns += len(LEADING_SPACE.match(line, position).group().expandtabs(4))
    STEPS.count += position + 1
    return markers + columns // 4 if markers else 0


def render_markdown(text: str, settings: Mapping[str, Any]) -> MarkdownResult:
    """Raises NestingTooDeep (line within `text`, no path: the caller knows the file)."""
    line = too_deep_line(text)
    if line is not None:
        raise NestingTooDeep(NESTING_MESSAGE, None, line)
    engine = _engine(settings)
    engine.reset()
    try:
        html = engine.convert(text)
    except RecursionError as e:  # nesting the pre-scan cannot see (e.g. tags split over lines)
        raise NestingTooDeep(NESTING_MESSAGE) from e
    toc_tokens = getattr(engine, "toc_tokens", [])
    toc_count = _count_tokens(toc_tokens)
    toc = engine.toc if toc_count else ""  # type: ignore[attr-defined]
    math = next(p for p in engine.preprocessors if isinstance(p, MathPreprocessor))
    warnings = tuple((warning.line, warning.message) for warning in math.warnings)
    return MarkdownResult(html, toc, toc_count, warnings)


def _count_tokens(tokens: list[dict[str, Any]]) -> int:
    return sum(1 + _count_tokens(token.get("children", [])) for token in tokens)


def highlight_css(light_style: str, dark_style: str) -> str:
    """One stylesheet: the light style by default, the dark one under prefers-color-scheme."""
    light = HtmlFormatter(style=light_style).get_style_defs(".highlight")
    dark = HtmlFormatter(style=dark_style).get_style_defs(".highlight")
    indented = "\n".join("  " + line for line in dark.splitlines())
    header = f"/* Pygments {light_style} (light) and {dark_style} (dark) */"
    return f"{header}\n{light}\n@media (prefers-color-scheme: dark) {{\n{indented}\n}}\n"
