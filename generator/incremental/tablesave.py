"""The source index's and the reading facts' rows written back into the render store's database
(store.py's save_renders), inside its one transaction: only the rows that changed."""

from __future__ import annotations

import json
import sqlite3

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
