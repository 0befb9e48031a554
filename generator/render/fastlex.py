"""Pygments' RegexLexer tokenizing, faster, with the very same tokens.

Pygments tries a state's rules one by one: for each token, `rule.match(text, pos)` is called for
every rule until one matches (~36 calls per token for the Python blocks of the 1,000-post bench
corpus, ~55 % of a cold build's conversion). Most of those rules cannot match at all at that
position: their first character is wrong (a string rule at a letter, a number rule at a space).
Here each state keeps, per character seen at a position, the list of its rules that can start
with that character (lexfirst.py reads it from the parsed pattern, erring towards "may"), in the
state's order; the loop tries only those. A rule left out cannot match there, and the others are
tried in Pygments' order with Pygments' own compiled patterns and callbacks, so the first match,
and so every token, is the one Pygments finds.

(Tried and dropped: one combined alternation `(rule0)|(rule1)|…` per state and character. It
matched in one C call, but compiling such patterns costs ~10 ms each when they hold Pygments'
Unicode identifier class, and a cold build's worker highlights too few blocks to win that back.)

Only lexers whose class uses RegexLexer's own `get_tokens_unprocessed` are changed (not
ExtendedRegexLexer, nor a lexer that overrides it). `tests/test_fastlex.py` compares the tokens
with Pygments' for every such lexer Pygments ships."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from pygments.filter import apply_filters
from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

from generator.render import lexfirst

# (match function, action, new state): one rule as Pygments processed it (`cls._tokens`).
Rule = tuple[Callable[..., Any], Any, Any]

_states: dict[type, _States | None] = {}
_analysed: dict[tuple[str, int], tuple[bool, lexfirst.CharTest, bool]] = {}


def accelerate(lexer: Lexer) -> Lexer:
    """Give `lexer` (in place) the faster tokenizer, when its class allows it."""
    cls = type(lexer)
    if cls not in _states:
        plain = issubclass(cls, RegexLexer) and cls.get_tokens_unprocessed is RegexLexer.get_tokens_unprocessed
        tokendefs = getattr(cls, "_tokens", None) if plain else None
        _states[cls] = None if tokendefs is None else _States(tokendefs)
    states = _states[cls]
    if states is not None:
        tokenizer = _Tokenizer(lexer, states)
        lexer.get_tokens_unprocessed = tokenizer  # type: ignore[method-assign]
        if type(lexer).get_tokens is Lexer.get_tokens and hasattr(lexer, "_preprocess_lexer_input"):
            lexer.get_tokens = _GetTokens(lexer, tokenizer)  # type: ignore[method-assign]
    return lexer


class _State:
    """One state: its rules, and per character seen at a position the rules that can start there
    (one table for positions at a line's start, one for the others: see lexfirst.line_start_only)."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        analysed = [_analysis(rexmatch) for rexmatch, _action, _new_state in rules]
        self.firsts = [(nullable, test) for nullable, test, _anchored in analysed]
        self.anchored = [anchored for _nullable, _test, anchored in analysed]
        self.candidates: dict[str, list[Rule]] = {}  # at a line's start, by the character ("" at the end)
        self.inside: dict[str, list[Rule]] = {}  # elsewhere: without the rules anchored by `^`
        self._same: dict[tuple[int, ...], list[Rule]] = {}  # one list per distinct choice of rules

    def add(self, char: str, line_start: bool) -> list[Rule]:
        chosen = tuple(
            index
            for index, (nullable, test) in enumerate(self.firsts)
            if (line_start or not self.anchored[index]) and (nullable or test is None or (char != "" and test(char)))
        )
        found = self._same.get(chosen)
        if found is None:
            found = self._same[chosen] = [self.rules[index] for index in chosen]
        (self.candidates if line_start else self.inside)[char] = found
        return found


class _States(dict[str, _State]):
    """A lexer class's states, each analysed when a text first enters it."""

    def __init__(self, tokendefs: dict[str, list[Rule]]) -> None:
        super().__init__()
        self.tokendefs = tokendefs

    def __missing__(self, name: str) -> _State:
        state = self[name] = _State(self.tokendefs[name])
        return state


def _analysis(rexmatch: Callable[..., Any]) -> tuple[bool, lexfirst.CharTest, bool]:
    """(can match empty, first-character test, matches only at a line's start) of one rule;
    (True, None, False) for anything but a compiled pattern's `match` (a rule that may match anywhere)."""
    pattern = getattr(rexmatch, "__self__", None)
    if not isinstance(pattern, re.Pattern) or getattr(rexmatch, "__name__", "") != "match":
        return True, None, False
    if not isinstance(pattern.pattern, str):
        return True, None, False
    key = (pattern.pattern, pattern.flags)
    if key not in _analysed:
        _analysed[key] = lexfirst.analyse(pattern.pattern, pattern.flags)
    return _analysed[key]


class _Tokenizer:
    """RegexLexer.get_tokens_unprocessed (Pygments 2.x) trying only each position's candidates.

    The tokens are made into a list in one loop (`tokens`); Pygments' own generators (this one,
    and `get_tokens`' `streamer` dropping the positions) cost a resumption each per token, ~20 % of
    lexing a Python block. The lexer's `get_tokens` (see `get_tokens` below) takes the list as it is."""

    def __init__(self, lexer: Lexer, states: _States) -> None:
        self.lexer = lexer
        self.states = states

    def __call__(self, text: str, stack: tuple[str, ...] = ("root",)) -> Iterator[tuple[int, Any, str]]:
        yield from self.tokens(text, stack)

    def tokens(self, text: str, stack: tuple[str, ...] = ("root",)) -> list[tuple[int, Any, str]]:
        lexer, states = self.lexer, self.states
        out: list[tuple[int, Any, str]] = []
        append, extend = out.append, out.extend
        pos = 0
        statestack = list(stack)
        state = states[statestack[-1]]
        while True:
            char = text[pos : pos + 1]
            if pos == 0 or text[pos - 1] == "\n":
                rules = state.candidates.get(char)
                if rules is None:
                    rules = state.add(char, True)
            else:
                rules = state.inside.get(char)
                if rules is None:
                    rules = state.add(char, False)
            for rexmatch, action, new_state in rules:
                match = rexmatch(text, pos)
                if match:
                    if action is not None:
                        if type(action) is _TokenType:
                            append((pos, action, match.group()))
                        else:
                            extend(action(lexer, match))
                    pos = match.end()
                    if new_state is not None:
                        _transition(statestack, new_state)
                        state = states[statestack[-1]]
                    break
            else:  # no rule matched: Pygments' own fallback
                if pos >= len(text):
                    break
                if text[pos] == "\n":
                    statestack = ["root"]
                    state = states["root"]
                    append((pos, Whitespace, "\n"))
                else:
                    append((pos, Error, text[pos]))
                pos += 1
        return out


class _GetTokens:
    """Lexer.get_tokens (Pygments 2.x) over the tokenizer's list: the same input preprocessing
    and filters, the (type, text) pairs as a list instead of a generator."""

    def __init__(self, lexer: Lexer, tokenizer: _Tokenizer) -> None:
        self.lexer = lexer
        self.tokenizer = tokenizer

    def __call__(self, text: str, unfiltered: bool = False) -> Any:
        lexer = self.lexer
        text = lexer._preprocess_lexer_input(text)
        pairs = [(ttype, value) for _pos, ttype, value in self.tokenizer.tokens(text)]
        if unfiltered or not lexer.filters:
            return pairs
        return apply_filters(iter(pairs), lexer.filters, lexer)


def _transition(statestack: list[str], new_state: Any) -> None:
    """Pygments' state change after a match, on `statestack` in place."""
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(statestack) > 1:
                    statestack.pop()
            elif state == "#push":
                statestack.append(statestack[-1])
            else:
                statestack.append(state)
    elif isinstance(new_state, int):  # pop, but keep at least one state on the stack
        if abs(new_state) >= len(statestack):
            del statestack[1:]
        else:
            del statestack[new_state:]
    elif new_state == "#push":
        statestack.append(statestack[-1])
    else:
        raise AssertionError(f"wrong state def: {new_state!r}")
