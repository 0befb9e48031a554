"""Kramdown-flavoured markdown, as Jekyll sites write it, for Python-Markdown (on when the markdown
settings say `dialect: kramdown`: `markdown: kramdown` in _config.yml, or any Liquid site).

Python-Markdown's own extensions already read most of it (attr_list: `{: .class #id}`,
md_in_html: `markdown="1"`, footnotes, abbr, fenced code). Added here:
- `* TOC` + `{:toc}` (a list item kramdown replaces by the table of contents) -> `[TOC]`;
- math by kramdown's rule: only `$$…$$` is math; a `$$…$$` standing as its own paragraph is
  display math, anywhere else it is inline; a single `$` is a dollar. MathML via tex.py;
- attribute list definitions (`{:name: .class #id key="v"}` lines, removed) and references to them
  in IALs (`{: name .more}`), expanded before attr_list reads the IAL; an IAL on the line after an
  ATX heading joins the heading (kramdown applies it there too);
- heading ids as kramdown makes them (`auto_ids`, `auto_id_prefix`): Jekyll's default parser (GFM)
  lowercases the heading's text, keeps word characters, `-`, spaces and tabs, and turns spaces and
  tabs into `-`; the kramdown parser (`input: kramdown`) keeps ASCII letters, digits, spaces and
  `-`, strips leading non-letters and says `section` for nothing left. A repeated id gets `-1`,
  `-2`… Explicit ids (`{#id}`, `{: #id}`) are kept."""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Mapping, Sequence
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import render_inner_html, strip_tags
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from generator.load.scanning import segments
from generator.render.tex import MathWarning, render_formula

TOC_MARKER = re.compile(r"^[ \t]*(?:[*+-]|\d+\.)[ \t]+.*\n[ \t]*\{:[ \t]*toc[ \t]*\}[ \t]*$", re.M)
CODE_SPAN = re.compile(r"(`+)(?:.|\n)*?(?<!`)\1(?!`)")
MATH = re.compile(r"\$\$(?P<tex>(?:[^$\\]|\\.|\$(?!\$))+?)\$\$", re.S)
ALD = re.compile(r"^ {0,3}\{:(?P<name>\w[\w-]*):(?P<attrs>[^}\n]*)\}[ \t]*\n?", re.M)
IAL = re.compile(r"\{:(?!\w[\w-]*:)(?P<attrs>[^}\n]*)\}")
ATTR_TOKEN = re.compile(r"""[\w-]+=(?:"[^"]*"|'[^']*'|\S+)|\S+""")
HEADING_THEN_IAL = re.compile(r"^(?P<heading>#{1,6}[ \t][^\n]*?)[ \t]*\n(?P<ial>[ \t]*\{:[^}\n]*\})[ \t]*$", re.M)
HEADING = re.compile(r"h[1-6]")
# A lone IAL line right under a quote or list line: kramdown gives it to the quote or list, attr_list
# to the paragraph or item inside; marked here, moved up by MoveUp.
BLOCK_IAL = re.compile(r"^(?P<before>(?P<prev>[^\n]*)\n[ \t]*\{: )(?=[^}\n]*\}[ \t]*$)", re.M)
QUOTE_LINE = re.compile(r"[ ]{0,3}>")
LIST_LINE = re.compile(r"[ ]{0,3}(?:[*+-]|\d+\.)[ \t]")
MOVE_UP = "data-kramdown-up"
NO_ID = "data-kramdown-no-id"


def is_display(text: str, start: int, end: int) -> bool:
    """kramdown: a math block is `$$…$$` with only blank lines (or the text's ends) around it."""
    before = text[:start].rsplit("\n", 2)
    after = text[end:].split("\n", 2)
    opens_block = start == 0 or (text[:start].endswith("\n") and (len(before) < 3 or not before[-2].strip()))
    closes_block = not after[0].strip() and (len(after) < 2 or not after[1].strip())
    return opens_block and closes_block


class KramdownMath(Preprocessor):
    """Runs just after markup.py's math preprocessor (switched off here) and reports its
    warnings through that one's list, where render_markdown collects them."""

    def __init__(self, md: markdown.Markdown, math: bool) -> None:
        super().__init__(md)
        self.math = math  # `math: false`: `$$` stays text

    @property
    def warnings(self) -> list[MathWarning]:
        return self.md.preprocessors["math"].warnings  # type: ignore[attr-defined]

    def run(self, lines: list[str]) -> list[str]:
        text = TOC_MARKER.sub("[TOC]", "\n".join(lines))
        parts = list(segments(text))
        definitions = {m["name"]: m["attrs"] for part in parts if not part.fenced for m in ALD.finditer(part.text)}
        out = []
        for segment in parts:
            if segment.fenced:
                out.append(segment.text)
                continue
            prose = attribute_lists(segment.text, definitions)
            out.append(self._prose(prose, segment.first_line) if self.math else prose)
        return "".join(out).split("\n")

    def _prose(self, text: str, first_line: int) -> str:
        protected: list[tuple[int, int]] = [m.span() for m in CODE_SPAN.finditer(text)]

        def replace(match: re.Match[str]) -> str:
            if any(start <= match.start() < end for start, end in protected):
                return match.group()
            display = is_display(text, match.start(), match.end())
            html, problem = render_formula(match["tex"].strip(), display)
            if problem:
                line = first_line + text.count("\n", 0, match.start())
                self.warnings.append(MathWarning(line, problem))
            return self.md.htmlStash.store(html)

        return MATH.sub(replace, text)


def attribute_lists(text: str, definitions: Mapping[str, str]) -> str:
    """ALD lines out; names in IALs replaced by what they define (a definition may name others,
    expanded a few levels deep, never in a loop); a lone IAL under an ATX heading joins it.
    The line count stays the same (an ALD leaves an empty line) so math warnings keep their lines."""

    def expand(attrs: str, depth: int = 0) -> str:
        tokens = []
        for token in ATTR_TOKEN.findall(attrs):
            if token[0] in ".#" or "=" in token:
                tokens.append(token)
            elif token in definitions and depth < 5:  # a reference; an unknown name is dropped, as kramdown does
                tokens.append(expand(definitions[token], depth + 1))
        return " ".join(tokens)

    text = ALD.sub(lambda m: "\n" if m.group().endswith("\n") else "", text)
    text = IAL.sub(lambda m: "{: " + expand(m["attrs"]) + "}", text)
    text = BLOCK_IAL.sub(_mark_move_up, text)
    return HEADING_THEN_IAL.sub(lambda m: f"{m['heading']} {m['ial'].strip()}\n", text)


def _mark_move_up(match: re.Match[str]) -> str:
    previous = match["prev"]
    target = "blockquote" if QUOTE_LINE.match(previous) else "list" if LIST_LINE.match(previous) else None
    return match["before"] + (f'{MOVE_UP}="{target}" ' if target else "")


class MoveUp(Treeprocessor):
    """Attributes of an IAL marked by `_mark_move_up` go to the enclosing quote or list."""

    def run(self, root: etree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for element in list(root.iter()):
            target = element.attrib.pop(MOVE_UP, None)
            if target is None:
                continue
            tags = ("blockquote",) if target == "blockquote" else ("ul", "ol")
            up = parents.get(element)
            while up is not None and up.tag not in tags:
                up = parents.get(up)
            if up is None:
                continue
            for key, value in list(element.attrib.items()):
                del element.attrib[key]
                joined = f"{up.get('class')} {value}" if key == "class" and up.get("class") else value
                up.set(key, joined)


class KramdownMarkup(Treeprocessor):
    """The table of contents and footnotes marked up as kramdown writes them (themes style these
    ids and classes): `<ul id="markdown-toc">` with `markdown-toc-<id>` links; footnote links of
    class `footnote`/`reversefootnote` in `<div class="footnotes">`."""

    def run(self, root: etree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for element in list(root.iter()):
            if element.attrib.pop(NO_ID, None) is not None:
                element.attrib.pop("id", None)
            kind = element.get("class")
            if element.tag == "div" and kind == "toc" and element in parents and len(element) == 1:
                inner = element[0]
                inner.set("id", "markdown-toc")
                for link in inner.iter("a"):
                    link.set("id", "markdown-toc-" + (link.get("href") or "").lstrip("#"))
                parent = parents[element]
                parent[list(parent).index(element)] = inner
            elif element.tag == "a" and kind == "footnote-ref":
                element.attrib.update({"class": "footnote", "rel": "footnote"})
                if element in parents:
                    parents[element].set("role", "doc-noteref")
            elif element.tag == "a" and kind == "footnote-backref":
                element.attrib.pop("title", None)
                element.attrib.update({"class": "reversefootnote", "role": "doc-backlink"})
            elif element.tag == "div" and kind == "footnote":
                element.attrib.update({"class": "footnotes", "role": "doc-endnotes"})
                for rule in [child for child in element if child.tag == "hr"]:
                    element.remove(rule)
                for item in element.iter("li"):
                    item.set("role", "doc-endnote")


def gfm_id(text: str) -> str:
    """kramdown-parser-gfm: lowercase; keep word characters (letters, marks, digits, `_`), `-`,
    spaces and tabs; spaces and tabs become `-`."""
    kept = "".join(
        ch
        for ch in text.lower()
        if ch in "-_ \t" or unicodedata.category(ch)[0] in "LM" or unicodedata.category(ch) in ("Nd", "Nl", "Pc")
    )
    return kept.replace(" ", "-").replace("\t", "-")


def kramdown_id(text: str) -> str:
    """kramdown's own parser (basic_generate_id): ASCII only, no leading non-letters."""
    kept = re.sub(r"[^a-zA-Z0-9 -]", "", re.sub(r"^[^a-zA-Z]+", "", text))
    return kept.replace(" ", "-").lower() or "section"


class HeadingIds(Treeprocessor):
    """Runs after attr_list (explicit ids kept) and before toc (which then keeps these ids)."""

    def __init__(self, md: markdown.Markdown, enabled: bool, prefix: str, parser: str) -> None:
        super().__init__(md)
        self.enabled, self.prefix = enabled, prefix
        self.make = kramdown_id if parser.lower() == "kramdown" else gfm_id

    def run(self, root: etree.Element) -> None:
        counts: dict[str, int] = {}
        for element in root.iter():
            if not isinstance(element.tag, str) or not HEADING.fullmatch(element.tag) or "id" in element.attrib:
                continue
            if not self.enabled:  # `auto_ids: false`: toc's id is taken off again (KramdownMarkup)
                element.set(NO_ID, "")
                continue
            text = html.unescape(strip_tags(render_inner_html(element, self.md)))  # as toc reads it
            base = self.make(text)
            number = counts.get(base, -1) + 1
            counts[base] = number
            element.set("id", self.prefix + base + (f"-{number}" if number else ""))


class KramdownExtension(Extension):
    def __init__(self, math: bool, ids: Sequence[Any] | None) -> None:
        super().__init__()
        self.math = math
        self.ids = ids

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's API name)
        math = md.preprocessors["math"]
        math.enabled = False  # type: ignore[attr-defined]  (pandoc's `$…$` rule is not kramdown's)
        md.preprocessors.register(KramdownMath(md, self.math), "kramdown_math", 27)
        md.treeprocessors.register(MoveUp(md), "kramdown_move_up", 7.5)
        md.treeprocessors.register(KramdownMarkup(md), "kramdown_markup", 4)  # after toc (5)
        ids = self.ids or (True, "", "GFM")  # attr_list is 8, toc 5
        md.treeprocessors.register(HeadingIds(md, bool(ids[0]), str(ids[1]), str(ids[2])), "kramdown_ids", 7)


def kramdown_extensions(settings: Mapping[str, Any]) -> list[Extension]:
    """What markup.py adds to the engine: nothing unless the site writes kramdown."""
    if settings.get("dialect") != "kramdown":
        return []
    return [KramdownExtension(bool(settings.get("math", True)), settings.get("kramdown_ids", (True, "", "GFM")))]
