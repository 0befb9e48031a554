"""A memo of converted fragments that outlives the process: highlighted code blocks and TeX formulas
converted to MathML, in `.blog-cache/fragments-v1.sqlite` (issue #19).

Why: editing a post's prose in a new `blog build` converts that post again, and its code blocks
and formulas — unchanged — would make this process import latex2mathml and build a Pygments lexer
(compiling all its regular expressions): ~60 ms of a 0.4 s rebuild, for output known already.

Each entry is keyed by sha256 of everything its output depends on: the fragment's own inputs, the
converters' installed versions and the rules version the caller passes (bump it when the code that
makes the fragment changes). A hit returns the same text a conversion would.

`blog build` keeps the memo (commands/cli.py `kept_in`); `blog serve` too, with an in-memory layer
kept across its rebuilds (serve/server.py), so an edit re-highlights only the code blocks it
changed; otherwise lookups miss at no cost.
The build's worker processes (forked) use it too: each opens its own connection and writes what it
converted when it exits (multiprocessing's finalizers), so a cold build fills it."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator import installed

FILE_NAME = "fragments-v1.sqlite"
PENDING_LIMIT = 2_000  # entries a process holds before writing them out (a cold build of a big site)
MAX_CHARS = 200_000  # a fragment bigger than this is converted each time: the memo stays small


@functools.cache
def version(distribution: str) -> str:
    """An installed converter's version, without importing it (latex2mathml takes ~25 ms), nor
    importlib.metadata when the dist-info folder's name tells (installed.py)."""
    try:
        return installed.version(distribution)
    except ModuleNotFoundError:  # importlib.metadata's PackageNotFoundError
        return "unknown"


# `json.dumps(value, default=repr)`'s encoder, made once: dumps builds one per call when given
# `default` (half the time of a code block's key). The same text, so the same keys as before.
_ENCODER = json.JSONEncoder(default=repr)


def key(kind: str, *parts: object) -> str:
    return hashlib.sha256(_ENCODER.encode([kind, *parts]).encode()).hexdigest()


class FragmentStore:
    def __init__(self, path: Path | None, memory: dict[str, str] | None = None) -> None:
        self.path = path
        self.pid = os.getpid()
        self.thread = threading.get_ident()  # the build's; other threads of the process do not use it
        self.db: sqlite3.Connection | None = None
        self.pending: dict[str, str] = {}  # added in this process, not yet written
        self.unusable = path is None  # (memory only)
        # The caller's entries, looked at before the file (`blog serve` keeps them between rebuilds).
        self.memory = memory
        self.inherited: list[sqlite3.Connection] = []

    def _here(self) -> None:
        """In a forked worker, start afresh: the parent's connection is never used (nor closed:
        SQLite connections must not cross a fork), nor its pending entries written twice."""
        if self.pid == os.getpid():
            return
        if self.db is not None:
            self.inherited.append(self.db)
        self.pid, self.db, self.pending = os.getpid(), None, {}
        self.thread = threading.get_ident()
        from multiprocessing import util  # imported already: the parent made this worker with it

        util.Finalize(self, self.close, exitpriority=10)  # run as the worker exits

    def _connection(self, create: bool = True) -> sqlite3.Connection | None:
        """`create` False (a lookup): no file is made for it. A build that is refused, or that
        finds nothing, leaves `.blog-cache/` as it was (the config's YAML is looked up first)."""
        if self.path is None:
            return None
        if self.db is None and not create and not self.path.exists():
            return None
        if self.db is None and not self.unusable:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, timeout=10)
                self.db.execute("PRAGMA journal_mode=WAL")  # the workers write side by side
                self.db.execute("PRAGMA synchronous=NORMAL")  # a memo: losing the last write is harmless
                self.db.execute("CREATE TABLE IF NOT EXISTS fragments (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            except (OSError, sqlite3.Error):
                self.unusable = True  # a read-only or damaged cache: convert as if there were none
                self.db = None
        return self.db

    def get(self, fragment_key: str) -> str | None:
        self._here()
        found = self.pending.get(fragment_key)
        if found is None and self.memory is not None:
            found = self.memory.get(fragment_key)
        if found is not None:
            return found
        db = self._connection(create=False)
        if db is None:
            return None
        try:
            row = db.execute("SELECT value FROM fragments WHERE key = ?", (fragment_key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is not None and self.memory is not None:
            self.memory[fragment_key] = row[0]
        return None if row is None else row[0]

    def put(self, fragment_key: str, value: str) -> None:
        self._here()
        if len(value) > MAX_CHARS:
            return
        if self.memory is not None:
            self.memory[fragment_key] = value
        self.pending[fragment_key] = value
        if len(self.pending) >= PENDING_LIMIT:
            self.save()

    def save(self) -> None:
        if not self.pending or self.pid != os.getpid():
            return
        db = self._connection()
        if db is not None:
            try:
                with db:
                    db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?)", self.pending.items())
            except sqlite3.Error:
                pass  # a memo: the next build converts these again
        self.pending = {}

    def close(self) -> None:
        self.save()
        if self.db is not None:
            self.db.close()
            self.db = None


_store: FragmentStore | None = None


@contextmanager
def kept_in(folder: Path | None, memory: dict[str, str] | None = None) -> Iterator[None]:
    """Look fragments up in, and add new ones to, `folder/FILE_NAME` (None: no file) and `memory`
    (the caller's dict, which outlives this) for the duration."""
    global _store
    _store = FragmentStore(None if folder is None else folder / FILE_NAME, memory)
    try:
        yield
    except BaseException:
        # A failed or refused build writes nothing into .blog-cache/ (tests/test_hostile_paths.py):
        # what it added is made again next time.
        _store.pending = {}
        raise
    finally:
        store, _store = _store, None
        store.close()


def open_before_forking() -> None:
    """Make the memo's file, its WAL mode and its table now, in the parent: two forked workers
    doing it at the same moment could each find the other's lock (switching to WAL needs the file
    to itself), and the loser would keep nothing for the whole build."""
    if _store is not None:
        _store._here()
        _store._connection()


def save_here() -> None:
    """In a forked child about to end with os._exit (render/edit_conversion.py): write what this
    process converted now, as a pool worker does when it exits."""
    if _store is not None and _store.pid == os.getpid():
        _store.close()


def _mine(store: FragmentStore | None) -> bool:
    """The memo is the build's: another thread converting meanwhile (`blog serve`'s warm-up) must
    not share its SQLite connection. A forked worker is another process, and gets its own."""
    return store is not None and (store.pid != os.getpid() or store.thread == threading.get_ident())


def lookup(fragment_key: str) -> str | None:
    return _store.get(fragment_key) if _mine(_store) else None  # type: ignore[union-attr]


def remember(fragment_key: str, value: str) -> None:
    if _mine(_store):
        _store.put(fragment_key, value)  # type: ignore[union-attr]
