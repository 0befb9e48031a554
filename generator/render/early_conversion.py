"""Markdown conversion that starts while the site is still loading (issue #19, a cold `blog build`).

Before, a cold build read and parsed every source (and wrote its source index rows), then built the
renderer, and only then forked the conversion workers: load and conversion took the sum of their
times, with one core idle during the load and the parent nearly idle during the conversion. Here the
texts of posts and pages whose markdown is their body as read (no Jinja, no Liquid) are handed to
the workers as each document is loaded: the pool forks once PARALLEL_MINIMUM texts are known (early,
while the parent is still small: a cheaper fork, less copy-on-write), the parent goes on loading and
collects finished chunks between documents, and `DocumentRenderer.prefetch` hands over whatever it
finds still missing (bodies after Jinja, say) and waits for the rest.

The conversions are speculative: a text converted here that no document asks for (a plugin's
`site_loaded` replaced the body) is only wasted work. The cache counts a conversion when it is
first looked up (render/cache.py `put`), and prunes unused ones, so counts, cache rows and output
are those of a build that converted after loading."""

from __future__ import annotations

import collections
import heapq
import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from generator.config import Config
from generator.model import Document
from generator.render.cache import ConversionCache
from generator.render import documents
from generator.render.conversion import CHUNK_MOST, CHUNKS_PER_WORKER, Converted, _convert_chunk
from generator.render.excerpts import first_chunk
from generator.render.markup import MarkdownResult, settings_fingerprint
from generator.render.reading import forget_facts, remember_facts

if TYPE_CHECKING:  # (imported when the pool starts: a build that converts little never needs them)
    from concurrent.futures import Future, ProcessPoolExecutor

# Chunks sent ahead per worker while loading: the parent collects results only between documents
# (and not at all while it builds the renderer), so a deeper window keeps the workers busy.
IN_FLIGHT_PER_WORKER = 4
Sink = Callable[[str, "MarkdownResult | None"], None]


def _minimum() -> int:
    """The renderer's threshold for converting in parallel, read where it is (tests change it there)."""
    return documents.PARALLEL_MINIMUM


class ConversionPool:
    """Worker processes converting texts handed over one by one. Texts wait in a heap, longest
    first: whatever is known when a worker needs work, it gets the longest texts, and the build ends
    on short ones (chunks shrink as the last texts go out), both cores busy to the end. Each result
    goes to `sink(text, result)` (None: refused, the parent converts it again and reports it)."""

    def __init__(self, settings: Mapping[str, Any], sink: Sink, workers: int) -> None:
        self.settings = dict(settings)
        self.sink = sink
        self.workers = workers
        self._known: set[str] = set()  # every text added (each is converted once)
        self._pending: list[tuple[int, int, str]] = []  # heap of (-length, order, text)
        self._waiting: list[tuple[list[str], Future[list[Converted]]]] = []
        # A mark per finished chunk, appended by the pool's thread (deque.append is atomic): pump
        # looks at its length instead of asking every future between two documents. (Marks, not
        # the futures: those hold their results, every post's HTML, for as long as they are held.)
        self._done: collections.deque[bool] = collections.deque()
        self._pool: ProcessPoolExecutor | None = None
        self.chunks = 0  # chunks sent: what tests count

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def started(self) -> bool:
        return self._pool is not None

    def add(self, text: str) -> None:
        if text not in self._known:
            self._known.add(text)
            heapq.heappush(self._pending, (-len(text), len(self._known), text))

    def start(self) -> None:
        """Fork the workers (with the engine and the fenced languages' lexers made first: markdown_engine.warm_up)."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from generator.incremental import fragments
        from generator.render import markdown_engine

        fragments.open_before_forking()
        markdown_engine.warm_up([entry[2] for entry in self._pending], self.settings)  # (made once, not per worker)
        forget_facts()  # (facts of the last batch are of no use now)
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))
        self._top_up(loading=True)

    def pump(self) -> None:
        """Take finished chunks, send more: between documents, never waiting."""
        if self._done:
            self._done.clear()  # (a mark appended meanwhile only makes the next pump look again)
            self._take([entry for entry in self._waiting if entry[1].done()])
        self._top_up(loading=True)

    def finish(self, texts: list[str]) -> None:
        """Convert `texts` too (those already added are not converted again) and wait for all."""
        if self._pool is None:  # too few texts were fed to start: these alone, if enough
            self._known, self._pending = set(), []
            for text in texts:
                self.add(text)
            if len(self._pending) < _minimum():
                return self.close()  # the renderer converts them one by one
            self.start()
        from concurrent.futures import FIRST_COMPLETED, wait

        for text in texts:
            self.add(text)
        try:
            self._top_up(loading=False)
            while self._waiting:
                done, _ = wait([future for _, future in self._waiting], return_when=FIRST_COMPLETED)
                self._take([entry for entry in self._waiting if entry[1] in done])
                self._top_up(loading=False)
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        # Nor are the texts held: a build lets go of the bodies once converted (render/letgo.py),
        # and a set of them all would keep every one alive to the end (4,000 posts: ~20 MB).
        self._known, self._pending, self._waiting = set(), [], []
        self._done.clear()

    def _top_up(self, loading: bool) -> None:
        """While loading, full chunks only (more texts are coming); after, chunks that shrink as
        the texts run out, so the workers end together."""
        assert self._pool is not None
        while self._pending and len(self._waiting) < IN_FLIGHT_PER_WORKER * self.workers:
            left = len(self._pending)
            if loading and left < CHUNK_MOST:
                return
            size = CHUNK_MOST if loading else min(-(-left // (self.workers * CHUNKS_PER_WORKER)), CHUNK_MOST)
            chunk = [heapq.heappop(self._pending)[2] for _ in range(size)]
            future = self._pool.submit(_convert_chunk, (chunk, self.settings))
            future.add_done_callback(lambda _: self._done.append(True))
            self._waiting.append((chunk, future))
            self.chunks += 1

    def _take(self, finished: list[tuple[list[str], Future[list[Converted]]]]) -> None:
        for entry in finished:
            self._waiting.remove(entry)
        for chunk, future in finished:
            for text, item in zip(chunk, future.result(), strict=True):
                if item is None:
                    self.sink(text, None)
                    continue
                result, facts = item
                remember_facts(facts)
                # (As it came: the cache of a `blog build` writes it to its spill file and lets go
                # of it, so it is not made Markup as convert_in_parallel's results are.)
                self.sink(text, result)


def document_texts(doc: Document, separator: object) -> list[str]:
    """The texts a markdown document without Jinja converts: its body and its excerpt (as
    DocumentRenderer.source_of and _excerpt_text make them; `separator`: the site's)."""
    body = doc.body
    excerpt = doc.meta.get("excerpt")
    if not isinstance(excerpt, str):
        excerpt = first_chunk(body, doc.meta.get("excerpt_separator") or separator)
    return [body, excerpt]


class EarlyConversion:
    """Feeds a ConversionPool with the documents `load_site` loads (`feed`), for one build; its
    cache's `prefetch` finishes it (cache.converting)."""

    def __init__(self, config: Config, cache: ConversionCache, workers: int) -> None:
        self.cache = cache
        self.separator = config.get("excerpt_separator")
        settings = dict(config.markdown)
        fingerprint = settings_fingerprint(settings)

        def store(text: str, result: MarkdownResult | None) -> None:
            if result is not None:  # None: refused (too deep); convert() reports it with its path
                cache.put(text, fingerprint, result)

        self.pool = ConversionPool(settings, store, workers)

    @classmethod
    def for_build(cls, config: Config, cache: ConversionCache) -> EarlyConversion | None:
        """One for a cold build that may fork (no thread running: `blog serve` converts after
        loading, with spawn), on at least two cores, of a site not rendered by Liquid (every body
        goes through Liquid first); None otherwise."""
        workers = min(os.cpu_count() or 1, 8)
        if cache.stored or workers < 2 or config.get("template_engine") == "liquid":
            return None
        if threading.active_count() != 1 or not hasattr(os, "fork"):
            return None
        early = cache.converting = cls(config, cache, workers)
        return early

    def feed(self, doc: Document) -> None:
        """A document just loaded: its body and excerpt, when converting them needs nothing else
        (as DocumentRenderer.source_of and _excerpt_text make them)."""
        if doc.is_markdown and not doc.render_with_jinja:
            for text in document_texts(doc, self.separator):
                self.pool.add(text)
        if self.pool.started:
            self.pool.pump()
        elif self.pool.pending >= _minimum():
            self.pool.start()

    def finish(self, texts: list[str]) -> None:
        """DocumentRenderer.prefetch: these too (the texts it found missing), and wait for all."""
        self.cache.converting = None  # (the renderer's later prefetches convert on their own)
        self.pool.finish(texts)

    def close(self) -> None:
        """After the build's conversions (or when it failed before them): no worker is left."""
        self.pool.close()
        if self.cache.converting is self:
            self.cache.converting = None
