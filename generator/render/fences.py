"""Fenced code blocks highlighted with Pygments directly: one lexer per language and one formatter
per (language, options) for the life of a markdown engine, instead of Python-Markdown's CodeHilite
building both for every block — and with each formatter a whole style table (`_create_stylesheet`
ran 1,002 times in a 1,000-post build). The HTML is the same byte for byte: CodeHilite still
normalises each block's options; only the Pygments objects it would build are reused."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from markdown.extensions.attr_list import get_attrs_and_remainder, sanitize_name
from markdown.extensions.codehilite import CodeHilite, parse_hl_lines
from markdown.extensions.fenced_code import FencedBlockPreprocessor, FencedCodeExtension
from markdown.serializers import _escape_attrib_html
from pygments import highlight
from pygments.formatter import Formatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name

from generator.incremental import fragments
from generator.load.scanning import find_three
from generator.render.fastlex import accelerate

# Part of every code block's key in the fragment memo (incremental/fragments.py): bump it when
# hilite() or the formatter class changes what a block becomes.
CODE_RULES = "code-1"


class PygmentsObjects:
    """The lexers and formatters of one engine, keyed by everything that configures them."""

    def __init__(self, formatter_class: Callable[..., Formatter]) -> None:
        self.formatter_class = formatter_class
        self._lexers: dict[tuple[str, str], Lexer] = {}
        self._formatters: dict[str, Formatter] = {}
        self._lock = threading.Lock()

    def formatter(self, **options: Any) -> Formatter:
        """Called as CodeHilite's `pygments_formatter` (so indented code blocks share them too)."""
        key = repr(sorted(options.items()))
        with self._lock:
            found = self._formatters.get(key)
            if found is None:
                found = self._formatters[key] = self.formatter_class(**options)
            return found

    def lexer(self, lang: str, options: dict[str, Any]) -> Lexer:
        key = (lang, repr(sorted(options.items())))
        with self._lock:
            found = self._lexers.get(key)
        if found is None:
            try:
                found = get_lexer_by_name(lang, **options)
            except ValueError:  # an unknown language: plain text, as CodeHilite with guess_lang off
                found = get_lexer_by_name("text", **options)
            accelerate(found)  # the same tokens, fewer rules tried per token (fastlex.py)
            with self._lock:
                self._lexers[key] = found
        return found

    def hilite(self, block: CodeHilite) -> str:
        """CodeHilite.hilite(shebang=False) with reused objects (guessing languages: left to it)."""
        if not block.use_pygments or block.guess_lang or isinstance(block.pygments_formatter, str):
            return block.hilite(shebang=False)
        source = block.src.strip("\n")
        # A block seen before (in an earlier build: the post's prose was edited) is not
        # highlighted again: building its lexer is most of a one-post rebuild's conversion.
        key = fragments.key(
            "code",
            source,
            block.lang,
            sorted(block.options.items()),
            block.lang_prefix,
            f"{self.formatter_class.__module__}.{getattr(self.formatter_class, '__qualname__', '')}",
            fragments.version("pygments"),
            CODE_RULES,
        )
        stored = fragments.lookup(key)
        if stored is not None:
            return stored
        lexer = self.lexer(block.lang or "text", block.options)
        lang = block.lang or lexer.aliases[0]
        formatter = self.formatter(lang_str=f"{block.lang_prefix}{lang}", **block.options)
        highlighted = highlight(source, lexer, formatter)
        fragments.remember(key, highlighted)
        return highlighted


def _next_fence(pattern: re.Pattern[str], text: str, index: int) -> re.Match[str] | None:
    """`pattern.search(text, index)`, trying only where a match can start: a line that starts with
    ``` or ~~~ (the pattern's `^(?:~{3,}|`{3,})`). The search itself, starting with `^` and an
    alternation, is tried by `re` at every character of the post (~50 ms per 1,000 posts)."""
    ticks, tildes = find_three(text, "`", index), find_three(text, "~", index)
    while True:
        if 0 <= ticks < index:
            ticks = find_three(text, "`", index)
        if 0 <= tildes < index:
            tildes = find_three(text, "~", index)
        start = tildes if ticks < 0 or 0 <= tildes < ticks else ticks
        if start < 0:
            return None
        if start == 0 or text[start - 1] == "\n":
            match = pattern.match(text, start)
            if match:
                return match
        index = start + 1


class FencesExtension(FencedCodeExtension):
    """`fenced_code`, with the highlighting step above."""

    def __init__(self, objects: PygmentsObjects, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.objects = objects

    def extendMarkdown(self, md: Any) -> None:  # noqa: N802 (Python-Markdown's API name)
        md.registerExtension(self)
        md.preprocessors.register(FencesPreprocessor(md, self.getConfigs(), self.objects), "fenced_code_block", 25)


class FencesPreprocessor(FencedBlockPreprocessor):
    def __init__(self, md: Any, config: dict[str, Any], objects: PygmentsObjects) -> None:
        super().__init__(md, config)
        self.objects = objects

    def run(self, lines: list[str]) -> list[str]:
        return self.run_text("\n".join(lines)).split("\n")

    def run_text(self, text: str) -> str:
        """`run` on the lines' text (the cmark engine passes text from one pass to the next)."""
        # FencedBlockPreprocessor.run (Python-Markdown 3.x) with `CodeHilite(...).hilite()` replaced
        # by PygmentsObjects.hilite; the rest is kept as upstream has it so the HTML stays the same.
        if not self.checked_for_deps:
            super().run([])  # finds codehilite's and attr_list's configuration
        index = 0
        while match := _next_fence(self.FENCED_BLOCK_RE, text, index):
            lang, id_, classes, config = None, "", [], {}
            if match.group("attrs"):
                attrs, remainder = get_attrs_and_remainder(match.group("attrs"))
                if remainder:  # unbalanced braces: not a fence's attributes
                    index = match.end("attrs")
                    continue
                id_, classes, config = self.handle_attrs(attrs)
                if classes:
                    lang = classes.pop(0)
            else:
                lang = match.group("lang") or None
                if match.group("hl_lines"):
                    config["hl_lines"] = parse_hl_lines(match.group("hl_lines"))
            if self.codehilite_conf and self.codehilite_conf["use_pygments"] and config.get("use_pygments", True):
                local = self.codehilite_conf.copy()
                local.update(config)
                if classes:
                    local["css_class"] = "{} {}".format(" ".join(classes), local["css_class"])
                style = local.pop("pygments_style", "default")
                code = self.objects.hilite(CodeHilite(match.group("code"), lang=lang, style=style, **local))
            else:
                code = self._plain(match.group("code"), lang, id_, classes, config)
            placeholder = self.md.htmlStash.store(code)
            text = f"{text[: match.start()]}\n{placeholder}\n{text[match.end() :]}"
            index = match.start() + 1 + len(placeholder)
        return text

    def _plain(self, code: str, lang: str | None, id_: str, classes: list[str], config: dict[str, Any]) -> str:
        prefix = self.config.get("lang_prefix", "language-")
        lang_attr = f' class="{prefix}{_escape_attrib_html(lang)}"' if lang else ""
        class_attr = f' class="{_escape_attrib_html(" ".join(classes))}"' if classes else ""
        id_attr = f' id="{_escape_attrib_html(id_)}"' if id_ else ""
        pairs = ""
        if self.use_attr_list and config and not config.get("use_pygments", False):
            pairs = "".join(
                f' {sanitize_name(k)}="{_escape_attrib_html(v)}"' for k, v in config.items() if k != "use_pygments"
            )
        return f"<pre{id_attr}{class_attr}><code{lang_attr}{pairs}>{self._escape(code)}</code></pre>"
