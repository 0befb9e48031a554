"""render/fastlex.py gives the very tokens Pygments gives: a differential test against Pygments'
own tokenizer for every lexer the accelerated loop applies to (every plain RegexLexer subclass
Pygments ships), fed with code in several languages, this blog's own code blocks and edge cases;
and a count of the rule matches it saves."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pygments.lexer import RegexLexer
from pygments.lexers import find_lexer_class_by_name, get_all_lexers, get_lexer_by_name

from generator.render import fastlex, lexfirst

REPO = Path(__file__).resolve().parent.parent

SNIPPETS = [
    "",
    "\n",
    "\n\n  \n\t\n",
    "x",
    'def f(a, *b, **c) -> "str":\n    """doc"""\n    return f"{a!r:>10} {b}" + r\'\\d\' + b"\\x00"\n',
    "@decorator\nclass A(B, metaclass=M):\n    async def g(self): await x; yield from y  # comment\n",
    "import os.path as p\nfrom . import (a, b)\nmatch x:\n    case [1, *_]: pass\n",
    "const x = `tpl ${a + 1}`; let re = /ab+c/gi; function* g() { yield 0x1F; }\n// c\n/* b */",
    "#include <stdio.h>\nint main(void) { char *s = \"a\\n\"; return 'c' + 1.5e-3f; }\n",
    'for f in *.txt; do echo "$f" ${x:-y} $(ls) `pwd`; done # x\ncat <<EOF\nhere\nEOF\n',
    "<!DOCTYPE html>\n<div class=\"a\" data-x='1'><!-- c --><script>var a=1;</script>&amp;</div>\n",
    '{"a": [1, 2.5, true, null, "s\\u00e9"], "b": {}}\n',
    "key: value\nlist:\n  - a\n  - 'b'\nanchor: &x 1\nref: *x\n",
    "SELECT a, COUNT(*) FROM t WHERE b = 'x' AND c IN (1, 2) -- c\nGROUP BY a;\n",
    "\\begin{align} x_i &= \\frac{1}{2} \\sum_{n=0}^\\infty a_n \\end{align} % c\n",
    "unterminated 'string\nand \"another\n/* never closed\n<!-- nor this\n'''\n",
    "h\u00e9llo w\u00f6rld \u03bb \u4e2d\u6587 \U0001f600 \u00a0\u2028x\r\n\r\ny\x00z\x0c\\",
    "(((([[[[{{{{ }}}}]]]]))))" * 3 + "\n" + ")]}" * 5,
    "0x1F 0o17 0b101 1_000 .5 5. 1e10 1E-5j 3L 0xffULL 10n\n",
    "    indented\n\ttabbed\n  \t mixed\n",
]


def _random_snippets(count: int) -> list[str]:
    """Code-shaped noise, the same every run: tokens many lexers have rules for, glued at random."""
    words = "if else def class return fn let var end begin do x _y1 Foo @a $b %c # // /* */ -- ; : :: , . .. ..."
    symbols = "( ) [ ] { } < > </ /> = == => -> + - * / \\ \\n ' \" ` ''' \"\"\" 0 42 3.14 1e9 0x2A ! ? | & ^ ~ % <<"
    spaces = [" ", "  ", "\t", "\n", "\n\n", "\r\n", "\u00e9", "\u03bb", "EOF"]
    pieces = words.split(" ") + symbols.split(" ") + spaces
    chooser = random.Random(19)
    return ["".join(chooser.choice(pieces) for _ in range(chooser.randint(5, 80))) for _ in range(count)]


def _blog_code_blocks() -> list[tuple[str, str]]:
    """(language, code) of every fenced block in this blog's own posts."""
    found = []
    for post in sorted((REPO / "_posts").glob("*.md")):
        for lang, code in re.findall(r"^```(\w[\w+-]*)\n(.*?)^```", post.read_text(encoding="utf-8"), re.M | re.S):
            found.append((lang, code))
    return found


def _plain_regex_lexers() -> list[type]:
    classes = []
    for _name, aliases, _files, _mimes in get_all_lexers():
        if aliases:
            cls = find_lexer_class_by_name(aliases[0])
            if issubclass(cls, RegexLexer) and cls.get_tokens_unprocessed is RegexLexer.get_tokens_unprocessed:
                classes.append(cls)
    return classes


def _both(cls: type) -> tuple[Any, Any]:
    pygments_own = cls()
    accelerated = fastlex.accelerate(cls())
    assert accelerated.get_tokens_unprocessed is not pygments_own.get_tokens_unprocessed
    return pygments_own, accelerated


def test_many_lexers_are_accelerated() -> None:
    assert len(_plain_regex_lexers()) > 300


@pytest.mark.parametrize("cls", _plain_regex_lexers(), ids=lambda cls: cls.__name__)
def test_tokens_are_pygments_own(cls: type) -> None:
    pygments_own, accelerated = _both(cls)
    for text in SNIPPETS + _random_snippets(12):
        expected = list(pygments_own.get_tokens_unprocessed(text))
        assert list(accelerated.get_tokens_unprocessed(text)) == expected, (cls.__name__, text)
        if text:  # the public path too (input preprocessing, the stack argument of `using`)
            assert list(accelerated.get_tokens(text)) == list(pygments_own.get_tokens(text))


def test_this_blogs_code_blocks_tokenize_the_same() -> None:
    blocks = _blog_code_blocks()
    assert len({lang for lang, _code in blocks}) >= 3
    for lang, code in blocks:
        pygments_own = get_lexer_by_name(lang)
        accelerated = fastlex.accelerate(get_lexer_by_name(lang))
        assert list(accelerated.get_tokens(code)) == list(pygments_own.get_tokens(code)), lang


def test_other_lexers_are_left_alone() -> None:
    # ExtendedRegexLexer (Ruby) and lexers with their own get_tokens_unprocessed keep Pygments' loop.
    for alias in ("ruby", "php", "text"):
        lexer = get_lexer_by_name(alias)
        assert "get_tokens_unprocessed" not in vars(fastlex.accelerate(lexer)), alias


class _Counting:
    """A compiled pattern's `match` that counts its calls (and keeps what fastlex inspects)."""

    calls = 0

    def __init__(self, match: Callable[..., Any]) -> None:
        self.__self__ = match.__self__  # type: ignore[attr-defined]
        self.__name__ = match.__name__
        self._match = match

    def __call__(self, text: str, pos: int) -> re.Match[str] | None:
        _Counting.calls += 1
        return self._match(text, pos)


def test_python_blocks_try_far_fewer_rules() -> None:
    base = get_lexer_by_name("python")
    counted = type("CountedPython", (type(base),), {})
    counted._tokens = {  # type: ignore[attr-defined]
        name: [(_Counting(match), action, new) for match, action, new in rules]
        for name, rules in type(base)._tokens.items()  # type: ignore[attr-defined]
    }
    code = SNIPPETS[4] * 20 + SNIPPETS[5] * 20 + SNIPPETS[6] * 20
    _Counting.calls = 0
    expected = list(counted().get_tokens_unprocessed(code))
    pygments_calls = _Counting.calls
    _Counting.calls = 0
    assert list(fastlex.accelerate(counted()).get_tokens_unprocessed(code)) == expected
    assert _Counting.calls * 3 < pygments_calls, (_Counting.calls, pygments_calls)


def test_first_character_analysis() -> None:
    nullable, test = lexfirst.first_char_test(r"(?<!\.)(ab|[0-9]c)+\b", re.UNICODE)
    assert not nullable and test is not None
    assert [test(char) for char in "a0b.\u0663"] == [True, True, False, False, False]
    nullable, test = lexfirst.first_char_test(r"\s*[^\W\d]", re.UNICODE)
    assert not nullable and test is not None and test(" ") and test("\u00e9") and not test("1")
    assert lexfirst.first_char_test(r"x?", 0)[0]
    # Case-insensitive: asked of `re` itself, so Unicode folding counts (KELVIN SIGN matches k).
    nullable, test = lexfirst.first_char_test(r"(?i)(k|[st])x", re.UNICODE)
    assert not nullable and test is not None
    assert [bool(test(char)) for char in "kK\u212asS\u017ftTa"] == [True] * 8 + [False]
    assert lexfirst.first_char_test(r".x", 0) == (True, None)


def test_line_start_analysis() -> None:
    # Only a pattern every match of which begins with `^` (or `\A`) is kept for line starts.
    for pattern in (r'^(\s*)([rRuUbB]{,2})(""")', r"(^[ \t]*)(match|case)\b", r"(?:^a|^b)", r"\Ax", r"(?m)^#"):
        assert lexfirst.line_start_only(pattern, re.MULTILINE), pattern
    for pattern in (r"x^", r"(?:^a|b)", r"a", r"\s*^", r"(?=^)a", r"(", r"$"):
        assert not lexfirst.line_start_only(pattern, re.MULTILINE), pattern


def test_line_start_rules_are_tried_only_at_line_starts() -> None:
    # The Python lexer's `^(\s*)…"""` and `match` rules may start with a space: before, they were
    # tried at every space; now at line starts only, with the very same tokens.
    base = get_lexer_by_name("python")
    anchored = type("AnchoredCount", (type(base),), {})
    tried: dict[bool, int] = {True: 0, False: 0}

    class Anchored(_Counting):
        def __call__(self, text: str, pos: int) -> re.Match[str] | None:
            tried[pos == 0 or text[pos - 1] == "\n"] += 1
            return self._match(text, pos)

    anchored._tokens = {  # type: ignore[attr-defined]
        name: [
            (Anchored(match) if lexfirst.line_start_only(match.__self__.pattern, match.__self__.flags) else match, a, n)
            for match, a, n in rules
        ]
        for name, rules in type(base)._tokens.items()  # type: ignore[attr-defined]
    }
    code = "x = a + b  # c\nif x == 1 and y:\n    return f(x, y, z)\n" * 10
    expected = list(anchored().get_tokens_unprocessed(code))
    assert tried[False] > 100  # Pygments' own loop tries them mid-line
    tried.update({True: 0, False: 0})
    assert list(fastlex.accelerate(anchored()).get_tokens_unprocessed(code)) == expected
    assert tried == {True: tried[True], False: 0} and tried[True] > 0


def test_get_tokens_keeps_options_and_filters() -> None:
    # `get_tokens` builds a list instead of Pygments' generators: input options and filters still apply.
    code = "\ufeff\tdef f():\r\n\treturn None  \r\n"
    for options in ({}, {"stripall": True}, {"tabsize": 4, "ensurenl": False}, {"stripnl": False}):
        pygments_own = get_lexer_by_name("python", **options)
        accelerated = fastlex.accelerate(get_lexer_by_name("python", **options))
        assert "get_tokens" in vars(accelerated)
        for lexer in (pygments_own, accelerated):
            lexer.add_filter("keywordcase", case="upper")
        assert list(accelerated.get_tokens(code)) == list(pygments_own.get_tokens(code)), options
        assert list(accelerated.get_tokens(code, unfiltered=True)) == list(
            pygments_own.get_tokens(code, unfiltered=True)
        )
