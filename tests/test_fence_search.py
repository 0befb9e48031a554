"""fences._next_fence tries Python-Markdown's fence pattern only at lines starting with ``` or ~~~:
the same match as the pattern's own search from every position, on random texts made of
fence-like lines (opening with a language, attributes or hl_lines, unclosed, indented, mixed)."""

from __future__ import annotations

import random

from markdown.extensions.fenced_code import FencedBlockPreprocessor

from generator.render.fences import _next_fence

PATTERN = FencedBlockPreprocessor.FENCED_BLOCK_RE
LINES = [
    "```",
    "````",
    "~~~",
    "~~~~",
    "```python",
    "~~~ {.js #x}",
    '``` hl_lines="1 2"',
    "``` {",
    " ```",
    "x ```",
    "code",
    "",
    "  ",
    "```~~~",
    "`",
    "``",
    "~~",
    "$x$",
    "```` ```",
    "\t~~~",
    "é ~~~",
]


def _texts(count: int) -> list[str]:
    chooser = random.Random(25)
    return ["\n".join(chooser.choice(LINES) for _ in range(chooser.randint(0, 12))) for _ in range(count)]


def test_the_same_match_as_the_patterns_search() -> None:
    found = 0
    for text in _texts(20_000):
        for index in (0, 1, len(text) // 2):
            expected = PATTERN.search(text, index)
            got = _next_fence(PATTERN, text, index)
            assert (got and got.span()) == (expected and expected.span()), (text, index)
            found += expected is not None
    assert found > 5_000
