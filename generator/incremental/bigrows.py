"""Render rows whose bytes are large (a home page listing every post: megabytes) go into SQLite
through incremental blob I/O: the row is inserted with a zero-filled blob of the right length,
which SQLite writes without building it in memory, and the bytes are then written into it a
slice at a time. Bound as a parameter, the bytes would be copied (the binding) and copied again
(the record SQLite builds), and copying a row between databases would add the Python object the
row is fetched into: at 4,000 posts +24 MB RSS when `.blog-cache/` is saved. Small rows, nearly
all of them, take the plain statement (a blob handle per row costs more than it saves)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from generator.incremental.digested import Digested, StoredPage, bytes_of, digest_of, known_digest
from generator.incremental.state import RenderRecord

BIG = 1 << 18  # bytes: at or above this, a row's data is written through a blob handle
SLICE = 1 << 18
AHEAD = 64  # render rows read per query at most (store.py)
AHEAD_BYTES = 1 << 18  # and no more rows once this many bytes of them are held
INSERT = "INSERT OR REPLACE INTO renders VALUES (?, ?, ?, ?, ?, ?)"
_INSERT_EMPTY = "INSERT OR REPLACE INTO renders VALUES (?, ?, ?, ?, zeroblob(?), ?)"


def insert_render(db: sqlite3.Connection, row: Sequence[object]) -> None:
    """INSERT OR REPLACE one (path, own, docs, deps, data, digest) row."""
    data = row[4]
    if not isinstance(data, bytes) or len(data) < BIG:
        db.execute(INSERT, row)
        return
    rowid = db.execute(_INSERT_EMPTY, (*row[:4], len(data), row[5])).lastrowid
    assert rowid is not None
    view = memoryview(data)
    with db.blobopen("renders", "data", rowid) as blob:
        for start in range(0, len(data), SLICE):
            blob.write(view[start : start + SLICE])


def copy_renders(source: sqlite3.Connection, db: sqlite3.Connection) -> None:
    """Every row of `source`'s renders table into `db`'s (INSERT OR REPLACE), the large ones'
    bytes a slice at a time from one blob into the other."""
    small = "SELECT path, own, docs, deps, data, digest FROM renders WHERE length(data) < ? OR data IS NULL"
    db.executemany(INSERT, source.execute(small, (BIG,)))  # streamed row by row from the cursor
    big = "SELECT rowid, path, own, docs, deps, length(data), digest FROM renders WHERE length(data) >= ?"
    for rowid, path, own, docs, deps, size, digest in source.execute(big, (BIG,)):  # (one row's texts at a time)
        new = db.execute(_INSERT_EMPTY, (path, own, docs, deps, size, digest)).lastrowid
        assert new is not None
        src, dst = source.blobopen("renders", "data", rowid, readonly=True), db.blobopen("renders", "data", new)
        with src, dst:
            while chunk := src.read(SLICE):
                dst.write(chunk)


def read_one(db: sqlite3.Connection, path: str) -> RenderRecord:
    row = db.execute("SELECT own, docs, deps, data, digest FROM renders WHERE path = ?", (path,)).fetchone()
    if row is None:
        raise KeyError(path)
    return record_of(row)


def record_of(row: Any, lazy: tuple[sqlite3.Connection, str] | None = None) -> RenderRecord:
    """`lazy`: the row was read without its bytes; they are read from (db, path) when needed."""
    own, documents, deps, data, digest = row
    # (its documents, site keys and templates decoded only if a check needs them)
    if lazy is not None:
        data = StoredPage(*lazy, digest)
    else:
        data = Digested.of(data, digest)  # (the digest made when it was rendered: not hashed again)
    return RenderRecord(own, None, None, None, data, documents, deps)


def row_of(path: str, r: RenderRecord) -> tuple[str, str, str, str, bytes, str]:
    data = bytes_of(r.data)  # (a reused page left in the store, were one ever saved again)
    digest = known_digest(data) or digest_of(data)  # (cached_render's renders carry theirs)
    return (path, r.own, r.documents_json(), r.deps_json(), data, digest)


def read_ahead(db: sqlite3.Connection, rowid: int, path: str, lazy: bool = False) -> dict[str, RenderRecord]:
    """The records of the rows from `rowid` on in table order (`path`'s first): AHEAD at most,
    and none past AHEAD_BYTES of HTML and JSON held (a page reading every post's keys is big).
    `lazy`: the pages' bytes are left in the table (digested.StoredPage)."""
    data = "NULL" if lazy else "data"
    query = f"SELECT path, own, docs, deps, {data}, digest FROM renders WHERE rowid >= ? ORDER BY rowid LIMIT ?"  # noqa: S608
    ahead: dict[str, RenderRecord] = {}
    held = 0
    for found, *row in db.execute(query, (rowid, AHEAD)):
        if held > AHEAD_BYTES and found != path:
            break
        held += len(row[1] or "") + len(row[3] or b"")
        ahead[found] = record_of(row, (db, found) if lazy else None)
    return ahead
