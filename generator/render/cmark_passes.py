"""The cmark engine's passes over cmark-gfm's HTML that Python-Markdown's extensions do in its tree:
attribute lists (`{: .class #id key=value}` on headings, paragraphs and images), definition lists
(a paragraph of terms, then `: definition` lines), heading ids with
the same slugs and `_1` suffixes as the toc extension, the `¶` permalinks, and the table of
contents (page.toc and a `[TOC]` paragraph). The functions used to make names and ids are the toc
and attr_list extensions' own, so ids agree with the default engine's.

cmark runs with CMARK_OPT_SOURCEPOS, so every block it made carries `data-sourcepos`: that tells
its own headings and paragraphs from raw HTML an author wrote (which, as in the default engine, is
left alone). The attribute is removed at the end."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markdown.extensions.attr_list import get_attrs_and_remainder, sanitize_name
from markdown.extensions.toc import escape_cdata, nest_toc_tokens, slugify, strip_tags, unique

SOURCEPOS = re.compile(r' data-sourcepos="\d+:\d+-\d+:\d+"')
HEADING = re.compile(r'<h([1-6]) data-sourcepos="[^"]*">(.*?)</h\1>', re.S)
ATTRS = r"\{:?[ ]*([^\}\n ][^\n]*)\}"  # attr_list's BASE_RE
HEADING_ATTRS = re.compile(rf"[ ]+{ATTRS}[ ]*$")
PARAGRAPH_ATTRS = re.compile(rf'(<p data-sourcepos="[^"]*")>((?:(?!</p>).)*?)\n[ ]*{ATTRS}[ ]*</p>', re.S)
IMAGE_ATTRS = re.compile(rf"<img ([^<>]*?) />{ATTRS}")
TOC_PARAGRAPH = re.compile(r'<p data-sourcepos="[^"]*">\[TOC\]</p>')
FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.S)
LINE = r"(?:(?!</p>)[^\n])"  # a character of one line of a paragraph
DEFINITIONS = re.compile(rf'<p data-sourcepos="[^"]*">({LINE}+(?:\n(?!:){LINE}+)*)((?:\n:[ ]+{LINE}*)+)</p>')
ATTRIBUTE = re.compile(r'([^\s=]+)="([^"]*)"')
ID_ATTRIBUTE = re.compile(r'\sid="([^"]*)"')


@dataclass(frozen=True)
class Toc:
    html: str
    count: int


def _assign(attributes: dict[str, str | None], attrs_text: str) -> dict[str, str | None]:
    """attr_list's assign_attrs on a dict of attributes (values escaped as HTML)."""
    for key, value in get_attrs_and_remainder(html.unescape(attrs_text))[0]:  # cmark escaped the `"`
        if key == ".":
            attributes["class"] = f"{attributes['class']} {value}" if attributes.get("class") else value
        else:
            attributes[sanitize_name(key)] = None if value is None else html.escape(value)
    return attributes


def _render(attributes: dict[str, str | None]) -> str:
    return "".join(f" {k}" if v is None else f' {k}="{v}"' for k, v in attributes.items())


def block_attributes(text: str) -> str:
    """`{: …}` as the last line of a paragraph, or right after an image."""

    def paragraph(match: re.Match[str]) -> str:
        return f"{match[1]}{_render(_assign({}, match[3]))}>{match[2]}</p>"

    def image(match: re.Match[str]) -> str:
        attributes: dict[str, str | None] = {k: v for k, v in ATTRIBUTE.findall(match[1])}
        return f"<img{_render(_assign(attributes, match[2]))} />"

    return IMAGE_ATTRS.sub(image, PARAGRAPH_ATTRS.sub(paragraph, text))


def definition_lists(text: str) -> str:
    """def_list's simple form: `Term` lines, then `:   Definition` lines, in one paragraph."""

    def dl(match: re.Match[str]) -> str:
        terms = "".join(f"<dt>{term}</dt>\n" for term in match[1].split("\n"))
        definitions = "".join(f"<dd>{d.lstrip(': ')}</dd>\n" for d in match[2].split("\n")[1:])
        return f"<dl>\n{terms}{definitions}</dl>"

    return DEFINITIONS.sub(dl, text)


def headings(text: str, settings: Mapping[str, Any], swap_back: Callable[[str], str]) -> tuple[str, Toc]:
    """Ids, permalinks and the table of contents. `swap_back` turns placeholders (math, code) into
    their HTML, so a heading's name is made from what readers see, as the toc extension does."""
    found: list[tuple[re.Match[str], dict[str, str | None], str]] = []
    # Ids raw HTML already uses (a substring test first: the search, tried at every position, costs
    # ~13 µs a post that has none, nearly all of them).
    used: set[str] = set(ID_ATTRIBUTE.findall(text)) if 'id="' in text else set()
    for match in HEADING.finditer(text):
        inner, attributes = match[2], {}
        given = HEADING_ATTRS.search(inner) if "{" in inner else None
        if given:
            inner, attributes = inner[: given.start()], _assign({}, given[1])
            if attributes.get("id"):
                used.add(str(attributes["id"]))
        found.append((match, attributes, inner))
    top, bottom = _depth(str(settings.get("toc_depth", "2-3")))  # (a str: cached)
    permalink = bool(settings.get("heading_anchors", True))
    counters: dict[str, int] = {}
    out, tokens, copied = [], [], 0
    for match, attributes, inner in found:
        level = int(match[1])
        name = _name(inner, swap_back)
        if not attributes.get("id"):
            attributes["id"] = unique(_slug(name), used, counters)
        anchor = str(attributes["id"])
        if top <= level <= bottom:
            tokens.append({"level": level, "id": html.unescape(anchor), "name": name})
        link = f'<a class="headerlink" href="#{anchor}" title="Link to this section">&para;</a>' if permalink else ""
        out += [text[copied : match.start()], f"<h{level}{_render(attributes)}>{inner}{link}</h{level}>"]
        copied = match.end()
    out.append(text[copied:])
    nested = nest_toc_tokens(tokens)
    toc = _toc_html(nested)
    result = "".join(out)
    if "[TOC]" in result:
        result = TOC_PARAGRAPH.sub(lambda _: toc.rstrip("\n"), result)
    return SOURCEPOS.sub("", result), Toc(toc, _count(nested))


def _name(inner: str, swap_back: Callable[[str], str]) -> str:
    """`strip_tags(swap_back(FOOTNOTE_REF.sub("", inner)).strip())`, each step skipped when a
    substring test shows it would change nothing (most headings are plain text)."""
    if "<sup" in inner:
        inner = FOOTNOTE_REF.sub("", inner)
    if "\x02" in inner:  # a placeholder (math, code): PLACEHOLDER starts with it
        inner = swap_back(inner)
    if "<" in inner:  # strip_tags removes comments and tags, both starting with "<", then this:
        return strip_tags(inner.strip())
    return " ".join(inner.split())


@functools.lru_cache(maxsize=1024)
def _slug(name: str) -> str:
    """The toc extension's id for a heading's name. Pure, and names repeat (a series' "Results",
    "Conclusion"): each process makes each one once."""
    return slugify(html.unescape(name), "-")


@functools.lru_cache(maxsize=64)
def _depth(value: str) -> tuple[int, int]:
    levels = [int(level) for level in str(value).split("-")]
    return (levels[0], levels[-1]) if len(levels) > 1 else (1, levels[0])


def _toc_html(tokens: list[dict[str, Any]]) -> str:
    """The toc extension's `<div class="toc">`, serialised as Python-Markdown does."""

    def items(level: list[dict[str, Any]]) -> str:
        lines = []
        for token in level:
            link = f'<a href="#{html.escape(token["id"])}">{escape_cdata(token["name"])}</a>'
            children = f"<ul>\n{items(token['children'])}</ul>\n" if token["children"] else ""
            lines.append(f"<li>{link}{children}</li>\n")
        return "".join(lines)

    return f'<div class="toc">\n<ul>\n{items(tokens)}</ul>\n</div>\n'


def _count(tokens: list[dict[str, Any]]) -> int:
    return sum(1 + _count(token.get("children", [])) for token in tokens)
