"""The converters behind `render_markdown` (markup.py): Python-Markdown with our extensions, and —
with `engine: cmark` — cmark-gfm with the same passes around it (cmark_engine.py). A module of its
own so that importing markup.py (every build does, for the cache key and result type) does not
import Python-Markdown, Pygments, latex2mathml or cmark: a build that converts nothing (a no-op
rebuild) never loads them."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

# First, before Python-Markdown imports Pygments: Pygments' plugin lookup without importing
# importlib.metadata until a lookup runs (it installs itself as `pygments.plugin`).
import generator.render.highlight_plugins  # noqa: F401
import markdown
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrExtension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.codehilite import CodeHiliteExtension
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.md_in_html import MarkdownInHtmlExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.preprocessors import NormalizeWhitespace, Preprocessor
from pygments.lexers import get_lexer_by_name

from generator.load.nesting import NESTING_MESSAGE, NestingTooDeep
from generator.render.block_guards import BlockGuardExtension
from generator.render.fastformat import FastHtmlFormatter
from generator.render.fastlex import accelerate
from generator.render.fences import FencesExtension, PygmentsObjects
from generator.render.inline_skip import InlineSkipExtension
from generator.render.tex import MathWarning, replace_math
from generator.render.pass_gates import MarkerAwareTocExtension, gate_passes


class LanguageClassFormatter(FastHtmlFormatter):
    """Pygments HTML with `<code class="language-x">` so readers, tests and CSS see the language
    (HtmlFormatter's bytes, formatted faster: fastformat.py)."""

    def __init__(self, **options: Any) -> None:
        self.lang_str = options.pop("lang_str", "")
        super().__init__(**options)

    def _wrap_code(self, source):  # type: ignore[override]  (the hook Python-Markdown documents)
        attribute = f' class="{self.lang_str}"' if self.lang_str else ""
        yield 0, f"<code{attribute}>"
        yield from source
        yield 0, "</code>"


# A line of spaces only, after a newline: the spaces go. Python-Markdown's pattern for it,
# `(?<=\n) +\n`, starts with a lookbehind, so `re` tries it at every character (~28 ms per 1,000
# posts); this one starts with a literal and finds the same lines (~2 ms).
BLANK_LINE_SPACES = re.compile(r"\n +(?=\n)")


class WhitespacePreprocessor(NormalizeWhitespace):
    """Python-Markdown's `normalize_whitespace`, the same text out, with the faster pattern above."""

    def run(self, lines: list[str]) -> list[str]:
        return self.run_text("\n".join(lines)).split("\n")

    def run_text(self, text: str) -> str:
        """`run` on the lines' text (the cmark engine passes text from one pass to the next)."""
        source = text.replace("\x02", "").replace("\x03", "")  # its STX and ETX
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        if "\t" in source:
            source = source.expandtabs(self.md.tab_length)
        return BLANK_LINE_SPACES.sub("\n", source)


class MathPreprocessor(Preprocessor):
    """Runs before fenced code (priority 28 > 25) to see the file's real line numbers."""

    def __init__(self, md: markdown.Markdown, enabled: bool) -> None:
        super().__init__(md)
        self.enabled = enabled
        self.warnings: list[MathWarning] = []

    def run(self, lines: list[str]) -> list[str]:
        return self.run_text("\n".join(lines)).split("\n")

    def run_text(self, text: str) -> str:
        """`run` on the lines' text (the cmark engine passes text from one pass to the next)."""
        text, self.warnings = replace_math(text, self.md.htmlStash.store, self.enabled)
        return text


class MathExtension(Extension):
    def __init__(self, enabled: bool = True) -> None:
        super().__init__()
        self.enabled = enabled

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's API name)
        md.preprocessors.register(MathPreprocessor(md, self.enabled), "math", 28)


_local = threading.local()


def _engine(settings: Mapping[str, Any]) -> markdown.Markdown:
    # Looked up by the settings' items first: the JSON key below costs ~10 µs, on every text.
    try:
        quick: Any = tuple((name, type(value), value) for name, value in settings.items())  # (1 == True)
        found = getattr(_local, "quick", {}).get(quick)
    except TypeError:  # an unhashable setting (a list): the JSON key only
        quick, found = None, None
    if found is not None:
        return found  # type: ignore[no-any-return]
    key = json.dumps(dict(settings), sort_keys=True, default=str)
    engines = getattr(_local, "engines", None)
    if engines is None:
        engines = _local.engines = {}
        _local.quick = {}
    if key not in engines:
        depth = str(settings.get("toc_depth", "2-3"))
        pygments = PygmentsObjects(LanguageClassFormatter)  # one formatter per language, not per block
        # Extensions as instances, never by name: a name makes Python-Markdown look it up among every
        # installed distribution's entry points first (importlib.metadata, a scan of all of them:
        # ~15-25 ms of a one-edit `blog build`), and a same-named plugin could silently replace ours.
        engines[key] = markdown.Markdown(
            extensions=[
                InlineSkipExtension(),  # the inline pass without patterns that cannot match a text
                FencesExtension(pygments),
                TableExtension(),
                FootnoteExtension(),
                AttrListExtension(),
                DefListExtension(),
                MarkdownInHtmlExtension(),
                AbbrExtension(),
                SaneListExtension(),
                CodeHiliteExtension(css_class="highlight", guess_lang=False, pygments_formatter=pygments.formatter),
                MarkerAwareTocExtension(  # the stock one, minus the `[TOC]` walk when there can be none
                    toc_depth=depth,
                    permalink=bool(settings.get("heading_anchors", True)),
                    permalink_class="headerlink",
                    permalink_title="Link to this section",
                ),
                MathExtension(enabled=bool(settings.get("math", True))),
                *_kramdown_extensions(settings),
                BlockGuardExtension(),  # last: guards the block tests the extensions above registered
            ]
            + ([_smarty()] if settings.get("smart_quotes") else []),
            output_format="html",
        )
        engines[key].preprocessors.register(WhitespacePreprocessor(engines[key]), "normalize_whitespace", 30)
    if quick is not None:
        _local.quick[quick] = engines[key]
    return engines[key]


def _kramdown_extensions(settings: Mapping[str, Any]) -> list[Extension]:
    if settings.get("dialect") != "kramdown":
        return []  # kramdown.py (its regular expressions, ElementTree) only for sites that write kramdown
    from generator.render.kramdown import kramdown_extensions

    return kramdown_extensions(settings)


def _smarty() -> Extension:
    from markdown.extensions.smarty import SmartyExtension  # only sites that ask for smart quotes

    return SmartyExtension()


def convert(text: str, settings: Mapping[str, Any], cmark: bool) -> tuple[str, str, int, list[tuple[int, str]]]:
    """(HTML, TOC, TOC entries, math warnings) of `text`; markup.py finishes the result."""
    engine = _engine(settings)
    engine.reset()
    if cmark:  # the Python-Markdown engine still lends its math and fence preprocessors
        from generator.render import cmark_engine  # (only sites that choose cmark import cmarkgfm)

        html, contents = cmark_engine.convert(text, engine, settings)
        toc, toc_count = (contents.html if contents.count else ""), contents.count
    else:
        gate_passes(engine, text)
        try:
            html = engine.convert(text)
        except RecursionError as e:  # nesting the pre-scan cannot see (e.g. tags split over lines)
            raise NestingTooDeep(NESTING_MESSAGE) from e
        toc_count = _count_tokens(getattr(engine, "toc_tokens", []))
        toc = engine.toc if toc_count else ""  # type: ignore[attr-defined]
    math = _math_preprocessor(engine)
    return html, toc, toc_count, [(warning.line, warning.message) for warning in math.warnings]


def _math_preprocessor(engine: markdown.Markdown) -> MathPreprocessor:
    """The engine's math preprocessor, found once per engine (its registry is fixed once built)."""
    found = getattr(engine, "generator_math", None)
    if found is None:
        found = next(p for p in engine.preprocessors if isinstance(p, MathPreprocessor))
        engine.generator_math = found  # type: ignore[attr-defined]
    return found  # type: ignore[no-any-return]


# A fenced block's language and code, as far as warming up needs (a miss only leaves work to a worker).
FENCED = re.compile(r"^(`{3,}|~{3,})[ ]*\{?\.?([\w#.+-]+)[^\n]*\n(.*?)^\1", re.M | re.S)
WARM_LANGUAGES = 8  # at most this many lexers are readied before forking


def warm_up(texts: Iterable[str], settings: Mapping[str, Any]) -> None:
    """Before forking conversion workers (conversion.py, early_conversion.py): ready in this process
    what each worker would otherwise make for itself on its first texts, and then share with it
    through fork — the engine, and for the languages of the fenced blocks among `texts` the Pygments
    lexer class (importing its module, compiling its rules: ~23 ms for Python) and fastlex's
    analysis of the states a block of it enters (~8 ms). Done once here instead of once per worker.
    (Not latex2mathml: ~4 MB more in the parent for the whole build, for ~25 ms per worker.)"""
    _engine(settings)
    seen: dict[str, str] = {}
    for text in texts:
        if "```" in text or "~~~" in text:
            for match in FENCED.finditer(text):
                seen.setdefault(match[2], match[3])
                if len(seen) >= WARM_LANGUAGES:
                    break
    for lang, code in seen.items():
        try:
            lexer = accelerate(get_lexer_by_name(lang))
        except ValueError:  # unknown: the worker falls back to plain text, as CodeHilite does
            continue
        list(lexer.get_tokens(code))  # (the tokens themselves are not kept)


def _count_tokens(tokens: list[dict[str, Any]]) -> int:
    return sum(1 + _count_tokens(token.get("children", [])) for token in tokens)
