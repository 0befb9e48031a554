"""The toc pass looks for a `[TOC]` marker only in a text that could hold one (pass_gates.py,
issue #19): counted walks, and the marker still works, kramdown's `{:toc}` included."""

from __future__ import annotations

from generator.render.markup import render_markdown
from generator.render.pass_gates import Walks


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


def test_attr_list_runs_only_for_a_text_with_a_brace() -> None:
    before = Walks.attr_lists
    html = render_markdown("# Title\n\nplain *prose*\n\n- item", {}).html
    assert Walks.attr_lists == before and "<h1" in html
    html = render_markdown("## Title {: #mine .big}\n\npara\n{: .note}", {}).html
    assert Walks.attr_lists == before + 1
    assert '<h2 class="big" id="mine">' in html and '<p class="note">para</p>' in html


def test_gated_and_ungated_passes_give_the_same_html() -> None:
    from generator.render import markdown_engine
    from generator.render.pass_gates import gate_passes

    texts = [
        "## One\n\ntext *em* [link](u)\n\n- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |",
        "term\n: def\n\n> quote\n\n```python\nx = {1: 2}\n```\n\n`{: .not}` in code",
        "# H #\n\npara with toc and TOC words\n\n[^1]\n\n[^1]: note",
    ]
    for settings in ({}, {"dialect": "kramdown"}):
        engine = markdown_engine._engine(settings)
        for text in texts:
            engine.reset()
            gate_passes(engine, text)
            gated = engine.convert(text)
            engine.reset()
            gate_passes(engine, "{TOC")  # every gate open: the stock passes
            assert engine.convert(text) == gated, text
