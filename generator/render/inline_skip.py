"""Python-Markdown's inline pass, minus the patterns that cannot match (issue #19).

Python-Markdown tries every inline pattern (15 of them) on every piece of text of every paragraph,
list item, heading and table cell, one Python call and one regular-expression search each: about a
third of the default engine's conversion CPU. Most of them start with a character a text rarely
holds (`` ` ``, `\\`, `[`, `![`, `<`, `&`, `*`/`_`, two spaces before a line break), and a pattern
whose regular expression needs a character the text lacks can never match it. So this pass tests
for that character first (`in`, in C) and goes on to the next pattern without the call: the same
patterns run in the same order on the same text wherever one could match, so the HTML is the same
byte for byte.

Only patterns whose regular expression is exactly the one below are skipped: a Python-Markdown
release that changes one (or a pattern of another extension) is simply always tried, as before.
Placeholders the pass leaves in the text (STX "klzzwxh:" digits ETX) hold none of these characters."""

from __future__ import annotations

import re
from typing import Any

from markdown import inlinepatterns, util
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor

# Regular expression → the characters (any one of them) without which it cannot match.
TRIGGERS: dict[str, tuple[str, ...]] = {
    inlinepatterns.BACKTICK_RE: ("`",),  # code spans (both branches need a backtick)
    inlinepatterns.ESCAPE_RE: ("\\",),
    r"\[\^([^\]]*)\]": ("[^",),  # footnote references (a local name in footnotes.py)
    inlinepatterns.LINK_RE: ("[",),  # links, reference links, short references
    inlinepatterns.IMAGE_LINK_RE: ("![",),  # images and image references
    inlinepatterns.AUTOLINK_RE: ("<",),
    inlinepatterns.AUTOMAIL_RE: ("<",),
    inlinepatterns.HTML_RE: ("<",),
    inlinepatterns.LINE_BREAK_RE: ("  \n",),
    inlinepatterns.ENTITY_RE: ("&",),
}

# The delimiter-run processor (`*`/`_` emphasis) of recent Python-Markdown; none in older ones.
DELIMITERS: tuple[type, ...] = tuple(filter(None, [getattr(inlinepatterns, "DelimiterProcessor", None)]))


def trigger(pattern: inlinepatterns.Pattern) -> tuple[str, ...] | None:
    """What `pattern` needs in a text to match it, or None: always try it."""
    regex = pattern.getCompiledRegExp().pattern
    tokens = getattr(pattern, "tokens", None)  # emphasis and strong: the delimiter-run processor
    if isinstance(pattern, DELIMITERS) and tokens and regex == "|".join(re.escape(token) for token in tokens):
        return tuple(tokens)  # ("*", "_"): its expression is the tokens, one of which must be there
    return TRIGGERS.get(regex)


class SkippingInlineProcessor(InlineProcessor):
    """Python-Markdown's InlineProcessor with a loop that skips patterns that cannot match.

    Overrides the name-mangled `__handleInline` (Python-Markdown calls it as
    `self._InlineProcessor__handleInline`, also from `__applyPattern` for a match's inner text);
    `InlineSkipExtension` installs this class only when those methods exist."""

    def __init__(self, md: Any) -> None:
        super().__init__(md)
        self.ordered: list[tuple[inlinepatterns.Pattern, tuple[str, ...] | None]] = []
        self.tried = 0  # patterns tried (regular-expression searches run): counted by the tests

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        # Once per text: the registry's item lookup re-checks its order on every access.
        self.ordered = [(pattern, trigger(pattern)) for pattern in self.inlinePatterns]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if isinstance(data, util.AtomicString):
            return data
        ordered = self.ordered
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        start = 0
        count = len(ordered)
        while patternIndex < count:
            pattern, needs = ordered[patternIndex]
            if needs is not None:
                for character in needs:  # (a loop, not any(): no generator per text and pattern)
                    if character in data:
                        break
                else:
                    patternIndex += 1  # cannot match: what __applyPattern would return, without the search
                    start = 0
                    continue
            self.tried += 1
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


class InlineSkipExtension(Extension):
    """Replaces the stock inline pass (same name, same priority) when its internals are the ones
    this module was written against."""

    def extendMarkdown(self, md: Any) -> None:  # noqa: N802 (Python-Markdown's API name)
        stock = md.treeprocessors["inline"]
        if type(stock) is InlineProcessor and hasattr(stock, "_InlineProcessor__applyPattern"):
            md.treeprocessors.register(SkippingInlineProcessor(md), "inline", 20)
