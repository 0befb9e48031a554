"""The source index's and the reading facts' rows written back into the render store's database
(store.py's save_renders), inside its one transaction: only the rows that changed. And a first
save's store, made as a copy of the spill file that holds this build's renders."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from generator.incremental.sources import SourceIndex


def save_index(db: sqlite3.Connection, index: SourceIndex) -> None:
    entries = index.entries
    changed = sorted(index.changed)
    # A changed entry still `stored` in this very table kept its Document (same bytes, new stat):
    # only its stat and sha change, and its JSON is not read through Python.
    in_place = [p for p in changed if entries[p].stored and index.store is db]
    moved = set(in_place)
    texts = {p: entries[p].stored or entries[p].spilled or entries[p].encoded is not None for p in changed}
    rows = (  # a generator: spilled JSON is read row by row, never all in one list
        (path, json.dumps(entries[path].stat), entries[path].sha, entries[path].context, text)
        for path in changed
        if path not in moved and texts[path] and (text := index.encoded(path)) is not None
    )
    gone = sorted(index.removed | {p for p in changed if not texts[p]})
    db.executemany("DELETE FROM sources WHERE path = ?", [(p,) for p in gone])
    db.executemany(
        "UPDATE sources SET stat = ?, sha = ?, context = ? WHERE path = ?",
        [(json.dumps(entries[p].stat), entries[p].sha, entries[p].context, p) for p in in_place],
    )
    db.executemany("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?)", rows)


Reading = dict[str, tuple[str, tuple[int, str]]]  # document -> (content key, (minutes, description))


def save_reading(db: sqlite3.Connection, reading: Reading, saved: Reading) -> None:
    changed = [(d, key, m, text) for d, (key, (m, text)) in sorted(reading.items()) if saved.get(d) != (key, (m, text))]
    db.executemany("DELETE FROM reading WHERE document = ?", [(d,) for d in sorted(set(saved) - set(reading))])
    db.executemany("INSERT OR REPLACE INTO reading VALUES (?, ?, ?, ?)", changed)


_FRESH: dict[sqlite3.Connection, Path] = {}  # a copy_of connection -> its temporary file
STALE_COPY = 600  # seconds: a temporary copy this old was left by a build that was killed


def copy_of(spill: sqlite3.Connection, path: Path, connect: Callable[..., sqlite3.Connection]) -> sqlite3.Connection:
    """A first save (no store at `path` yet): the store starts as a copy of the spill file, which
    holds every render of this build in the store's schema, made page by page inside SQLite
    (sqlite3's backup, the GIL released: build.py writes the site meanwhile), not row by row
    through Python. Made under a temporary name; `install` renames it to `path` once the save's
    one transaction committed, so a kill leaves no store without its fingerprints."""
    for old in path.parent.glob(f"{path.name}.*.new"):  # (litter of killed builds; not a live one's)
        with contextlib.suppress(OSError):
            if time.time() - old.stat().st_mtime > STALE_COPY:
                old.unlink()
    fresh = path.with_name(f"{path.name}.{os.getpid()}.new")
    fresh.unlink(missing_ok=True)
    spill.commit()  # (its rows were inserted in a transaction left open)
    db = connect(fresh, check_same_thread=False)
    spill.backup(db)
    spill.close()
    _FRESH[db] = fresh
    return db


def settle_unless_copy(db: sqlite3.Connection, settled: Callable[[], None]) -> None:
    """Inside the save's transaction, last: a copy_of file is committed first (nobody reads it)."""
    if db not in _FRESH:
        settled()


def install(
    db: sqlite3.Connection,
    path: Path,
    reopen: Callable[[Path], sqlite3.Connection | None],
    settled: Callable[[], None] = lambda: None,
) -> sqlite3.Connection:
    """`db` itself, or, made by copy_of, its file renamed to `path` once `settled` returns (if it
    raises, the copy is removed) and opened there."""
    fresh = _FRESH.pop(db, None)
    if fresh is None:
        return db
    db.close()
    try:
        settled()
        os.replace(fresh, path)
    except BaseException:
        fresh.unlink(missing_ok=True)
        raise
    reopened = reopen(path)
    assert reopened is not None
    return reopened
