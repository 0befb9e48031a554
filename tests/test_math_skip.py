"""replace_math returns a text with no `$` and no backslash untouched without scanning it (issue
#19), and that shortcut gives what the full scan gives."""

from __future__ import annotations

from generator.load.scanning import STEPS
from generator.render import tex

TEXTS = [
    "plain prose\n\n```\ncode\n```\n\nand `a span` and ``two ``` ticks``",
    "~~~ python\nx = 1\n~~~\n\n    indented\n\n* a list\n* [link](u)",
    "",
]


def stashed(html: str) -> str:
    raise AssertionError(f"nothing to stash in a text without math: {html}")


def test_text_without_dollar_or_backslash_is_not_scanned() -> None:
    for text in TEXTS:
        before = STEPS.count
        assert tex.replace_math(text, stashed) == (text, [])
        assert STEPS.count == before  # no segments, no code-span table, no scanner


def test_the_full_scan_agrees() -> None:
    for text in TEXTS:
        out = []
        for segment in tex.segments(text):  # what replace_math does past the shortcut
            scanner = tex._ProseScanner(segment.text, segment.first_line, stashed, [])
            out.append(segment.text if segment.fenced else scanner.run())
        assert "".join(out) == text


def test_a_dollar_or_backslash_still_scans() -> None:
    html, warnings = tex.replace_math("costs \\$5", stashed)
    assert html == "costs &#36;5" and warnings == []
    before = STEPS.count
    formulas: list[str] = []
    tex.replace_math("a $x$ here", lambda html: formulas.append(html) or "PLACEHOLDER")
    assert STEPS.count > before and len(formulas) == 1
