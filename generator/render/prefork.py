"""Set up once, in the parent, what every conversion worker would otherwise set up on its own
(issue #19).

The workers are forked: whatever the parent has imported and built, they share. Before this, each
worker paid ~0.1 s of CPU on its first text (measured on the 1,000-post bench corpus, session 9):
importing latex2mathml (~35 ms, most of it its `importlib.metadata` version lookup), importing
filters.py and so Jinja for `reading.text_facts` (~23 ms), and building the Python lexer's class
tables and fastlex's rule lists (~28 ms). Done here once, the cost is paid once, and the parent
needs Jinja and filters.py later anyway. Which lexers to build is read from the fences of the texts
known when the pool starts: a cheap search, and a language guessed wrong costs only its import."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# A fence's opening line and its info string's first word (the language): ```python, ~~~ c++.
FENCE_LANGUAGE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})[ \t]*([^\s`{}]+)", re.MULTILINE)
MOST_LANGUAGES = 16  # a site with more languages than this builds the rest in the workers
warmed: list[str] = []  # the languages whose lexers the last call built: what tests look at


def languages_in(texts: Iterable[str]) -> list[str]:
    """The fence languages of `texts`, lowercased, in order of first appearance, at most MOST_LANGUAGES."""
    found: dict[str, None] = {}
    for text in texts:
        if "```" not in text and "~~~" not in text:
            continue
        for match in FENCE_LANGUAGE.finditer(text):
            found.setdefault(match.group(1).lower(), None)
            if len(found) >= MOST_LANGUAGES:
                return list(found)
    return list(found)


def warm_for_workers(settings: Mapping[str, Any], texts: Iterable[str]) -> None:
    """Import what converting with `settings` needs and build the lexers `texts` name."""
    from generator.render import filters, markdown_engine  # noqa: F401  (filters: text_facts needs it)

    if settings.get("engine") == "cmark":
        from generator.render import cmark_engine  # noqa: F401
    if settings.get("math", True):
        import latex2mathml.converter  # noqa: F401
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    from generator.render.fastlex import accelerate

    warmed.clear()
    for language in languages_in(texts):
        try:
            lexer = accelerate(get_lexer_by_name(language))
        except ClassNotFound:
            continue
        # One short line lexed: the class's token tables and fastlex's rule lists for its root
        # state are made here (the states other texts enter are made in the worker that needs them).
        for _ in lexer.get_tokens("x\n"):
            pass
        warmed.append(language)
