"""The content-keyed markdown conversion cache. Key = sha256(text + settings fingerprint), so an
edited post, a changed setting or a new converter version misses, and nothing else does. The
caller owns it: `blog build` loads/saves `.blog-cache/`, `blog serve` keeps one in memory.

On disk it is one SQLite table (standard library), read by key: a build reads only the rows it
looks up and writes only the rows it converted or dropped, instead of decoding and re-encoding one
JSON file of every page's HTML (16.6 MB at 1,000 posts) on every build.

The file is versioned by its name (`markdown-v{CACHE_FORMAT}.sqlite`) and SQLite's `user_version`:
a file of another format is never read, it is deleted and the cache rebuilt, with one line saying
so for files of earlier versions. Bump CACHE_FORMAT whenever what is stored changes shape (and say
so in CHANGELOG.md)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from generator.incremental.sources import spill_database
from generator.render.cache_file import CACHE_FILE, CACHE_FORMAT, SCHEMA as _SCHEMA, open_store, remove_other_formats
from generator.render.cache_file import INSERT as _INSERT, save_through
from generator.render.markup import MarkdownResult

__all__ = ["CACHE_FILE", "CACHE_FORMAT", "ConversionCache"]

_BATCH = 500  # keys per `IN (...)` query: under SQLite's variable limit
AHEAD = 128  # rows read ahead per query when spilling (~1 MB of HTML at most)
SHORT_TEXT = 2048  # characters: a shorter text (an excerpt) is remembered by value, a longer one by identity


class ConversionCache:
    def __init__(self, folder: Path | None = None, spill: bool = False) -> None:
        self.folder = folder
        self._entries: dict[str, MarkdownResult] = {}  # converted or looked up by this process
        # `spill`: for a process that builds once (`blog build`), results go to a private temporary
        # SQLite file (deleted when closed) instead of memory, read back when looked up and copied
        # into the store by `save`: a cold build of 4,000 posts does not hold ~30 MB of HTML.
        # (`blog serve` keeps them in memory: it hands the same objects to the next rebuild.)
        self._spilling = spill
        self._spill: sqlite3.Connection | None = None
        self._spilled: set[str] = set()  # keys of this process's results held in the spill file
        self._dropped: set[str] = set()  # keys whose rows in the spill file prune_unused dropped
        self._db: sqlite3.Connection | None = None  # the store on disk (None: memory only)
        self._new: set[str] = set()  # converted since the last save
        self._stale: set[str] = set()  # on disk, dropped by prune_unused
        self._used: set[str] = set()
        self._prefetched: set[str] = set()
        # Spilling: the keys `missing` found on disk, in the order the build looks them up, and
        # rows read ahead in that order (AHEAD per query, not one query per lookup).
        self._order: dict[str, int] = {}
        self._ordered: list[str] = []
        self._ahead: dict[str, MarkdownResult] = {}
        self._lock = threading.Lock()
        self._keys_now: dict[int | str, tuple[str, str, str]] = {}  # id(text) or text -> (text, fingerprint, key)
        self._keys_before: dict[int | str, tuple[str, str, str]] = {}
        # Bodies are held while documents are converted: a spilling build remembers keys too, until
        # `let_go_of_keys` (each body was hashed twice, each excerpt three times: ≈ 10 ms of a no-op).
        self._keys_let_go = False
        self.hits = 0
        self.misses = 0
        self.rows_read = 0  # rows fetched from disk: what tests count instead of timing
        # Workers converting into this cache since before the renderer existed (a cold `blog
        # build` starts them while loading): DocumentRenderer.prefetch hands them what it finds
        # missing and waits for them.
        self.converting: Any = None  # (render/early_conversion.py's EarlyConversion)

    @property
    def stored(self) -> bool:
        """Whether a store was found on disk (False: a cold build, every text is missing)."""
        return self._db is not None

    @staticmethod
    def key(text: str, fingerprint: str) -> str:
        return hashlib.sha256(f"{fingerprint}\0{text}".encode()).hexdigest()

    def _key_of(self, text: str, fingerprint: str) -> str:
        """`key`, remembered for the texts of this build and the last (prefetch asks, then convert;
        `blog serve` holds the same objects while a text is unchanged): by identity (the memo keeps
        them alive), a short text by value (an excerpt is cut from its body anew each time)."""
        if self._spilling and self._keys_let_go:  # holding every text would hold what spilling lets go
            return self.key(text, fingerprint)
        by: int | str = text if len(text) < SHORT_TEXT and type(text) is str else id(text)
        known = self._keys_now.get(by) or self._keys_before.get(by)
        if known is not None and (known[0] is text or by is text) and known[1] == fingerprint:
            self._keys_now[by] = known
            return known[2]
        self._keys_now[by] = (text, fingerprint, key := self.key(text, fingerprint))
        return key

    def _lookup(self, key: str) -> MarkdownResult | None:
        """Called with the lock held."""
        found = self._entries.get(key)
        if found is None and key in self._spilled:
            assert self._spill is not None
            return _result(self._spill.execute(_ROW, (key,)).fetchone())
        if found is None and key in self._order:
            found = self._ahead.pop(key, None) or self._read_ahead(key)
            if found is not None:
                return found
        if found is None and self._db is not None and key not in self._stale:
            row = self._db.execute(_ROW, (key,)).fetchone()
            if row is not None:
                self.rows_read += 1
                found = _result(row)
                if not self._spilling:
                    self._entries[key] = found
        return found

    def _read_ahead(self, key: str) -> MarkdownResult | None:
        """`key`'s row and the next ones `missing` listed, read in one query (see _keys_on_disk)."""
        if self._db is None or key in self._stale:
            return None
        batch = self._ordered[self._order[key] : self._order[key] + AHEAD]
        marks = ",".join("?" * len(batch))
        query = f"SELECT key, html, toc, toc_count, warnings FROM markdown WHERE key IN ({marks})"
        self._ahead = {}
        for found_key, *row in self._db.execute(query, batch):
            self.rows_read += 1
            self._ahead[found_key] = _result(tuple(row))  # type: ignore[arg-type]
        return self._ahead.pop(key, None)

    def key_of(self, text: str, fingerprint: str) -> str:
        """The key `text` is stored under (what a caller may pass to get_or_convert as `key`)."""
        return self._key_of(text, fingerprint)

    def get_or_convert(
        self, text: str, fingerprint: str, convert: Callable[[], MarkdownResult], key: str | None = None
    ) -> MarkdownResult:
        key = key if key is not None else self._key_of(text, fingerprint)
        with self._lock:
            self._used.add(key)
            found = self._lookup(key)
            if found is not None:
                if key in self._prefetched:  # converted by `put`: counted now, when used
                    self._prefetched.discard(key)
                    self.misses += 1
                else:
                    self.hits += 1
                return found
        result = convert()
        with self._lock:
            self.misses += 1
            self._store(key, result)
        return result

    def _store(self, key: str, result: MarkdownResult) -> None:
        if self._spilling:
            if self._spill is None:
                self._spill = spill_database()  # used under the lock
                self._spill.execute(_SCHEMA)
            self._spill.execute("INSERT OR REPLACE INTO markdown VALUES (?, ?, ?, ?, ?)", _row(key, result))
            self._spilled.add(key)
            self._entries.pop(key, None)
        else:
            self._entries[key] = result
        self._new.add(key)
        self._stale.discard(key)

    def missing(self, texts: list[str], fingerprint: str) -> list[str]:
        """The distinct texts not yet converted with these settings, in order."""
        keyed = {self._key_of(t, fingerprint): t for t in dict.fromkeys(texts)}
        with self._lock:
            absent = [k for k in keyed if k not in self._entries and k not in self._spilled]
            on_disk = self._keys_on_disk(absent)
            known = self._entries.keys() | self._spilled | on_disk
            return [t for k, t in keyed.items() if k not in known]

    def _keys_on_disk(self, keys: Iterable[str]) -> set[str]:
        """The keys stored on disk; their rows are read now, in batches (the build looks every one
        up next, and a query per key costs several times more). Not when spilling (`blog build`):
        that would hold every post's HTML at once (4,000 posts: ~35 MB of a no-op's peak), so
        only the keys are asked for and each row is read when looked up (issue #19)."""
        keys = [k for k in keys if k not in self._stale]
        found: set[str] = set()
        if self._db is None:
            return found
        for start in range(0, len(keys), _BATCH):
            batch = keys[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            if self._spilling:
                keys_only = f"SELECT key FROM markdown WHERE key IN ({marks})"
                on_disk = {key for (key,) in self._db.execute(keys_only, batch)}
                found |= on_disk
                for key in batch:  # (in the order looked up)
                    if key in on_disk and key not in self._order:
                        self._order[key] = len(self._ordered)
                        self._ordered.append(key)
                continue
            query = f"SELECT key, html, toc, toc_count, warnings FROM markdown WHERE key IN ({marks})"
            for key, html, toc, toc_count, warnings in self._db.execute(query, batch):
                self.rows_read += 1
                self._entries[key] = _result((html, toc, toc_count, warnings))
                found.add(key)
        return found

    def put(self, text: str, fingerprint: str, result: MarkdownResult) -> None:
        """Store a result converted elsewhere (the parallel path). Counted as a conversion when
        first looked up, not a hit: converted ahead, maybe for a text no document asks for in the
        end (render/early_conversion.py), which prune_unused then drops like any unused entry."""
        with self._lock:
            key = self._key_of(text, fingerprint)
            self._store(key, result)
            self._prefetched.add(key)

    def keep(self, keys: Iterable[str]) -> None:
        """Entries a caller still holds from an earlier lookup (`blog serve` keeps an unchanged
        document's conversion): used by this build as if looked up again (hits; not pruned)."""
        with self._lock:
            for key in keys:
                self._used.add(key)
                self.hits += 1

    def reset_stats(self) -> None:
        self.hits = self.misses = self.rows_read = 0
        self._used.clear()
        self._prefetched.clear()
        self._keys_before, self._keys_now = self._keys_now, {}  # texts of older builds are let go
        self._keys_let_go = False

    def let_go_of_keys(self) -> None:
        """Conversion is over (build.py): a spilling build's memo lets go of the texts it holds."""
        if self._spilling:
            self._keys_now, self._keys_before, self._keys_let_go = {}, {}, True

    def prune_unused(self) -> None:
        """Drop entries the last build did not use, so the cache does not grow forever."""
        with self._lock:
            for key in set(self._entries) - self._used:
                del self._entries[key]
                self._new.discard(key)
            for key in self._spilled - self._used:  # its row is left in the spill file, never copied
                self._spilled.discard(key)
                self._new.discard(key)
                self._dropped.add(key)
            if self._db is not None:
                on_disk = {k for (k,) in self._db.execute("SELECT key FROM markdown")}
                self._stale |= on_disk - self._used

    @classmethod
    def load(cls, folder: Path, spill: bool = False) -> ConversionCache:
        """The cache in `folder`, opened (nothing is read until looked up)."""
        cache = cls(folder, spill)
        remove_other_formats(folder)
        path = folder / CACHE_FILE
        if path.is_file():
            cache._db = open_store(path)
        return cache

    def save(self, settled: Callable[[], None] = lambda: None) -> None:
        """`settled`: called just before the commit; if it raises (build.py: the site's write
        failed) the save rolls back, and a store file this save made is removed again."""
        if self.folder is None or not (self._new or self._stale):
            return
        with self._lock:
            created = self._db is None
            if self._db is None:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._db = open_store(self.folder / CACHE_FILE, create=True)
            assert self._db is not None
            rows = [_row(key, self._entries[key]) for key in sorted(self._new - self._spilled)]
            stale = [(k,) for k in sorted(self._stale)]
            try:
                if self._spill is not None:
                    save_through(self._spill, self.folder / CACHE_FILE, stale, rows, sorted(self._dropped), settled)
                else:
                    with self._db:  # one transaction: all of this build's changes or none
                        self._db.executemany("DELETE FROM markdown WHERE key = ?", stale)
                        self._db.executemany(_INSERT, rows)
                        settled()
            except BaseException:
                if created:
                    self._db.close()
                    self._db = None
                    (self.folder / CACHE_FILE).unlink(missing_ok=True)
                raise
            self._new.clear()
            self._stale.clear()
            if self._spill is not None:  # now in the store: looked up there from here on
                self._spill.close()
                self._spill = None
                self._spilled.clear()
                self._dropped.clear()


_ROW = "SELECT html, toc, toc_count, warnings FROM markdown WHERE key = ?"


def _result(row: tuple[str, str, int, str]) -> MarkdownResult:
    html, toc, toc_count, warnings = row
    if warnings == "[]":  # nearly every row: no JSON decode (a no-op reads 2,000 of them)
        return MarkdownResult(html, toc, toc_count, ())
    return MarkdownResult(html, toc, toc_count, tuple(tuple(w) for w in json.loads(warnings)))


def _row(key: str, r: MarkdownResult) -> tuple[str, str, str, int, str]:
    return (key, r.html, r.toc, r.toc_count, json.dumps([list(w) for w in r.warnings]))
