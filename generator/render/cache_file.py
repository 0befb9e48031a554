"""The conversion cache's file on disk (render/cache.py): its name and format version, opening it,
removing files of other formats, and saving a spilling cache's rows into it."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.incremental.sources import PAGE_SIZE
from generator.incremental.store import RETIRED_STATE_FILES, connect  # (connect: no disk syncs)

# 1: a bare JSON {key: entry} mapping; 2: JSON {"format": 2, "entries": {key: entry}}; 3: SQLite
CACHE_FORMAT = 3
CACHE_FILE = f"markdown-v{CACHE_FORMAT}.sqlite"
COLUMNS = "key, html, toc, toc_count, warnings"
INSERT = "INSERT OR REPLACE INTO markdown VALUES (?, ?, ?, ?, ?)"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS markdown (key TEXT PRIMARY KEY, html TEXT, toc TEXT, toc_count INTEGER, warnings TEXT)"
)


def open_store(path: Path, create: bool = False) -> sqlite3.Connection | None:
    """The store at `path`, or None (the file deleted) if it is not one of this format: a damaged
    or foreign file is a cold cache, never misread."""
    db = connect(path, check_same_thread=False)  # used under the cache's lock
    try:
        if create:
            db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # (before the first table)
            db.execute(f"PRAGMA user_version = {CACHE_FORMAT}")
            db.execute(SCHEMA)
            db.commit()
        elif db.execute("PRAGMA user_version").fetchone()[0] != CACHE_FORMAT:
            raise sqlite3.DatabaseError("another cache format")
        db.execute("SELECT key, html, toc, toc_count, warnings FROM markdown LIMIT 0")
        return db
    except sqlite3.Error:
        db.close()
        path.unlink(missing_ok=True)
        if not create:
            return None
        db = connect(path, check_same_thread=False)
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        db.execute(f"PRAGMA user_version = {CACHE_FORMAT}")
        db.execute(SCHEMA)
        db.commit()
        return db


def remove_other_formats(folder: Path) -> None:
    """A cache written by another version of blog is deleted, with one line: its entries could
    only be misread, and converting the site again is all it costs."""
    old = sorted(p for p in folder.glob("markdown-v*.*") if p.name != CACHE_FILE and p.suffix in (".json", ".sqlite"))
    quiet = [folder / name for name in RETIRED_STATE_FILES if (folder / name).exists()]
    for path in old + quiet:
        path.unlink(missing_ok=True)
    if not old:
        return
    names = ", ".join(p.name for p in old)
    message = f"note: {folder.name}/{names} is from another version of blog; rebuilding the markdown cache"
    print(message, file=sys.stderr)


def save_through(
    spill: sqlite3.Connection,
    store: Path,
    stale: list[tuple[str]],
    rows: list[tuple[Any, ...]],
    dropped: list[str],
    settled: Callable[[], None],
) -> None:
    """Save through the spill file's connection, the store attached to it: the spilled rows are
    copied by one INSERT ... SELECT inside SQLite, not fetched into Python and bound again row by
    row (a cold build's 2,000 rows: ≈ 25 ms, holding the GIL the writing thread waits for, build.py).
    One transaction, as with the store's own connection (which holds no lock meanwhile)."""
    spill.commit()  # (its rows were inserted in a transaction left open: ATTACH needs none)
    spill.execute("ATTACH DATABASE ? AS store", (os.fspath(store),))
    try:
        spill.execute("PRAGMA store.synchronous = OFF")  # (as store.connect sets it: a cache)
        with spill:
            spill.executemany("DELETE FROM main.markdown WHERE key = ?", [(k,) for k in dropped])
            spill.executemany("DELETE FROM store.markdown WHERE key = ?", stale)
            spill.executemany(INSERT.replace("INTO markdown", "INTO store.markdown"), rows)
            spill.execute(f"INSERT OR REPLACE INTO store.markdown SELECT {COLUMNS} FROM main.markdown ORDER BY key")
            settled()
    finally:
        spill.execute("DETACH DATABASE store")
