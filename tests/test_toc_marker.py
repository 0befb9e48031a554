"""The toc pass looks for a `[TOC]` marker only in a text that could hold one (toc_marker.py,
issue #19): counted walks, and the marker still works, kramdown's `{:toc}` included."""

from __future__ import annotations

from generator.render.markup import render_markdown
from generator.render.toc_marker import Walks


def walks(text: str, settings: dict[str, object]) -> tuple[str, int]:
    before = Walks.count
    html = render_markdown(text, settings).html
    return html, Walks.count - before


def test_no_marker_walk_without_toc_in_the_text() -> None:
    html, count = walks("## One\n\ntext\n\n## Two\n\nmore [link](u)", {})
    assert count == 0 and 'id="one"' in html and 'id="two"' in html


def test_the_marker_is_still_replaced() -> None:
    html, count = walks("[TOC]\n\n## One\n\n## Two", {})
    assert count == 1 and '<div class="toc">' in html and "[TOC]" not in html
    html, count = walks("\\[TOC\\]\n\n## One", {"math": False})  # escaped: looked for, and (as
    assert count == 1 and "<p>[TOC]</p>" in html  # Python-Markdown does) left as text


def test_kramdown_toc_marker_is_still_replaced() -> None:
    html, count = walks("* TOC\n{:toc}\n\n## One\n\n## Two", {"dialect": "kramdown"})
    assert count == 1 and 'id="markdown-toc"' in html
