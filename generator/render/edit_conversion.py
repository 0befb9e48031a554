"""An edited post's markdown converted while the site loads (issue #19, a rebuild in a new process).

A `blog build` after one post changed used to convert that post after loading, on one core: most
of it is importing the converters (Python-Markdown, Pygments, latex2mathml: ~60 ms), the rest the
conversion itself, while the other core idled. Here, as soon as the loader parses a changed
document whose texts (body, excerpt) the conversion cache lacks, one child process is forked to
import the converters and convert them, while the parent goes on loading, building the renderer
and filling the unchanged documents; the renderer's prefetch collects the result (as it does from
early_conversion.py's pool in a cold build).

One child, for the first such document: the texts of further edited documents are converted as
before (on all cores when there are many). Only for a build that forks safely (no thread running)
and has a cache on disk (a cold build has early_conversion.py); the result is the very conversion
the parent would have made (a refused text is converted again by the parent, which reports it)."""

from __future__ import annotations

import contextlib
import os
import pickle
import threading
from collections.abc import Iterable

from generator.config import Config
from generator.incremental.state import BuildState
from generator.model import Document
from generator.render.cache import ConversionCache
from generator.render.conversion import PARALLEL_MINIMUM, Converted, _convert_chunk, convert_in_parallel
from generator.render.early_conversion import EarlyConversion, document_texts
from generator.render.forked import end_with_parent
from generator.render.markup import settings_fingerprint
from generator.render.reading import remember_facts

children_forked = 0  # in this process: what tests count


class EditConversion:
    """Forks at most one converting child per build; `finish` (the renderer's prefetch) takes its results."""

    def __init__(self, config: Config, cache: ConversionCache, changed: set[str]) -> None:
        self.cache = cache
        self.changed = changed  # the index's documents with new bytes, parsed afresh (sources.py `parsed`)
        self.separator = config.get("excerpt_separator")
        self.settings = dict(config.markdown)
        self.fingerprint = settings_fingerprint(self.settings)
        self._child: tuple[int, int, list[str]] | None = None  # (pid, pipe to read, texts sent)
        self._done = False

    @classmethod
    def for_build(cls, config: Config, cache: ConversionCache, state: BuildState) -> EditConversion | None:
        if not cache.stored or (os.cpu_count() or 1) < 2 or config.get("template_engine") == "liquid":
            return None
        if threading.active_count() != 1 or not hasattr(os, "fork"):
            return None
        ahead = cache.converting = cls(config, cache, state.sources.parsed)
        return ahead

    def feed(self, doc: Document) -> None:
        """A document just loaded (`load_site`'s callback): an edited one's missing texts go to a child."""
        if self._child is not None or self._done or doc.source.relative not in self.changed:
            return
        if not doc.is_markdown or doc.render_with_jinja:  # (its text is known only after Jinja)
            return
        missing = self.cache.missing(document_texts(doc, self.separator), self.fingerprint)
        if missing:
            self._fork(missing)

    def _fork(self, texts: list[str]) -> None:
        global children_forked
        from generator.incremental import fragments

        fragments.open_before_forking()
        read, write = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover (the child's coverage is not collected)
            code = 1
            try:
                os.close(read)
                end_with_parent(parent)
                data = pickle.dumps(_convert_chunk((texts, self.settings)), pickle.HIGHEST_PROTOCOL)
                fragments.save_here()  # (what it highlighted is memoised for the next build)
                with open(write, "wb") as pipe:
                    pipe.write(data)
                code = 0
            finally:
                os._exit(code)  # no atexit handler, no buffer of the parent's flushed twice
        os.close(write)
        children_forked += 1
        self._child = (pid, read, texts)

    def finish(self, missing: Iterable[str]) -> None:
        """DocumentRenderer.prefetch: the child's conversions into the cache; the other missing
        texts on all cores when there are many (else the renderer converts them one by one)."""
        self.cache.converting = None
        self._done = True
        sent = set(self._collect())
        left = [text for text in missing if text not in sent]
        if len(left) >= PARALLEL_MINIMUM and (os.cpu_count() or 1) >= 2:
            for index, result in convert_in_parallel(left, self.settings):
                if result is not None:
                    self.cache.put(left[index], self.fingerprint, result)

    def _collect(self) -> list[str]:
        """The texts the child converted (none if it failed: the parent converts them itself)."""
        if self._child is None:
            return []
        pid, read, texts = self._child
        self._child = None
        with open(read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if status != 0:
            return []
        results: list[Converted] = pickle.loads(data)
        converted = []
        for text, item in zip(texts, results, strict=True):
            if item is not None:  # (None: refused, too deep: convert() reports it with its path)
                result, facts = item
                remember_facts(facts)
                self.cache.put(text, self.fingerprint, result)
                converted.append(text)
        return converted

    def close(self) -> None:
        """After the build's conversions, or when it failed before them: no child is left."""
        self._done = True
        if self._child is not None:
            pid, read, _ = self._child
            self._child = None
            os.close(read)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
            os.waitpid(pid, 0)
        if self.cache.converting is self:
            self.cache.converting = None


def converting_while_loading(
    config: Config, cache: ConversionCache, state: BuildState
) -> EarlyConversion | EditConversion | None:
    """What converts while a `blog build` loads: every text of a cold build, on all cores
    (early_conversion.py), or an edited post's, in one child (here); None when neither applies."""
    return EarlyConversion.for_build(config, cache) or EditConversion.for_build(config, cache, state)
