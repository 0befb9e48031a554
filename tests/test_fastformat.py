"""render/fastformat.py gives HtmlFormatter's very bytes: a differential test against Pygments'
own formatter on the tokens of every lexer Pygments ships (code in several languages, edge cases,
noise), on random token streams built to hit its line and span rules (newlines inside and between
tokens, empty tokens, types without a class, runs of one class, characters to escape), and with
each option that must fall back to Pygments' own line-by-line formatting."""

from __future__ import annotations

import io
import random
from typing import Any

import pytest
from pygments.formatters import HtmlFormatter
from pygments.lexers import find_lexer_class_by_name, get_all_lexers
from pygments.token import Comment, Error, Keyword, Name, Punctuation, String, Text, Token, Whitespace

from generator.render.fastformat import FastHtmlFormatter
from generator.render.markdown_engine import LanguageClassFormatter, _engine

SNIPPETS = [
    "",
    "\n",
    "\n\n  \n\t\n",
    "x",
    "x\n\n\ny",
    'def f(a, *b, **c) -> "str":\n    """doc"""\n    return f"{a!r:>10} {b}" + r\'\\d\' + b"\\x00"\n',
    "const x = `tpl ${a + 1}`; let re = /ab+c/gi; // c\n/* b\n  c */ if (a < b && c > d) {}\n",
    "#include <stdio.h>\nint main(void) { char *s = \"a\\n\"; return 'c' + 1.5e-3f; }\n",
    'for f in *.txt; do echo "$f" ${x:-y} $(ls); done # x\ncat <<EOF\nhere & there\nEOF\n',
    "<!DOCTYPE html>\n<div class=\"a\" data-x='1'><!-- c\n--><script>var a=1;</script>&amp;</div>\n",
    '{"a": [1, 2.5, true, null, "s\\u00e9"], "b": {}}\n',
    "SELECT a FROM t WHERE b = 'x' -- c\n",
    "unterminated 'string\nand \"another\n/* never closed\n<!-- nor this\n'''\n",
    "h\u00e9llo \u03bb \u4e2d\u6587 \U0001f600 \u00a0\u2028x\r\n\r\ny\x00z\x0c\\",
    "    indented\n\ttabbed\n  \t mixed\n\n\n",
]
# Options CodeHilite passes (this generator's), and Pygments' defaults.
PLAIN = [
    {"cssclass": "highlight", "wrapcode": True, "linenos": None, "full": False, "style": "default"},
    {},
    {"nowrap": True},
    {"classprefix": "pg-", "cssstyles": "x: y", "prestyles": "a: b", "filename": "f.py"},
]
# Options that work line by line: Pygments' own formatting is kept.
LINEWISE = [
    {"linenos": "table"},
    {"linenos": "inline"},
    {"hl_lines": [1, 3]},
    {"noclasses": True},
    {"lineanchors": "l"},
    {"linespans": "s"},
    {"debug_token_types": True},
    {"lineseparator": "<br>"},
]


def _format(formatter: Any, tokens: list[tuple[Any, str]]) -> str:
    out = io.StringIO()
    formatter.format(iter(tokens), out)
    return out.getvalue()


def _same(tokens: list[tuple[Any, str]], options: dict[str, Any]) -> None:
    expected = _format(HtmlFormatter(**options), tokens)
    assert _format(FastHtmlFormatter(**options), tokens) == expected, (tokens, options)


def _all_lexer_classes() -> list[type]:
    return [find_lexer_class_by_name(aliases[0]) for _n, aliases, _f, _m in get_all_lexers() if aliases]


def test_every_lexer_is_listed() -> None:
    assert len(_all_lexer_classes()) > 500


@pytest.mark.parametrize("cls", _all_lexer_classes(), ids=lambda cls: cls.__name__)
def test_bytes_are_html_formatters_for_every_lexer(cls: type) -> None:
    lexer = cls()
    for text in SNIPPETS:
        tokens = list(lexer.get_tokens(text))
        for options in PLAIN[:2]:
            _same(tokens, options)


TYPES = [Token, Text, Whitespace, Keyword, Keyword, Name.Function, Name, String.Double, Comment, Error, Punctuation]
TYPES.append(Token.Made.Up.Type)  # not a standard type: its classes come from its parents
VALUES = ["", "", "x", "ab", " ", "\n", "\n\n", "a\nb", "a\n", "\nb", "&<>\"'", "&amp;", "\n \n", "\t", "é"]


def _random_streams(count: int) -> list[list[tuple[Any, str]]]:
    chooser = random.Random(19)
    return [
        [(chooser.choice(TYPES), chooser.choice(VALUES)) for _ in range(chooser.randint(0, 12))] for _ in range(count)
    ]


def test_random_token_streams_give_the_same_bytes() -> None:
    for tokens in _random_streams(3000):
        for options in PLAIN:
            _same(tokens, options)


def test_hand_picked_streams() -> None:
    streams = [
        [],
        [(Keyword, "")],
        [(Keyword, "\n")],
        [(Text, "\n")],
        [(Keyword, "a"), (Keyword, "b"), (Name, "c")],  # one span for a run of one class
        [(Keyword, "a"), (Keyword, ""), (Keyword, "b")],
        [(Keyword, "a"), (Name, ""), (Keyword, "b")],  # an empty token between: still one span
        [(Keyword, "a\n"), (Keyword, "\nb")],
        [(Keyword, "a"), (Text, "\n"), (Keyword, "b")],
        [(Text, "x"), (Keyword, "\n\n"), (Text, "y")],
        [(String, "<'&\">")],
        [(Keyword, "no newline at the end")],
    ]
    for tokens in streams:
        for options in PLAIN:
            _same(tokens, options)


def test_line_by_line_options_keep_pygments_formatting() -> None:
    tokens = list(find_lexer_class_by_name("python")().get_tokens(SNIPPETS[5] * 3))
    for options in LINEWISE:
        assert not FastHtmlFormatter(**options).fast, options
        _same(tokens, options)
        _same([(Keyword, "a\n"), (Text, "b")], options)


def test_the_generators_formatters_take_the_fast_path() -> None:
    engine = _engine({})
    engine.reset()
    html = engine.convert("```python\nx = 1  # <a & b>\n```\n\n    :::js\n    let y = 'z'\n")
    assert '<span class="c1"># &lt;a &amp; b&gt;</span>' in html
    objects = engine.preprocessors["fenced_code_block"].objects  # type: ignore[attr-defined]
    formatters = list(objects._formatters.values())
    assert len(formatters) >= 2 and all(isinstance(f, LanguageClassFormatter) and f.fast for f in formatters)
