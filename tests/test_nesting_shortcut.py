"""load/nesting.py's shortcut (`_surely_shallow`: one regex search clears a real post) never
changes too_deep_line's answer: compared with the line-by-line pass on texts near the limit, with
every line break str.splitlines knows; and it is what a real post takes."""

from __future__ import annotations

import random

import pytest

from generator.load import nesting
from generator.load.scanning import STEPS

BREAKS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029"]
PIECES = ["> ", "- ", "* ", "+ ", "1. ", "12) ", "    ", "\t", " ", "x", "<div markdown='1'>", "</div>", "<br>", "---"]


def _texts() -> list[str]:
    chooser = random.Random(19)
    texts = []
    for _ in range(400):
        lines = []
        for _ in range(chooser.randint(1, 6)):
            repeat = chooser.choice([1, 10, 40, 49, 50, 51, 99, 100, 101, 120])
            line = chooser.choice(PIECES) * repeat + chooser.choice(["", "x", " text"])
            lines.append(line + chooser.choice(BREAKS))
        texts.append("".join(lines))
    return texts


@pytest.mark.parametrize("text", _texts())
def test_same_answer_as_the_line_by_line_pass(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    quick = nesting.too_deep_line(text)
    monkeypatch.setattr(nesting, "_surely_shallow", lambda text: False)
    assert quick == nesting.too_deep_line(text)


def test_some_texts_are_too_deep_and_some_take_the_shortcut() -> None:
    texts = _texts()
    assert any(nesting.too_deep_line(text) is not None for text in texts)
    assert any(nesting._surely_shallow(text) for text in texts)


def test_a_real_post_is_cleared_without_the_line_pass() -> None:
    post = "# Title\n\nSome *prose* with `code`.\n\n- one\n- two\n  - nested\n\n> quote\n\n```python\nx = 1\n```\n" * 50
    STEPS.reset()
    assert nesting.too_deep_line(post) is None
    assert STEPS.count == len(post)  # the shortcut's own count: no segment or line was walked
