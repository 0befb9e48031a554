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

BIG = 1 << 18  # bytes: at or above this, a row's data is written through a blob handle
SLICE = 1 << 18
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
