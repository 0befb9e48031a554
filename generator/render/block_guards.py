"""Python-Markdown's block tests, each behind a substring test (issue #19).

The block parser asks every block processor, in order, whether it takes the next block: several
answer with a regular-expression search over the whole block that has no literal prefix to skip
ahead with, so a paragraph is read character by character once per processor. A blockquote needs
a `>`, a `#` header a `#`, a setext header a line starting with `=` or `-`, a definition a `:` and
a table a `|`: when the block lacks it the answer is no, and `in` (in C, memchr-fast) says so
without the search. Where the character is present the stock test runs, so the parse (and the HTML)
is the same byte for byte.

Guards only processors of exactly these classes whose regular expression is the one analysed
here; another Python-Markdown release's changed processor is simply left alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markdown import blockprocessors
from markdown.extensions import Extension
from markdown.extensions.def_list import DefListProcessor
from markdown.extensions.tables import TableProcessor

# class → (its RE's pattern, or None when its test is not one expression; the substrings of which
# a block needs at least one for that test to say yes)
GUARDS: dict[type, tuple[str | None, tuple[str, ...]]] = {
    blockprocessors.BlockQuoteProcessor: (r"(^|\n)[ ]{0,3}>[ ]?(.*)", (">",)),
    blockprocessors.HashHeaderProcessor: (
        r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)",
        ("#",),
    ),
    blockprocessors.SetextHeaderProcessor: (r"^.*?\n(?:=+|-+)[ ]*(\n|$)", ("\n=", "\n-")),
    DefListProcessor: (r"(^|\n)[ ]{0,3}:[ ]{1,3}(.*?)(\n|$)", (":",)),
    TableProcessor: (None, ("|",)),  # a header row of two cells or a bordered one: a pipe either way
}


class Refusals:
    """Blocks answered no without running the stock test: counted by the tests."""

    count = 0


def guarded(test: Callable[[Any, str], bool], needs: tuple[str, ...]) -> Callable[[Any, str], bool]:
    def guarded_test(parent: Any, block: str) -> bool:
        for substring in needs:
            if substring in block:
                return test(parent, block)
        Refusals.count += 1
        return False

    return guarded_test


class BlockGuardExtension(Extension):
    def extendMarkdown(self, md: Any) -> None:  # noqa: N802 (Python-Markdown's API name)
        for processor in md.parser.blockprocessors:
            guard = GUARDS.get(type(processor))
            if guard is None:
                continue
            pattern, needs = guard
            if pattern is not None and getattr(getattr(processor, "RE", None), "pattern", None) != pattern:
                continue
            processor.test = guarded(processor.test, needs)  # (the instance's, not the class's)
