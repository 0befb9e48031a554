"""The documents' pages rendered on every core in a cold `blog build` (issue #19).

After `DocumentRenderer.seal` every view is complete and read-only, so rendering one document's
layout chain depends on nothing another render does: the parent forks one child per extra core,
each renders a contiguous slice of the documents with the renderer it inherited and spools the
bytes into the same staging folder under names the parent reserved for it (write/spool.py), while
the parent renders the first slice. A child hands back, per document and in order, what the parent
needs to go on as if it had rendered the page itself: the `Output` (staged, without bytes), the
render record made for `.blog-cache` (its bytes are read back from the staged file, not sent),
warnings, the error if any, the conversions a layout asked for (`markdownify`) and the templates it
compiled. The parent merges them in document order, so the site, the messages and `.blog-cache`
are the same as a serial build's.

Only for a build whose state nobody keeps (`blog build`, not `blog serve`), with Jinja layouts (a
Liquid site renders serially), when this process runs one thread (forking a threaded process can
deadlock the child), and when no document has a stored render to reuse (a cold build: a forked
child never reads the parent's SQLite files)."""

from __future__ import annotations

import gc
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import IO, Any

from generator.errors import GeneratorError
from generator.incremental.digested import Digested
from generator.incremental.state import RenderRecord
from generator.model import Document
from generator.render.conversion import PARALLEL_MINIMUM
from generator.render.documents import DocumentRenderer
from generator.render.edited_first import put_back, render_ahead
from generator.render.forked import end_with_parent, portable
from generator.render.child_stream import Stream, Totals, send
from generator.render.letgo import RELEASE_EVERY
from generator.write.output import Output
from generator.write.spool import Spool

# Tests and benchmarks only: "0" never forks; "N" forks N children whatever the number of documents.
FORKS_KNOB = "BLOG_RENDER_FORKS"
MOST_FORKS = 7
# The generated pages (home, archive, tags, feed) cost about this many document renders per document:
# what the parent's slice gives up when it renders them meanwhile. The parent also merges the child's
# results as they come (child_stream.py): 0.4 gives parent and child the same CPU from the fork to
# the merge's end (bench/README.md, "One-core phases (session 9)"; 0.5 left the child last).
MEANWHILE_SHARE = 0.4
FRAME_DOCUMENTS = 16  # a child's documents per frame (child_stream.py): the last ones wait for no more
forks_made = 0  # children forked by this module in this process: what tests count


def render_documents(
    renderer: DocumentRenderer,
    documents: list[Document],
    errors: list[GeneratorError],
    spool: Spool | None,
    release: Callable[[], object],
    alone: bool,
    meanwhile: Callable[[set[str]], object] | None = None,
) -> list[Output]:
    """Every document's page rendered (and spooled), in document order; errors appended to
    `errors`. `alone`: no later build sees this build's state (only then may it fork).
    `meanwhile(paths)`: called, when children were forked and the parent's own slice rendered
    without error, while the children still render (build.py renders the generated pages there),
    with the output paths the documents will have if the build succeeds; the parent's slice is
    made smaller by MEANWHILE_SHARE so that the parent and the children end together."""
    failed = {e.path for e in errors}
    todo = [doc for doc in documents if doc.source.relative not in failed and doc.output]
    forks = _forks(renderer, todo, spool, alone)
    if not forks or spool is None:
        outputs = _render_here(renderer, todo, errors, spool, release)
        release()
        return outputs
    return _render_forked(renderer, todo, errors, spool, release, forks, meanwhile)


def _slices(todo: list[Document], forks: int, meanwhile: bool) -> list[list[Document]]:
    """The parent's slice first, then one per child: equal, or with the parent's smaller by the
    work `meanwhile` stands for (MEANWHILE_SHARE documents' worth per document)."""
    if not meanwhile:
        size = -(-len(todo) // (forks + 1))
        return [todo[i : i + size] for i in range(0, len(todo), size)][: forks + 1]
    mine = max(0, round(len(todo) * (1 + MEANWHILE_SHARE) / (forks + 1) - len(todo) * MEANWHILE_SHARE))
    rest = len(todo) - mine
    size = -(-rest // forks)
    return [todo[:mine], *(todo[i : i + size] for i in range(mine, len(todo), size))]


def _forks(renderer: DocumentRenderer, todo: list[Document], spool: Spool | None, alone: bool) -> int:
    knob = os.environ.get(FORKS_KNOB, "")
    if knob == "0" or not alone or spool is None or spool.remember or renderer.liquid is not None:
        return 0
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return 0
    wanted = int(knob) if knob else min(os.cpu_count() or 1, MOST_FORKS + 1) - 1
    if not knob and len(todo) < PARALLEL_MINIMUM:
        return 0
    renders = renderer.state.renders
    if any(doc.output_path in renders for doc in todo):  # (a RenderStore reads its paths in one query)
        return 0
    return max(0, min(wanted, len(todo) - 1))


def _render_here(
    renderer: DocumentRenderer,
    todo: list[Document],
    errors: list[GeneratorError],
    spool: Spool | None,
    release: Callable[[], object],
) -> list[Output]:
    outputs: list[Output] = []
    ahead = render_ahead(renderer, todo, spool)  # (serve: the edited pages first, for their preview)
    for index, doc in enumerate(todo):
        if index in ahead:
            put_back(ahead[index], renderer, outputs, errors)
            continue
        try:
            output = renderer.render_page(doc)
            outputs.append(spool.add(output) if spool is not None else output)
        except GeneratorError as e:
            errors.append(e)
        if len(outputs) % RELEASE_EVERY == 0:
            release()
    return outputs


@dataclass
class _Rendered:
    """One document as a child rendered it."""

    output: Output | None = None  # its bytes in `staged`
    record: RenderRecord | None = None  # made by cached_render; `data` left empty (read from `staged`)
    reused: bool = False  # cached_render returned last build's bytes
    warnings: list[GeneratorError] = field(default_factory=list)
    error: GeneratorError | None = None
    conversions: list[tuple[str, str, Any]] = field(default_factory=list)  # (text, settings print, result)


def _render_forked(
    renderer: DocumentRenderer,
    todo: list[Document],
    errors: list[GeneratorError],
    spool: Spool,
    release: Callable[[], object],
    forks: int,
    meanwhile: Callable[[set[str]], object] | None = None,
) -> list[Output]:
    global forks_made
    parts = _slices(todo, forks, meanwhile is not None)
    mine, theirs = parts[0], parts[1:]
    # The parent's first document before forking: it compiles the layouts every child inherits.
    outputs = _render_here(renderer, mine[:1], errors, spool, release)
    mine = mine[1:]
    # Staging names reserved per child (by its slice's size: at most one file per document), and
    # the staging folder made here, so a failed build discards what the children spooled.
    firsts = [spool.reserve(len(part)) for part in theirs]
    files: list[IO[bytes]] = [tempfile.TemporaryFile() for _ in theirs]  # noqa: SIM115 (closed below)
    streams: list[Stream] = []
    children: list[int] = []
    parent = os.getpid()
    try:
        for part, first, file in zip(theirs, firsts, files, strict=True):
            ready, told = os.pipe()  # (made per child: no other child holds its writing end)
            pid = os.fork()
            if pid == 0:  # pragma: no cover (the child's coverage is not collected)
                os.close(ready)
                end_with_parent(parent)  # (a SIGKILLed build leaves no renderer behind: forked.py)
                _child(renderer, part, spool, first, file, told)
            os.close(told)
            streams.append(Stream(file, ready))
            children.append(pid)
            forks_made += 1
        outputs += _render_here(renderer, mine, errors, spool, release)
        if meanwhile is not None and not errors:
            meanwhile({doc.output_path for doc in todo})
        for pid, stream, part in zip(list(children), streams, theirs, strict=True):
            # Each child's documents are merged as they come (the last ones while it still renders).
            outputs.extend(_merge(renderer, spool, stream, part, errors, release, len(outputs)))
            _, status = os.waitpid(pid, 0)
            children.remove(pid)
            if status != 0 or stream.failure is not None:
                raise RuntimeError(f"a forked renderer failed (status {status}):\n{stream.failure or ''}")
    finally:
        for pid in children:  # interrupted: no child outlives the build (or writes after discard)
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        for stream in streams:
            os.close(stream.ready)
        for file in files:
            file.close()
    release()
    return outputs


def _merge(
    renderer: DocumentRenderer,
    spool: Spool,
    stream: Stream,
    part: list[Document],
    errors: list[GeneratorError],
    release: Callable[[], object],
    count: int,
) -> Iterator[Output]:
    """A child's results, as if the parent had rendered them in this order."""
    frames = stream.frames()
    sent = (one for frame in frames for one in frame)
    for doc, rendered in zip(part, sent, strict=False):  # (part first: the totals are left)
        for text, settings_print, converted in rendered.conversions:  # the cache sees them, in order
            renderer.cache.get_or_convert(text, settings_print, lambda converted=converted: converted)
        renderer.warnings.extend(rendered.warnings)
        output = rendered.output
        if rendered.error is not None:
            errors.append(rendered.error)
        elif output is not None:
            if rendered.record is not None and output.staged is not None:  # (with the digest the child made)
                rendered.record.data = Digested.of(output.staged.read_bytes(), output.digest)
            if rendered.record is not None or rendered.reused:
                renderer.reuse.adopt(doc.output_path, rendered.record)
            count += 1
            yield output
        if count % RELEASE_EVERY == 0:
            release()
    totals = stream.totals if next(sent, None) is None else None  # (more documents than asked: failed)
    if totals is None:
        stream.failure = stream.failure or "its results ended early"
        return
    spool.spooled += totals.spooled
    spool.hashed += totals.hashed
    bytecode = renderer.state.bytecode
    for key, code in totals.bytecode.items():
        if key not in bytecode.changed:  # (the same template compiled here: the same code)
            bytecode.store[key] = code
            bytecode.changed.add(key)


class _Conversions:
    """The conversion cache as a forked child sees it: a layout's `markdownify` converts here (the
    parent's SQLite files are never touched from a child) and the parent replays it into its cache."""

    def __init__(self) -> None:
        self.made: list[tuple[str, str, Any]] = []

    def get_or_convert(self, text: str, settings_print: str, convert: Callable[[], Any], key: str | None = None) -> Any:
        result = convert()  # (`key`, the parent's precomputed cache key, is made again when replayed)
        self.made.append((text, settings_print, result))
        return result


class _Renders(MutableMapping[str, RenderRecord]):
    """`state.renders` in a child: the records it makes are kept here and handed back; nothing is
    read from the parent's store (a child renders only documents without a stored record)."""

    def __init__(self) -> None:
        self.made: dict[str, RenderRecord] = {}

    def __getitem__(self, path: str) -> RenderRecord:
        return self.made[path]

    def __setitem__(self, path: str, record: RenderRecord) -> None:
        self.made[path] = record

    def __delitem__(self, path: str) -> None:
        del self.made[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self.made)

    def __len__(self) -> int:
        return len(self.made)


def _child(
    renderer: DocumentRenderer, part: list[Document], spool: Spool, first: int, file: IO[bytes], told: int
) -> None:
    """In the forked child: render `part`, each document's result sent as soon as it is made
    (Stream), then the totals; exit (no cleanup: the parent's atexit handlers, buffers and open
    databases are the parent's)."""
    status = 1
    try:
        gc.freeze()  # (a collection would otherwise walk, and copy, every object inherited)
        os.set_blocking(told, False)  # (see _send)
        spool.names_from(first)
        state, bytecode = renderer.state, renderer.state.bytecode
        compiled_before = set(bytecode.changed)
        renders, conversions = _Renders(), _Conversions()
        state.renders, renderer.cache = renders, conversions  # type: ignore[assignment]
        spooled, hashed = spool.spooled, spool.hashed
        batch: list[_Rendered] = []  # (sent FRAME_DOCUMENTS at a time: a frame and a wake-up each)
        for index, doc in enumerate(part, 1):
            one, warned, reused = _Rendered(), len(renderer.warnings), renderer.reused
            try:
                one.output = spool.add(renderer.render_page(doc))
            except GeneratorError as e:
                one.error = portable(e)
            one.record = renders.made.pop(doc.output_path, None)
            if one.record is not None:  # (its bytes are read back from the staged file: pickling and
                one.record.data = b""  # writing them again here cost the child more than the parent's read)
                one.record.deps_json()  # (made here: the parent's store keeps it as this text)
                if one.record.documents_json():  # sent as the store keeps it: the JSON text alone
                    one.record._documents = None  # (half of what the parent loads)
            one.reused = renderer.reused > reused
            one.warnings = [portable(w) for w in renderer.warnings[warned:]]
            one.conversions, conversions.made = conversions.made, []
            batch.append(one)
            if len(batch) == FRAME_DOCUMENTS or index == len(part):
                send(file, told, batch)
                batch = []
        code = {key: bytecode.store[key] for key in bytecode.changed - compiled_before}
        send(file, told, Totals(spool.spooled - spooled, spool.hashed - hashed, code))
        status = 0
    except BaseException:  # reported by the parent, which raises
        import traceback  # (only for a failing child)

        send(file, told, traceback.format_exc())
    finally:
        file.flush()
        os._exit(status)
