"""What the last successful `blog build` validated, kept in its render store so that a rebuild in a
new process checks records the short way, as `blog serve` does in memory (reuse.py's `_reusable`):
a record the last build checked or made holds unless one of its site keys or templates has another
print than that build saw. Without it, every record's site keys and templates were decoded and
compared one by one (~17 per page, 17,000 comparisons in a 1,000-post no-op).

Kept: the prints of every site key and template any record read (BuildState.dependency_prints)
and the few records in the store that build did not validate. Also the inputs each document's view
fingerprint was made from (reuse.py's seal: a view made from the same inputs keeps its print). A
save is skipped when nothing changed; what is stored then still describes every stored record
(none was made since), and the stored inputs still name the stored prints."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, MutableSet
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.incremental.state import BuildState

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS validation (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS view_inputs (document TEXT PRIMARY KEY, inputs TEXT)",
)
CHECKS = ("SELECT key, value FROM validation LIMIT 0", "SELECT document, inputs FROM view_inputs LIMIT 0")


class AllStoredBut(MutableSet[str]):
    """BuildState.validated as loaded: every path in the store except `excluded`. Asked only of
    paths the store holds (reuse.py looks a record up first); `discard` (a record made again in
    this build) excludes one more."""

    def __init__(self, excluded: Iterable[str]) -> None:
        self.excluded = set(excluded)

    def __contains__(self, path: object) -> bool:
        return path not in self.excluded

    def add(self, path: str) -> None:
        self.excluded.discard(path)

    def discard(self, path: str) -> None:
        self.excluded.add(path)

    def __iter__(self) -> Iterator[str]:  # (never a whole set: reuse.finish makes a real one)
        raise TypeError("the stored validation is asked path by path")

    def __len__(self) -> int:
        raise TypeError("the stored validation is asked path by path")


def load_validation(db: sqlite3.Connection, state: BuildState) -> None:
    """Give a fresh state what the build that saved `db` validated (nothing, if it is not there)."""
    state.saved_view_inputs = dict(db.execute("SELECT document, inputs FROM view_inputs"))
    values = dict(db.execute("SELECT key, value FROM validation"))
    if "dependencies" not in values or "unvalidated" not in values:
        return
    state.dependency_prints = {(kind, name): print_ for kind, name, print_ in json.loads(values["dependencies"])}
    state.validated = AllStoredBut(json.loads(values["unvalidated"]))


def save_validation(db: sqlite3.Connection, state: BuildState, stored: set[str]) -> None:
    """Inside save_renders' transaction: `stored`, the paths of every record in the table now."""
    validated = state.validated
    unvalidated = sorted(path for path in stored if path not in validated)
    dependencies = sorted([kind, name, print_] for (kind, name), print_ in state.dependency_prints.items())
    db.executemany(
        "INSERT OR REPLACE INTO validation VALUES (?, ?)",
        [("dependencies", json.dumps(dependencies)), ("unvalidated", json.dumps(unvalidated))],
    )
    # (stored with the prints of the same build: a stored input always names its stored print)
    inputs, saved = state.view_inputs, state.saved_view_inputs
    db.executemany("DELETE FROM view_inputs WHERE document = ?", [(d,) for d in sorted(set(saved) - set(inputs))])
    changed = [(d, i) for d, i in sorted(inputs.items()) if saved.get(d) != i]
    db.executemany("INSERT OR REPLACE INTO view_inputs VALUES (?, ?)", changed)


def saved(state: BuildState) -> None:
    """After save_renders' transaction committed."""
    state.saved_view_inputs = dict(state.view_inputs)
