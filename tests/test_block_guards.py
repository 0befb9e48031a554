"""The block tests behind a substring test (block_guards.py, issue #19): the same HTML as the stock
parser, and blocks without the character are answered without the stock test (counted)."""

from __future__ import annotations

import random

import markdown
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.tables import TableExtension

from generator.render import markdown_engine
from generator.render.block_guards import BlockGuardExtension, Refusals

TRICKY = [
    "# h1\ntext\n## h2 ##\n\nSetext\n===\n\nOther\n---\n\n> quote\n> more\n\n> lazy\nline",
    "term\n: definition\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n|single|\n|---|\n|x|",
    "a | b\n-- | --\nc | d\n\n    # code, not a header\n\n* item\n\n    > quote in item",
    "text: not a definition\n\n- list\n- items\n\npara with # hash and > gt and = equals",
]


def build(guard: bool) -> markdown.Markdown:
    extensions = [TableExtension(), DefListExtension()]
    return markdown.Markdown(extensions=extensions + ([BlockGuardExtension()] if guard else []))


def fuzz(count: int) -> list[str]:
    lines = ["# a", "## b #", "text", "===", "---", "-", "> q", ">", ": d", "term", "| a | b |", "|---|---|",
             "a | b", "", "", "    code", "* item", "1. one", "  : x", "|x|"]  # fmt: skip
    chosen = random.Random(19)
    return ["\n".join(chosen.choice(lines) for _ in range(chosen.randint(1, 14))) for _ in range(count)]


def test_same_html_as_the_stock_parser() -> None:
    stock, guarded = build(False), build(True)
    for text in TRICKY + fuzz(1500):
        stock.reset()
        guarded.reset()
        assert guarded.convert(text) == stock.convert(text), text


def test_blocks_without_the_character_skip_the_stock_test() -> None:
    guarded = build(True)
    before = Refusals.count
    guarded.convert("just a paragraph of prose")
    # table, #, setext, definition, blockquote: five tests answered by `in`
    assert Refusals.count - before == 5
    before = Refusals.count
    guarded.convert("# a header | with a pipe")
    # the table and header tests ran (their characters are there); setext, definition and
    # blockquote did not — the header processor takes the block before them, so only those ahead
    assert Refusals.count - before == 0


def test_the_default_engine_guards_its_block_tests() -> None:
    engine = markdown_engine._engine({})
    before = Refusals.count
    engine.reset()
    engine.convert("prose only")
    assert Refusals.count > before
