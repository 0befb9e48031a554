"""How deep a markdown text nests, found in one linear pass before Python-Markdown runs: lists,
block quotes and markdown-in-HTML blocks past MAX_NESTING levels are refused with a located error
instead of exhausting Python's stack (or minutes of CPU) inside the converter."""

from __future__ import annotations

import re

from generator.errors import ContentError
from generator.load.scanning import STEPS, segments

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
# What a line's prefix (quote and list markers, their numbers, indentation) can be made of.
PREFIX_CHARACTERS = " \t>*+-.)0123456789"
FLAT_TAGS = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr")
    + ("p", "li", "dt", "dd", "tr", "td", "th", "option")
)


class NestingTooDeep(ContentError):
    """Markdown nested deeper than Python-Markdown's recursion can follow."""


def too_deep_line(text: str) -> int | None:
    """The first line (1-based) where lists, block quotes and markdown-in-HTML blocks together nest
    deeper than MAX_NESTING, found by one linear pass before Python-Markdown can recurse."""
    if _surely_shallow(text):
        return None
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


def _surely_shallow(text: str) -> bool:
    """True when no line can nest past MAX_NESTING, proven without the line-by-line pass:
    markdown-in-HTML depth never exceeds the number of `<` in the text, and a line's prefix depth
    never exceeds the length of its run of prefix characters (each marker, and each 4 columns of
    indentation, takes at least one character). The lines are str.splitlines' (every line break the
    pass knows), each measured in C with lstrip: ~15x faster than one regex search tried at every
    position of the text (~60 µs of each post's conversion in a worker, issue #19)."""
    STEPS.count += len(text)  # (linear scans in C)
    room = MAX_NESTING - text.count("<")
    if room <= 0:
        return False
    for line in text.splitlines():
        if len(line) > room and len(line) - len(line.lstrip(PREFIX_CHARACTERS)) > room:
            return False
    return True


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
