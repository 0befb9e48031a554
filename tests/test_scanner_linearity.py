"""The math, code-span and nesting scanners do work proportional to the text (issue #12): a
hostile post once cost 22 s per 100 KB, growing with the square of its size. Measured in scanner
steps (characters skipped and cursor moves, counted by generator.scanning.STEPS), never in time."""

from __future__ import annotations

import pytest

from generator.render.conversion import protect_code
from generator.load.nesting import too_deep_line
from generator.render.tex import replace_math
from generator.load.scanning import STEPS


def math_steps(text: str) -> int:
    STEPS.reset()
    # (a lone `$` at the end: a text with no `$` and no backslash is not scanned at all)
    replace_math(text + "\n$", lambda html: "@")
    return STEPS.count


def protect_steps(text: str) -> int:
    STEPS.reset()
    protect_code(text)
    return STEPS.count


def nesting_steps(text: str) -> int:
    STEPS.reset()
    too_deep_line(text)
    return STEPS.count


# Each unit repeated n times; none closes, so a naive scanner searches to the end from every opener.
PATHOLOGICAL = {
    "openers": "\\[ \\( \\begin{align} ",
    "display_dollars": "$$ a ",
    "inline_dollars": "$a \\",
    "backticks_of_every_length": None,  # built below: runs of 1, 2, 3 … ticks, none closed
    "escaped_and_brackets": "\\$ \\] \\) ",
    "one_long_line_of_formulas": "\\[x\\] ",
}


def pathological(name: str, size: int) -> str:
    if name == "backticks_of_every_length":
        text, length = [], 1
        while sum(map(len, text)) < size:
            text.append("`" * length + " a ")
            length = length % 40 + 1
        return "".join(text)[:size]
    unit = PATHOLOGICAL[name]
    return (unit * (size // len(unit) + 1))[:size]


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_math_scanner_steps_grow_linearly(name: str) -> None:
    small, large = math_steps(pathological(name, 5_000)), math_steps(pathological(name, 20_000))
    assert large / small <= 4.5, (small, large)


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_code_protection_steps_grow_linearly(name: str) -> None:
    small, large = protect_steps(pathological(name, 5_000)), protect_steps(pathological(name, 20_000))
    assert large / small <= 4.5, (small, large)


def test_the_100_kb_post_from_issue_12_costs_a_few_steps_per_character() -> None:
    text = pathological("openers", 100_000)
    assert math_steps(text) <= 12 * len(text)


def test_unclosed_environments_in_many_paragraphs_stay_linear() -> None:
    # `\begin{align}` may span paragraphs, so each opener's search is not bounded by a blank line.
    def text(n: int) -> str:
        return "\\begin{align} x\n\n" * n

    small, large = math_steps(text(1_000)), math_steps(text(4_000))
    assert large / small <= 4.5


def test_math_off_scans_nothing() -> None:
    STEPS.reset()
    replace_math(pathological("openers", 100_000), lambda html: "@", enabled=False)
    assert STEPS.count == 0


@pytest.mark.parametrize(
    "unit",
    ['<div markdown="1">\n', "- " * 50 + "x\n", "> " * 50 + "x\n", '<div markdown="1"><span>' * 20 + "\n"],
    ids=["divs", "lists", "quotes", "tags"],
)
def test_nesting_prescan_is_linear(unit: str) -> None:
    small, large = nesting_steps(unit * 500), nesting_steps(unit * 2_000)
    assert large / small <= 4.5
