"""The default engine's inline pass skips patterns that cannot match a text (inline_skip.py, issue
#19): counted (patterns tried), and checked to give the stock pass's HTML byte for byte."""

from __future__ import annotations

import random

import markdown
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.smarty import SmartyExtension
from markdown.extensions.tables import TableExtension

from generator.render import markdown_engine
from generator.render.inline_skip import InlineSkipExtension, SkippingInlineProcessor

TRICKY = [
    "plain words only, nothing to mark up",
    "a `code` span, a \\`escaped tick\\`, and \\\\`code after two backslashes`",
    "*em* and **strong** and _under_ and __double__ and ***both*** and snake_case_name",
    'a [link](http://x.org "t"), a [ref][r], a [short], ![img](a.png) and ![ref img][r]',
    "[r]: http://example.org\n\nsee [r] and [^1].\n\n[^1]: the note with *em* and `code`",
    '<http://auto.link/x> <me@example.org> <span class="x">raw *html*</span> &amp; &#169; & alone',
    "line with two spaces  \nbreak, then <b>bold [link](u)</b> and \\* not em \\*",
    "| a | *b* |\n|---|---|\n| `c` | [d](e) |",
    "nested **bold with [a *link*](u) inside** and `**not bold**`",
    "ends with a backslash \\",
    "**[x](y)** _[**z**](w)_ [![i](j)](k)",
]


def pair(*extra: markdown.extensions.Extension) -> tuple[markdown.Markdown, markdown.Markdown]:
    def build(skip: bool) -> markdown.Markdown:
        extensions = [TableExtension(), FootnoteExtension(), *extra]
        return markdown.Markdown(extensions=([InlineSkipExtension()] if skip else []) + extensions)

    return build(False), build(True)


def fuzz(count: int) -> list[str]:
    pieces = ["*", "**", "_", "`", "\\", "[", "]", "(", ")", "![", "<", ">", "&", ";", "  \n", "\n", " ", "a", "b c",
              "http://x", "@", "#1", "^", ":", '"']  # fmt: skip
    chosen = random.Random(19)
    return ["".join(chosen.choice(pieces) for _ in range(chosen.randint(1, 40))) for _ in range(count)]


def test_same_html_as_the_stock_inline_pass() -> None:
    for stock, skipping in (pair(), pair(SmartyExtension())):
        for text in TRICKY + fuzz(1500):
            stock.reset()
            skipping.reset()
            assert skipping.convert(text) == stock.convert(text), text


def test_patterns_whose_character_is_absent_are_not_tried() -> None:
    stock, skipping = pair()
    inline = skipping.treeprocessors["inline"]
    assert isinstance(inline, SkippingInlineProcessor)
    skipping.convert("a paragraph\n\n- an item\n- another\n\n# a heading")
    assert inline.tried == 0  # four texts, fifteen patterns each: none could match
    inline.tried = 0
    skipping.convert("one *em* here")
    # em_strong is tried once and matches; after the match the text holds a placeholder and no `*`,
    # and the inner text "em" holds no pattern's character: nothing else is tried.
    assert inline.tried == 1
    inline.tried = 0
    skipping.convert("a [link](u) and `code`")
    assert 0 < inline.tried <= 8  # backtick, the three `[` patterns: not all fifteen


def test_the_default_engine_uses_the_skipping_pass() -> None:
    for settings in ({}, {"dialect": "kramdown", "smart_quotes": True}):
        engine = markdown_engine._engine(settings)
        assert type(engine.treeprocessors["inline"]) is SkippingInlineProcessor
