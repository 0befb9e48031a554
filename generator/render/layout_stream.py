"""A layout chain rendered as a stream of UTF-8 bytes, for generated pages (a home page listing
every post is megabytes): each layout is rendered with Jinja's `generate()` and its chunks are
encoded as they come, so no layout's output is ever one string, nor held beside its Markup copy,
its encoding or the chunk list `render()` joins (at 4,000 posts: ~22 MB traced, +30 MB RSS).

A layout (`default`) receives the one before it (`home`) as `content`. Instead of that text it
gets a `_Slot` whose `__html__` prints a unique marker; where the marker comes out, the inner
layout's chunks are streamed in its place. That is exactly the old output only when the layout
does nothing with `content` but print it, so it is used only when (1) the layout and every file
it includes or imports (by a constant name) use `content` only as `{{ content }}`, outside loops,
macros, call/filter/set blocks and autoescape switches, and (2) at run time the slot was printed
at most once, only through `__html__`, and its marker came out as it went in (a filter of a
pass-context function that read it would change or repeat it). Otherwise, or on any error, the
caller renders the old way (render_layout_chain), which also raises errors in their old order."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import jinja2
from jinja2 import nodes

from generator.model import Layout
from generator.render.sandbox import PostSandbox
from generator.render.template_data import freeze, html

BATCH = 1 << 16  # characters encoded at once: few calls, and a small string at a time
# Where printing `content` is not one plain print of it (many times, or transformed first).
_NOT_PLAIN = (
    nodes.For,
    nodes.Macro,
    nodes.CallBlock,
    nodes.FilterBlock,
    nodes.AssignBlock,
    nodes.ScopedEvalContextModifier,
    nodes.EvalContextModifier,
)


class _Abort(Exception):
    """The slot was used otherwise than printed once: render the old way."""


class _Slot:
    """`content` of an outer layout: printing it (escape() calls __html__) gives the marker; any
    other use is recorded, so the stream is thrown away."""

    __slots__ = ("marker", "printed", "misused")

    def __init__(self) -> None:
        # Tags, both cases and a random token: escaping, striptags, upper/lower all change it.
        self.marker = f"<!--blog-Slot {secrets.token_hex(16)}-->"
        self.printed = 0
        self.misused = False

    def __html__(self) -> str:
        self.printed += 1
        return self.marker

    def _misuse(self, *args: Any) -> Any:
        self.misused = True
        raise _Abort

    __str__ = __repr__ = __format__ = __len__ = __bool__ = __iter__ = __contains__ = _misuse
    __add__ = __radd__ = __mod__ = __getitem__ = __eq__ = __hash__ = _misuse  # type: ignore[assignment]

    def __getattr__(self, name: str) -> Any:
        self.misused = True
        raise _Abort


def prints_content_plainly(env: jinja2.Environment, name: str, seen: frozenset[str] = frozenset()) -> bool:
    """Whether template `name` (and what it includes) uses `content` only as `{{ content }}`
    outside loops, macros and blocks that capture or transform output. Remembered per environment
    (one build's): templates cannot change during it."""
    memo: dict[str, bool] = env.__dict__.setdefault("_blog_plain_content", {})
    if name not in memo:
        memo[name] = _check(env, name, seen | {name})
    return memo[name]


def _check(env: jinja2.Environment, name: str, seen: frozenset[str]) -> bool:
    if env.loader is None:
        return False
    try:
        source = env.loader.get_source(env, name)[0]
    except Exception:  # (the real render reports it)
        return False
    plain, includes = _own_check(env, source)
    return plain and all(
        target not in seen and prints_content_plainly(env, target, seen | {target}) for target in includes
    )


# (the parse settings, a template's text) -> what _walk found in it. Kept for the process: each
# build makes new environments (`blog serve` one per rebuild), and parsing the layouts again cost
# an edit-rebuild ≈ 8-15 ms; the answer depends only on the text and how it is parsed.
_OWN: dict[tuple[Any, str], tuple[bool, tuple[str, ...]]] = {}
_OWN_HELD = 256  # texts kept (a site has a few dozen layouts and includes; edits add versions)


def _own_check(env: jinja2.Environment, source: str) -> tuple[bool, tuple[str, ...]]:
    """Whether `source` itself prints `content` plainly, and the constant names it includes or
    imports (whose own answer the caller asks for: they may be edited separately)."""
    key = (_parse_settings(env), source)
    found = _OWN.get(key)
    if found is None:
        try:
            found = _walk(env.parse(source))
        except Exception:  # (the real render reports it)
            found = (False, ())
        if len(_OWN) >= _OWN_HELD:
            _OWN.clear()
        _OWN[key] = found
    return found


def _parse_settings(env: jinja2.Environment) -> tuple[Any, ...]:
    """What makes the same text parse into another tree."""
    return (
        type(env),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        tuple(sorted(env.extensions)),
    )


def _walk(tree: nodes.Template) -> tuple[bool, tuple[str, ...]]:
    includes: list[str] = []

    def plain(node: nodes.Node, parents: tuple[nodes.Node, ...]) -> bool:
        if isinstance(node, nodes.Extends):
            return False
        if isinstance(node, nodes.Include | nodes.Import | nodes.FromImport):
            target = node.template
            if not (isinstance(target, nodes.Const) and isinstance(target.value, str)):
                return False
            includes.append(target.value)
        if isinstance(node, nodes.Name) and node.name == "content":
            if node.ctx != "load" or not parents or not isinstance(parents[-1], nodes.Output):
                return False
            if any(isinstance(parent, _NOT_PLAIN) for parent in parents):
                return False
        return all(plain(child, (*parents, node)) for child in node.iter_child_nodes())

    ok = plain(tree, ())
    return ok, tuple(dict.fromkeys(includes)) if ok else ()


def layout_chain_bytes(
    env: jinja2.Environment,
    layouts: Mapping[str, Layout],
    first: str,
    content: str,
    context: dict[str, Any],
) -> bytes | None:
    """The chain's output encoded as UTF-8, streamed; None when it cannot be streamed exactly
    (then the caller renders it the old way)."""
    if isinstance(env, PostSandbox):  # safe mode renders through the limited sandbox
        return None
    chain: list[Layout] = []
    name: str | None = first
    while name:
        layout = layouts.get(name)
        if layout is None or layout in chain:  # (the old way reports it)
            return None
        chain.append(layout)
        name = layout.parent
    if not all(prints_content_plainly(env, layout.source.relative) for layout in chain[1:]):
        return None
    try:
        return encode(_stream(env, chain, len(chain) - 1, content, context))
    except Exception:
        return None


def _stream(
    env: jinja2.Environment, chain: list[Layout], level: int, content: str, context: dict[str, Any]
) -> Iterator[str]:
    layout = chain[level]
    template = env.get_template(layout.source.relative)
    if level == 0:
        yield from template.generate({**context, "content": html(content), "layout": freeze(layout.meta)})
        return
    slot = _Slot()
    inner = _stream(env, chain, level - 1, content, context)
    streamed = False
    for chunk in template.generate({**context, "content": slot, "layout": freeze(layout.meta)}):
        if slot.marker not in chunk:
            yield chunk
            continue
        before, found, after = chunk.partition(slot.marker)
        if streamed or slot.marker in after:
            raise _Abort
        yield before
        yield from inner
        streamed = True
        yield after
    if slot.misused or slot.printed != int(streamed):
        raise _Abort
    if not streamed:  # not printed: still rendered, as the old way did (its errors, what it read)
        for _ in inner:
            pass


def encode(chunks: Iterable[str]) -> bytes:
    """The chunks' UTF-8 bytes, encoded a batch at a time into one buffer (whose value is not
    copied again when taken)."""
    out = io.BytesIO()
    batch: list[str] = []
    size = 0
    for chunk in chunks:
        batch.append(chunk)
        size += len(chunk)
        if size >= BATCH:
            out.write("".join(batch).encode("utf-8"))
            batch.clear()
            size = 0
    out.write("".join(batch).encode("utf-8"))
    return out.getvalue()
