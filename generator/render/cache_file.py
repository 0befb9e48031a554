"""The conversion cache's file on disk (render/cache.py): its name and format version, opening it,
and removing files of other formats."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from generator.incremental.sources import PAGE_SIZE
from generator.incremental.store import RETIRED_STATE_FILES, connect  # (connect: no disk syncs)

# 1: a bare JSON {key: entry} mapping; 2: JSON {"format": 2, "entries": {key: entry}}; 3: SQLite
CACHE_FORMAT = 3
CACHE_FILE = f"markdown-v{CACHE_FORMAT}.sqlite"
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
