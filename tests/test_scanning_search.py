"""scanning.segments finds fences by searching for ``` and ~~~ when every line ends at "\\n" only:
the same segments as the line-by-line walk it replaces there (a differential test on random texts
built from fence-like lines), which is still what texts with other line ends get."""

from __future__ import annotations

import random

from generator.load import scanning
from generator.load.scanning import Segment

PIECES = [
    "```",
    "````",
    "~~~",
    "~~~~",
    "``",
    "~~",
    "   ```",
    "    ```",
    " ~~~ ",
    "```python",
    "~~~ {.x}",
    "``` ```",
    "a ```",
    "text",
    "",
    " ",
    "\t```",
    "`````` ",
    "```~~~",
    "~~~```",
    "$x$",
    "\u2028",
    "é",
    "\u00a0```\u00a0",
]


def _texts(count: int) -> list[str]:
    chooser = random.Random(8)
    texts = []
    for _ in range(count):
        lines = [chooser.choice(PIECES) for _ in range(chooser.randint(0, 14))]
        text = "\n".join(lines)
        texts.append(text + chooser.choice(["", "\n", "\n\n"]))
    return texts


def _by_line(text: str) -> list[Segment]:
    return list(scanning._segments_by_line(text))


def test_the_search_finds_the_line_walks_segments() -> None:
    searched = 0
    for text in _texts(20_000):
        if scanning._only_newlines_end_lines(text):
            searched += 1
            assert list(scanning._segments_by_search(text)) == _by_line(text), repr(text)
        assert list(scanning.segments(text)) == _by_line(text), repr(text)
    assert searched > 10_000


def test_other_line_ends_take_the_line_walk() -> None:
    for end in ["\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]:
        text = f"prose{end}```{end}code{end}```{end}more\n```\nx\n```\n"
        assert not scanning._only_newlines_end_lines(text)
        assert list(scanning.segments(text)) == _by_line(text)
    assert scanning._only_newlines_end_lines("a\n```\n\u00e9\u00a0\n```\n")


def test_segments_of_a_post() -> None:
    text = "# T\n\nprose\n\n```python\nx = 1\n```\n\nmore\n~~~~\nunclosed ~~~\n~~~\n"
    assert list(scanning.segments(text)) == [
        Segment("# T\n\nprose\n\n", 1, False),
        Segment("```python\nx = 1\n```\n", 5, True),
        Segment("\nmore\n", 8, False),
        Segment("~~~~\nunclosed ~~~\n~~~\n", 10, True, closed=False),
    ]


def test_newline_cursor_answers_as_a_cursor_over_the_newlines() -> None:
    chooser = random.Random(19)
    for text in _texts(3_000):
        listed = scanning.Cursor([i for i, char in enumerate(text) if char == "\n"])
        scanned = scanning.NewlineCursor(text)
        query = 0
        for _ in range(chooser.randint(1, 8)):
            query = min(len(text) + 1, query + chooser.choice([0, 0, 1, 2, 5, 20]))
            if chooser.random() < 0.5:
                assert scanned.before(query) == listed.before(query), (text, query)
                assert scanned.index == listed.index, (text, query)
            else:
                assert scanned.at_or_after(query) == listed.at_or_after(query), (text, query)
