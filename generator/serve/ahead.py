"""The edited post's markdown converted ahead (`blog serve`, issue #19): while an edit-rebuild
loads the site, converts the other documents (from memory) and fingerprints views, a worker
process already converts the edited file's body. On this blog's 56 KB RNN post the conversion is
about 15 ms of an edit's ≈ 37 ms of CPU before its page can be previewed; on two cores it now
overlaps with the rest. The build itself is unchanged: `render_markdown` (render/markup.py)
takes the worker's result only for the very text and settings it was asked to convert, which is
what the same function makes in this process (the cold build's conversion workers rely on the
same); any other text, a refused text (too deep: reported by the build with its line) or a worker
that failed is converted in process as before. The body is cut from the file the way the loader
cuts it (frontmatter.py); where that differs (Jinja bodies, another front matter form), no one
asks for the text and the work is wasted, never used.

The watcher hands a save over as soon as the file is closed (`early`), before its batch
settles, so the worker starts before the rebuild does. One worker per `blog serve` session,
spawned (the server runs threads: forking could deadlock), made when the watcher starts and warmed
up there; highlighted code blocks and formulas are kept in its own memory across edits
(incremental/fragments.py)."""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from generator.frontmatter import front_matter_end
from generator.render import markup
from generator.render.markup import MarkdownResult

SUFFIXES = (".md", ".markdown")  # load/content.py's MARKDOWN_EXTENSIONS
MOST_FILES = 4  # converted ahead per rebuild at most (an edit saves one file)
MOST_BYTES = 2_000_000
WAIT = 10.0  # seconds a build waits for the worker before converting itself
WARM_UP_TEXT = "# Warm\n\nA *paragraph* with $x^2$ and [a link](/).\n\n```python\nx = 1\n```\n"

_memo: dict[str, str] = {}  # in the worker: highlighted blocks and formulas across edits


def body_of(raw: bytes) -> str | None:
    """The body the loader gives a document of this file (frontmatter.parse_document), None
    without front matter (not a document) or when it cannot tell."""
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return None
    lines = text.split("\n")
    end = front_matter_end(lines)
    return None if end is None or end < 0 else "\n".join(lines[end + 1 :])


def _convert(text: str, settings: dict[str, Any]) -> MarkdownResult | None:
    """In the worker."""
    from generator.incremental import fragments
    from generator.load.nesting import NestingTooDeep

    try:
        with fragments.kept_in(None, _memo):
            return markup.render_markdown(text, settings)
    except NestingTooDeep:
        return None


def _warm(settings: dict[str, Any]) -> None:
    with contextlib.suppress(Exception):
        _convert(WARM_UP_TEXT, settings)


def _end_with(parent: int) -> None:
    """In the worker, first: exit when the server's process is gone. A worker of a killed server
    would otherwise wait for work forever (it holds both ends of its own queue's pipe)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="blog-ahead-parent", daemon=True).start()


def converting_ahead(ahead: ConvertAhead | None, changes: Any, result: Any) -> contextlib.AbstractContextManager[None]:
    """The context of one rebuild (server.py): an edit-rebuild after a good build converts ahead.
    `changes`: the watcher's ChangeSet or None; `result`: the last good BuildResult or None."""
    if ahead is None or changes is None or changes.needs_full_rebuild or result is None:
        return contextlib.nullcontext()
    return ahead.converting(changes.paths, dict(result.config.markdown))


class ConvertAhead:
    """The worker, and what one rebuild sent it."""

    def __init__(self, settings: dict[str, Any]) -> None:
        import multiprocessing

        self.settings = dict(settings)
        context = multiprocessing.get_context("spawn")
        self._pool = concurrent.futures.ProcessPoolExecutor(
            1, mp_context=context, initializer=_end_with, initargs=(os.getpid(),)
        )
        # Edits go to the worker only once it is ready: a text queued behind its start-up (a
        # second or more on a busy machine) would make the build wait instead of converting.
        self._ready = self._pool.submit(_warm, self.settings)
        self.submitted = 0  # texts sent to the worker: what tests count
        self._texts: list[str] = []  # sent and not yet forgotten (`early` runs on another thread)
        self._lock = threading.Lock()

    def early(self, path: Path) -> None:
        """From the watcher's thread, as a save of `path` ends (before its batch is delivered):
        the conversion starts now rather than when the rebuild does."""
        self._submit([path])

    @contextlib.contextmanager
    def converting(self, paths: Iterable[Path], settings: dict[str, Any]) -> Iterator[None]:
        """For one rebuild: the changed markdown files' bodies go to the worker now (unless
        `early` sent them); what the build did not ask for is forgotten when it ends."""
        if settings == self.settings:  # (other settings: a config change)
            self._submit(paths)
        with self._lock:
            mine = list(self._texts)  # (a save told during this build is the next one's)
        try:
            yield
        finally:
            with self._lock:
                for text in mine:
                    markup.AHEAD.pop(text, None)
                self._texts = [text for text in self._texts if text not in mine]

    def _submit(self, paths: Iterable[Path]) -> None:
        if not self._ready.done():
            return
        for path in [p for p in paths if p.suffix.lower() in SUFFIXES][:MOST_FILES]:
            with contextlib.suppress(OSError, RuntimeError):  # (unreadable; a broken pool)
                raw = path.read_bytes()
                body = body_of(raw) if len(raw) <= MOST_BYTES else None
                with self._lock:
                    if not body or body in markup.AHEAD or len(self._texts) >= MOST_FILES:
                        continue
                    future = self._pool.submit(_convert, body, self.settings)
                    markup.AHEAD[body] = (self.settings, lambda future=future: _result(future))
                    self._texts.append(body)
                    self.submitted += 1

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """For tests and benchmarks: the worker has started and warmed up."""
        with contextlib.suppress(Exception):
            self._ready.result(timeout)
        return self._ready.done()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _result(future: concurrent.futures.Future[MarkdownResult | None]) -> MarkdownResult | None:
    try:
        return future.result(timeout=WAIT)
    except Exception:  # noqa: BLE001 (a dead or slow worker: the build converts the text itself)
        return None
