"""Pygments' HtmlFormatter, with a faster token formatting for the options this generator uses.

HtmlFormatter formats tokens line by line (`_format_lines`): each token's text is escaped, split at
newlines, and each piece appended to the current line with span bookkeeping (~45 µs for a
116-token Python block of the bench corpus, about half as long as lexing it). What it produces is simple to
state: a token's class opens a `<span class="...">`; consecutive non-empty pieces of the same
class share one span; a span never crosses a line end (it is closed before the newline and
opened again after it, and never left empty); a token without a class is bare text; every line
ends with the line separator, the last one too when it holds anything.

`FastHtmlFormatter` gives those bytes by another route (~27 µs instead of ~45 µs for a 116-token
block): it escapes all the tokens' texts in one go, then emits tags only where the class changes,
splitting only the classed tokens that hold a newline. Everything that works line by line
(line numbers, `hl_lines`, line anchors or spans, ctags links, inline styles, token-type titles,
another line separator) keeps Pygments' own `_format_lines`: there the whole text would not be one line item.
The wrapping (`<div>`, `<pre>`, `<code>`) stays Pygments' (or a subclass's) own.
`tests/test_fastformat.py` compares the bytes with HtmlFormatter's for every lexer Pygments ships."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pygments.formatters import HtmlFormatter


def _installed_escapes() -> dict[str, str]:
    """What the installed HtmlFormatter makes of each character HTML may need escaped, asked of it
    once: Pygments 2.20 escapes quotes too (`&quot;`, `&#39;`), 2.21 leaves them (html.escape with
    quote=False). Only the characters it changes are listed."""
    from io import StringIO

    from pygments.token import Token

    chars, between = "&<>\"'", "\x01"  # (a control character no version escapes)
    out = StringIO()
    HtmlFormatter(nowrap=True).format([(Token.Text, between.join(chars))], out)
    made = out.getvalue().removesuffix("\n").split(between)
    if len(made) != len(chars):
        raise RuntimeError(f"unexpected HtmlFormatter escaping: {out.getvalue()!r}")
    return {char: entity for char, entity in zip(chars, made, strict=True) if entity != char}


# HtmlFormatter's escaping, as the installed Pygments does it (tests/test_fastformat.py compares).
_ENTITIES = _installed_escapes()
_ESCAPE = str.maketrans(_ENTITIES)
_AFTER_AMPERSAND = tuple((char, entity) for char, entity in _ENTITIES.items() if char != "&")
_SEPARATOR = "\x00"  # joins the tokens' texts to escape them in one go (unless a text holds it)


class FastHtmlFormatter(HtmlFormatter):
    """HtmlFormatter whose `_format_lines` yields the whole text as one item when it may."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # Only options that change nothing but the wrapping may be set for the fast path.
        self.fast = not (
            self.noclasses
            or self.linenos
            or self.hl_lines
            or self.lineanchors
            or self.linespans
            or self.tagsfile
            or self.debug_token_types
            or self.lineseparator != "\n"
            or self.full
        )

    def _format_lines(self, tokensource: Iterable[tuple[Any, str]]) -> Iterator[tuple[int, str]]:
        if not self.fast:
            yield from super()._format_lines(tokensource)
            return
        html = format_tokens(tokensource, self.span_element_openers, self._opener)
        if html:
            yield 1, html

    def _opener(self, ttype: Any) -> str:
        """A token type's opening tag ('' without a class), remembered as Pygments does."""
        css_class = self._get_css_classes(ttype)
        opener = self.span_element_openers[ttype] = f'<span class="{css_class}">' if css_class else ""
        return opener


def format_tokens(tokens: Iterable[tuple[Any, str]], openers: dict[Any, str], opener: Any) -> str:
    """The formatted lines of `tokens`, joined (see the module's docstring for the rules).

    The texts are escaped all at once (joined, replaced, split: C calls), then one loop emits a
    closing and an opening tag only where the class changes; a classed token holding a newline
    (a few a block) closes its span before each newline and reopens it after, when text follows."""
    pairs = list(tokens)
    if not pairs:
        return ""
    types, values = zip(*pairs, strict=True)
    joined = _SEPARATOR.join(values)
    if joined.count(_SEPARATOR) == len(values) - 1:
        escaped = _escaped(joined).split(_SEPARATOR)
    else:  # a text holds the separator itself
        escaped = [value.translate(_ESCAPE) for value in values]
    spans = list(map(openers.get, types))  # each token's opening tag ("" without a class)
    if None in spans:  # a type not seen yet by this formatter
        spans = [opener(ttype) if span is None else span for ttype, span in zip(types, spans, strict=True)]
    out: list[str] = []
    append = out.append
    current = ""  # the span open now ("" when none)
    for span, value in zip(spans, escaped, strict=True):
        if span and "\n" in value:
            current = _with_newlines(append, current, span, value)
            continue
        if span != current and value:  # (an empty token changes nothing, and ends no run)
            if current:
                append("</span>")
            if span:
                append(span)
            current = span
        append(value)
    if current:
        append("</span>")
    html = "".join(out)
    if html and html[-1] != "\n":  # the last line holds something: it ends with a separator too
        html += "\n"
    return html


def _with_newlines(append: Any, current: str, span: str, value: str) -> str:
    """A classed token with newlines: no span crosses a line end, none is left empty. Returns
    the span open after it."""
    parts = value.split("\n")
    first, last = parts[0], parts[-1]
    if first:
        if span != current:
            if current:
                append("</span>")
            append(span)
        append(first)
        append("</span>")
    elif current:
        append("</span>")
    for part in parts[1:-1]:
        append(f"\n{span}{part}</span>" if part else "\n")
    append("\n")
    if last:
        append(span)
        append(last)
        return span
    return ""


def _escaped(text: str) -> str:
    """HtmlFormatter's escaping, by `replace` (each a C scan that copies nothing when it finds nothing)."""
    if "&" in text and "&" in _ENTITIES:  # (first: the entities hold ampersands)
        text = text.replace("&", _ENTITIES["&"])
    for char, entity in _AFTER_AMPERSAND:
        text = text.replace(char, entity)
    return text
