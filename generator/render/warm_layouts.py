"""Layouts compiled while the conversion workers run (issue #19, a cold `blog build`).

A cold build waits in `DocumentRenderer.prefetch` while its forked workers convert the last texts
(≈ 0.4 s for 1,000 posts, the parent idle), and then renders its first document alone, before
forking the render child, so that the child inherits the compiled layouts: ≈ 60 ms on one core
(most of it Jinja compiling the theme's layouts and includes). Compiled during the wait instead,
that first render takes a millisecond, and the compile runs while the workers finish. The
templates compiled are those the build will use anyway: every layout, and what the layouts include,
extend or import by a constant name. What fails to compile is left alone: the render that uses it
reports it, with its path and line, as it always did. Output is unchanged: a template compiled
earlier is the same template (the bytecode that `.blog-cache/` keeps is the same bytes)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import jinja2

from generator.model import Layout
from generator.render.layout_stream import prints_content_plainly

# A constant template name after include/extends/import/from (what Jinja loads when it runs them).
_NAMED = re.compile(r"""\{%-?\s*(?:include|extends|import|from)\s+(["'])([^"'{}%]+)\1""")


def warm_layouts(env: jinja2.Environment, layouts: Mapping[str, Layout]) -> list[str]:
    """Compile every layout and the templates they name; return the names compiled, in order."""
    return _compile_all(env, [layout.source.relative for layout in layouts.values()])


def _compile_all(env: jinja2.Environment, names: Iterable[str]) -> list[str]:
    todo = list(names)[::-1]
    seen: set[str] = set()
    compiled: list[str] = []
    while todo:
        name = todo.pop()
        if name in seen or env.loader is None:
            continue
        seen.add(name)
        try:
            source = env.loader.get_source(env, name)[0]
            env.get_template(name)
            prints_content_plainly(env, name)  # (its answer is remembered for this environment)
        except Exception:  # noqa: BLE001 (the render that uses it reports it)
            continue
        compiled.append(name)
        todo.extend(match.group(2) for match in reversed(list(_NAMED.finditer(source))))
    return compiled
