"""Kramdown-flavoured markdown, as Jekyll sites write it, for Python-Markdown (on when the markdown
settings say `dialect: kramdown`: `markdown: kramdown` in _config.yml, or any Liquid site).

Python-Markdown's own extensions already read most of it (attr_list: `{: .class #id}`,
md_in_html: `markdown="1"`, footnotes, abbr, fenced code). Added here:
- `* TOC` + `{:toc}` (a list item kramdown replaces by the table of contents) -> `[TOC]`;
- math by kramdown's rule: only `$$…$$` is math; a `$$…$$` standing as its own paragraph is
  display math, anywhere else it is inline; a single `$` is a dollar. MathML via tex.py."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from generator.load.scanning import segments
from generator.render.tex import MathWarning, render_formula

TOC_MARKER = re.compile(r"^[ \t]*(?:[*+-]|\d+\.)[ \t]+.*\n[ \t]*\{:[ \t]*toc[ \t]*\}[ \t]*$", re.M)
CODE_SPAN = re.compile(r"(`+)(?:.|\n)*?(?<!`)\1(?!`)")
MATH = re.compile(r"\$\$(?P<tex>(?:[^$\\]|\\.|\$(?!\$))+?)\$\$", re.S)


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
        if not self.math:
            return text.split("\n")
        out = []
        for segment in segments(text):
            out.append(segment.text if segment.fenced else self._prose(segment.text, segment.first_line))
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


class KramdownExtension(Extension):
    def __init__(self, math: bool) -> None:
        super().__init__()
        self.math = math

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's API name)
        math = md.preprocessors["math"]
        math.enabled = False  # type: ignore[attr-defined]  (pandoc's `$…$` rule is not kramdown's)
        md.preprocessors.register(KramdownMath(md, self.math), "kramdown_math", 27)


def kramdown_extensions(settings: Mapping[str, Any]) -> list[Extension]:
    """What markup.py adds to the engine: nothing unless the site writes kramdown."""
    return [KramdownExtension(bool(settings.get("math", True)))] if settings.get("dialect") == "kramdown" else []
