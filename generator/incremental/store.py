"""The renders of the last `blog build`, kept in `.blog-cache/` so that a CLI rebuild in a new
process re-renders only what changed, as `blog serve` does in memory.

One SQLite table (standard library) of rendered outputs with their dependencies, one of the
documents' fingerprints, one of the stat-keyed source index (sources.py: unchanged files are not
read again) and one of each document's reading time and description (strip_html is not run
again). Render rows are read when a page asks for its own (no decoding of one JSON file of every
page, 17.8 MB at 1,000 posts), and a build writes back only the rows it changed. A
missing, damaged or foreign file only means a full render."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

from generator.incremental import validation
from generator.incremental.bigrows import INSERT, copy_renders, insert_render, read_ahead, read_one, row_of
from generator.incremental.sources import PAGE_SIZE, IndexEntry, SourceIndex, spill_database
from generator.incremental.tablesave import copy_of, install, save_index, save_reading, settle_unless_copy
from generator.incremental.state import BuildState, RenderRecord

# 1: renders-v1.json (one JSON object); 2: SQLite. A format-2 file without the tables added since
# (sources, reading) fails the checks in _open and is replaced: one full render, nothing misread.
# 3: each render row keeps its output digest (digested.py): a reused page is not hashed again.
# 4: what the last build validated (validation.py): records checked the short way.
STATE_FORMAT = 4
STATE_FILE = f"renders-v{STATE_FORMAT}.sqlite"
# Removed with the markdown cache of other versions (a format-2 file: one full render, as before).
RETIRED_STATE_FILES = ("renders-v1.json", "renders-v2.sqlite", "renders-v3.sqlite")
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS renders"
    " (path TEXT PRIMARY KEY, own TEXT, docs TEXT, deps TEXT, data BLOB, digest TEXT)",
    "CREATE TABLE IF NOT EXISTS prints (document TEXT PRIMARY KEY, print TEXT)",
    "CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY, stat TEXT, sha TEXT, context TEXT, doc TEXT)",
    "CREATE TABLE IF NOT EXISTS reading (document TEXT PRIMARY KEY, key TEXT, minutes INTEGER, description TEXT)",
    "CREATE TABLE IF NOT EXISTS bytecode (key TEXT PRIMARY KEY, code BLOB)",
    *validation.SCHEMA,
)
_CHECKS = (
    "SELECT path, own, docs, deps, data, digest FROM renders LIMIT 0",
    "SELECT document, print FROM prints LIMIT 0",
    "SELECT path, stat, sha, context, doc FROM sources LIMIT 0",
    "SELECT document, key, minutes, description FROM reading LIMIT 0",
    "SELECT key, code FROM bytecode LIMIT 0",
    *validation.CHECKS,
)


class Unkept(dict):  # type: ignore[type-arg]
    """A memo that keeps nothing, for a BuildState no later build sees (`blog build`): `blog serve`'s
    memos (finished HTML, reading texts, view prints by inputs) hold every page's converted HTML."""

    __slots__ = ()

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def state_for_one_build() -> BuildState:
    return BuildState(finished=Unkept(), reading_texts=Unkept(), view_prints=Unkept())


class RenderStore(MutableMapping[str, RenderRecord]):
    """`BuildState.renders` backed by the table: a record is read when asked for; records set or
    deleted during a build are kept in memory until `save`."""

    def __init__(self, db: sqlite3.Connection | None, path: Path | None = None, lazy_pages: bool = False) -> None:
        self._db = db
        self.lazy_pages = lazy_pages  # stored pages' bytes read only when needed (load_renders)
        self._path = path  # where the table belongs (None: keep records in memory)
        # A build writes its new rows to a private temporary database (a file SQLite deletes when
        # closed), copied into the real one by `save`: rendered bytes are not all held in memory,
        # and a failed build neither leaves rows behind nor holds a write lock on `.blog-cache/`
        # (a `blog build` beside a running one, or the next build in the same process, can write).
        self._spill: sqlite3.Connection | None = None
        # Records set in this build: None once written to the spill database.
        self._changed: dict[str, RenderRecord | None] = {}
        self._deleted: set[str] = set()
        self._paths: set[str] | None = None  # paths on disk, read when first needed
        self._rows: dict[str, str | RenderRecord] | None = None  # by path: own print or record (_all_rows)
        # Rows are read AHEAD at a time in the table's order (rowid: the order the build that
        # wrote them rendered them in, which the next build's lookups follow), not one query each.
        self._rowids: dict[str, int] = {}
        self._ahead: dict[str, RenderRecord] = {}  # (at most AHEAD pages held)
        self.rows_read = 0
        self.queries = 0  # render-row queries made: what tests count

    def _on_disk(self) -> set[str]:
        if self._paths is None:
            self._paths = set() if self._db is None else {p for (p,) in self._db.execute("SELECT path FROM renders")}
        return self._paths

    def _all_rows(self) -> dict[str, str | RenderRecord]:
        """Every stored path with its own print, fetched in one query when the first is asked for.
        The rest of a row (its bytes, and the JSON of what it read: 16.6 MB at 4,000 posts, 2.6 MB
        of it the home page's) is read one row at a time, when its record is asked for, and not
        kept here: fetched with the prints, it was most of a no-op's peak (issue #19)."""
        if self._rows is None:
            assert self._db is not None
            self._rows = {}
            for path, own, rowid in self._db.execute("SELECT path, own, rowid FROM renders"):
                self._rows[path] = own
                self._rowids[path] = rowid
            self._paths = set(self._rows)
        return self._rows

    def __getitem__(self, path: str) -> RenderRecord:
        record = self._changed.get(path)
        if record is not None:
            return record
        if path in self._changed and self._spill is not None:  # this build's own, in the spill database
            return read_one(self._spill, path)
        if path in self._deleted or self._db is None:
            raise KeyError(path)
        rows = self._all_rows()
        row = rows.get(path)
        if row is None:  # saved after the rows were fetched
            return read_one(self._db, path)
        if isinstance(row, RenderRecord):
            return row
        self.rows_read += 1
        return self._read_ahead(self._db, path)

    def _read_ahead(self, db: sqlite3.Connection, path: str) -> RenderRecord:
        """`path`'s record and the next rows in table order, AHEAD in one query."""
        record = self._ahead.pop(path, None)
        if record is not None:
            return record
        self.queries += 1
        if path not in self._rowids:  # (rewritten since the rowids were read: its own query)
            return read_one(db, path)
        ahead = read_ahead(db, self._rowids[path], path, self.lazy_pages)  # (the ones not asked for before are let go)
        self._ahead = {p: r for p, r in ahead.items() if p not in self._changed and p not in self._deleted}
        return self._ahead.pop(path, None) or read_one(db, path)

    def __setitem__(self, path: str, record: RenderRecord) -> None:
        self._deleted.discard(path)
        self._ahead.pop(path, None)
        if self._path is None:
            self._changed[path] = record
            return
        if self._spill is None:
            self._spill = _create(spill_database())
        insert_render(self._spill, row_of(path, record))  # (large bytes a slice at a time)
        self._changed[path] = None
        if self._rows is not None:  # the fetched row is stale now; read back from the table when asked
            self._rows.pop(path, None)

    def __delitem__(self, path: str) -> None:
        if path not in self:
            raise KeyError(path)
        self._changed.pop(path, None)
        self._ahead.pop(path, None)
        self._deleted.add(path)

    def __contains__(self, path: object) -> bool:
        return path in self._changed or (path not in self._deleted and path in self._on_disk())

    def __iter__(self) -> Iterator[str]:
        return iter((self._on_disk() - self._deleted) | set(self._changed))

    def __len__(self) -> int:
        return len((self._on_disk() - self._deleted) | set(self._changed))

    @property
    def dirty(self) -> bool:
        return bool(self._changed or self._deleted)

    def write(self, db: sqlite3.Connection, prints: dict[str, str]) -> None:
        """This build's rows into `db`, inside the caller's transaction; `saved` after it commits."""
        rows = [row_of(path, r) for path, r in sorted(self._changed.items()) if r is not None]
        db.executemany("DELETE FROM renders WHERE path = ?", [(p,) for p in sorted(self._deleted)])
        db.executemany(INSERT, rows)
        if self._spill is not None:
            copy_renders(self._spill, db)
        db.execute("DELETE FROM prints")
        db.executemany("INSERT INTO prints VALUES (?, ?)", sorted(prints.items()))

    def saved(self, db: sqlite3.Connection) -> None:
        """What `write` wrote is committed: records set in this build are read from `db` from now on."""
        if self._paths is not None:
            self._paths = (self._paths - self._deleted) | set(self._changed)
        if self._rows is not None:
            for path in self._deleted:
                self._rows.pop(path, None)
            for path, record in self._changed.items():
                if record is None:  # in the table only: read back when asked
                    self._rows.pop(path, None)
                else:
                    self._rows[path] = record
        self._db = db
        self._ahead.clear()
        self._rowids.clear()  # (rows replaced since have new rowids: a miss reads them one by one)
        self._changed.clear()
        self._deleted.clear()
        if self._spill is not None:
            self._spill.close()
            self._spill = None


def _create(db: sqlite3.Connection) -> sqlite3.Connection:
    db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # (only before the first table: fixed from then on)
    db.execute(f"PRAGMA user_version = {STATE_FORMAT}")
    for statement in _SCHEMA:
        db.execute(statement)
    db.commit()
    return db


def connect(path: Path, **options: Any) -> sqlite3.Connection:
    """A `.blog-cache/` database that commits without waiting for the disk. A cache: a build killed
    mid-save still leaves the old rows or the new (the journal), and the power loss this no longer
    guards against is out of scope (DESIGN.md). The syncs were most of an edit rebuild's save
    (3 or 4 a commit, ~2-4 ms each)."""
    db = sqlite3.connect(path, **options)
    with contextlib.suppress(sqlite3.DatabaseError):  # not a database: the caller's checks say so
        # The page size first: any pragma run before it on a new file leaves SQLite's page cache
        # sized for its default pages, and the one big transaction of a cold build's save then
        # held ~30 MB per 1,000 posts in memory (no effect on a file that has tables already).
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        db.execute("PRAGMA synchronous = OFF")
    return db


def _open(path: Path, create: bool) -> sqlite3.Connection | None:
    if not create and not path.is_file():
        return None
    db = connect(path, check_same_thread=False)  # (saved in a thread while the site is written: build.py)
    try:
        if create:
            _create(db)
        if db.execute("PRAGMA user_version").fetchone()[0] != STATE_FORMAT:
            raise sqlite3.DatabaseError("another format")
        for check in _CHECKS:
            db.execute(check)
        return db
    except sqlite3.Error:
        db.close()
        path.unlink(missing_ok=True)
        return _open(path, create) if create and not path.exists() else None


def load_renders(state: BuildState, folder: Path, lazy_pages: bool = False) -> None:
    """Give a fresh state the renders of the last `blog build` (opened here, read row by row).
    `lazy_pages`: a reused page is a digested.StoredPage, its bytes read when the spool needs them
    (a build that spools every output; without a spool, outputs keep bytes)."""
    db = _open(folder / STATE_FILE, create=False)
    prints: dict[str, str] = {}
    index = SourceIndex(spilling=True)
    reading: dict[str, tuple[str, tuple[int, str]]] = {}
    if db is not None:
        try:
            prints = dict(db.execute("SELECT document, print FROM prints"))
            # (each document's JSON stays in the table, read when it is decoded: sources.py)
            index.store = db
            for path, stat, sha, context in db.execute("SELECT path, stat, sha, context FROM sources"):
                index.entries[path] = IndexEntry(tuple(json.loads(stat)), sha, context, None, stored=True)
            for document, key, minutes, description in db.execute("SELECT * FROM reading"):
                reading[document] = (key, (minutes, description))
            state.bytecode.from_disk = True
            state.bytecode.store.update(db.execute("SELECT key, code FROM bytecode"))
            validation.load_validation(db, state)
        except (sqlite3.Error, ValueError, TypeError):
            db.close()
            db, prints, index, reading = None, {}, SourceIndex(spilling=True), {}
    state.renders = RenderStore(db, folder / STATE_FILE, lazy_pages)
    state.document_prints = prints
    state.saved_prints = dict(prints)
    state.sources = index
    state.reading = reading
    state.saved_reading = dict(reading)


def save_renders(state: BuildState, folder: Path, settled: Callable[[], None] = lambda: None) -> None:
    """Write back what this build changed: its new renders, the ones gone, the fingerprints. `settled`:
    called before the commit (build.py: raises if the site's write failed; the save rolls back)."""
    renders = state.renders
    prints_changed = state.document_prints != state.saved_prints or state.view_inputs != state.saved_view_inputs
    others_changed = state.sources.dirty or state.reading != state.saved_reading or bool(state.bytecode.changed)
    if isinstance(renders, RenderStore):
        if not (renders.dirty or prints_changed or others_changed):
            return
    elif not (state.renders_changed or others_changed):
        return
    folder.mkdir(parents=True, exist_ok=True)
    db = renders._db if isinstance(renders, RenderStore) and renders._db is not None else None
    if db is None and isinstance(renders, RenderStore) and renders._spill is not None and not renders._deleted:
        db, renders._spill = copy_of(renders._spill, folder / STATE_FILE, connect), None  # (its rows copied)
    db = db or _open(folder / STATE_FILE, create=True)
    assert db is not None
    # One transaction (not one per table: each commit waited for the disk), all of it or none.
    with db:
        if not isinstance(renders, RenderStore):  # a state filled in memory: it replaces the table
            for table in ("renders", "sources", "reading"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
            state.sources.changed |= set(state.sources.entries)
            state.saved_reading = {}
            store = RenderStore(db)
            store.update(renders)
            renders = store
        renders.write(db, state.document_prints)
        save_index(db, state.sources)
        save_reading(db, state.reading, state.saved_reading)
        bytecode = state.bytecode
        rows = [(key, bytecode.store[key]) for key in sorted(bytecode.changed) if key in bytecode.store]
        db.executemany("INSERT OR REPLACE INTO bytecode VALUES (?, ?)", rows)
        db.execute("DELETE FROM bytecode WHERE substr(key, 1, ?) != ?", (len(bytecode.salt) + 1, bytecode.salt + ":"))
        validation.save_validation(db, state, set(renders))
        settle_unless_copy(db, settled)
    renders.saved(install(db, folder / STATE_FILE, lambda path: _open(path, create=False), settled))
    validation.saved(state)
    state.saved_prints = dict(state.document_prints)
    state.sources.changed.clear()
    state.sources.removed.clear()  # (spilled entries stay readable from the spill file while the index lives)
    state.saved_reading = dict(state.reading)
    bytecode.changed.clear()
