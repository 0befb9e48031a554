"""File events -> debounced, classified change sets for `blog serve --watch`.

Editors save through temp files and renames, and `git checkout` touches hundreds of files at once,
so raw events are collected until the tree has been quiet for a short while and handed over as one
ChangeSet. Each path is classified (content, layout, include, data, config, static, demo) so the
server can log what changed and the build can, later, redo only what depends on it."""

from __future__ import annotations

import contextlib

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from generator.load.discover import is_editor_temp_file, left_out
from generator.plugins import PLUGINS_FOLDER
from generator.config import CONFIG_NAME, Config

ChangeKind = Literal["config", "content", "layout", "include", "data", "static", "demo"]

# Folders whose events are never about the site: VCS, caches, tool output.
IGNORED_FOLDERS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".blog-cache",
        "node_modules",
        "__pycache__",
        ".pytest_cache",
        ".hypothesis",
        ".ruff_cache",
        ".mypy_cache",
        ".venv",
        "venv",
    }
)
CONTENT_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".xml", ".txt")
SPECIAL_KINDS: dict[str, ChangeKind] = {
    "_posts": "content",
    "_drafts": "content",
    "_layouts": "layout",
    "_includes": "include",
    "_data": "data",
    "demos": "demo",
}


def classify_change(relative: str) -> ChangeKind:
    """The kind of a changed path relative to the source root (posix). Works for deleted files too,
    so it looks only at the name, never at the contents."""
    parts = relative.split("/")
    if relative == CONFIG_NAME or parts[0] == PLUGINS_FOLDER:
        return "config"  # plugins can change anything: rebuild everything, as for the config
    special = SPECIAL_KINDS.get(parts[0])
    if special:
        return special  # a file in it, or the whole folder (deleted, renamed)
    if parts[-1].lower().endswith(CONTENT_SUFFIXES) and parts[0] != "assets":
        return "content"  # a page, or a static HTML file: both are rebuilt the same way
    return "static"


@dataclass(frozen=True)
class ChangeSet:
    """Every path that changed during one quiet-period window, with its kind."""

    paths: frozenset[Path]  # absolute; deleted files and whole folders may appear
    kinds: tuple[tuple[str, ChangeKind], ...]  # (relative path, kind), sorted

    @classmethod
    def of(cls, paths: Iterable[Path], source: Path, config_file: Path | None = None) -> ChangeSet:
        source = source.resolve()
        absolute = frozenset(Path(os.path.abspath(p)) for p in paths)
        kinds = []
        for path in sorted(absolute):
            if config_file is not None and path == config_file:
                kinds.append((path.name, "config"))
                continue
            relative = path.relative_to(source).as_posix() if path.is_relative_to(source) else path.as_posix()
            kinds.append((relative, classify_change(relative)))
        return cls(absolute, tuple(kinds))

    @property
    def kind_set(self) -> set[ChangeKind]:
        return {kind for _, kind in self.kinds}

    @property
    def needs_full_rebuild(self) -> bool:
        """A config change can alter every output (permalinks, baseurl, destination)."""
        return "config" in self.kind_set

    def describe(self, limit: int = 3) -> str:
        shown = ", ".join(f"{relative} ({kind})" for relative, kind in self.kinds[:limit])
        more = len(self.kinds) - limit
        return shown + (f" and {more} more" if more > 0 else "")


class WatchFilter:
    """Decides which event paths matter. Knows the destination (our own writes must never trigger a
    rebuild) and, when a config is loaded, the site's `exclude`/`include` rules."""

    def __init__(
        self, source: Path, destination: Path, config: Config | None = None, config_file: Path | None = None
    ) -> None:
        self.source = source.resolve()
        self.config_file = config_file.resolve() if config_file else self.source / CONFIG_NAME
        self.update(destination, config)

    def update(self, destination: Path, config: Config | None) -> None:
        destination = destination.resolve()
        # write_site writes only inside the destination (temp files included).
        self.own_folders = (destination,)
        self.config = config

    def ignored(self, path: Path) -> bool:
        path = Path(os.path.abspath(path))
        if path == self.config_file:
            return False
        if not path.is_relative_to(self.source):
            return True
        if any(path == own or path.is_relative_to(own) for own in self.own_folders):
            return True
        parts = path.relative_to(self.source).parts
        if not parts or any(part in IGNORED_FOLDERS for part in parts) or is_editor_temp_file(parts[-1]):
            return True
        return self.config is not None and self._outside_site(parts)

    def _outside_site(self, parts: tuple[str, ...]) -> bool:
        """What discover() leaves out (hidden, excluded) needs no rebuild; plugins always do."""
        assert self.config is not None
        return parts[0] != PLUGINS_FOLDER and left_out("/".join(parts), self.config)


class Debouncer:
    """Collects paths and calls `on_changes(paths)` once nothing has arrived for `quiet` seconds (or
    `max_wait` after the first event, so a never-ending stream still rebuilds). Calls happen on one
    background thread, one at a time: events during a rebuild form the next batch.

    An event that finishes the change of the batch's only file (closed after writing, or renamed
    into place: `settled`) shortens the wait to `settle` seconds: an editor's save ends with one of
    them, and waiting the whole quiet period after it was half of an edit-to-screen budget of
    100 ms. Any later event in the batch brings the quiet period back. A file saved in place (it
    existed: no creation or rename in the batch) waits `settle_in_place` (2 ms); a new or
    renamed-in file waits `settle` (10 ms: with 2 ms a burst of 100 new files split in two under CI
    load). Either still lets an event the same save makes right after (an attribute change) join
    the batch; a later one, or a checkout rewriting many existing files split in two, costs one
    more rebuild, never a wrong one."""

    def __init__(
        self,
        on_changes: Callable[[set[Path]], None],
        quiet: float = 0.03,
        max_wait: float = 1.0,
        settle: float = 0.010,  # (2 ms split a burst of 100 new files in two under CI load)
        first: Callable[[], None] | None = None,
        settle_in_place: float = 0.002,
    ) -> None:
        self.on_changes = on_changes
        self.first = first  # run on the delivering thread before any batch (serve's warm-up)
        self.quiet = quiet
        self.max_wait = max_wait
        self.settle = min(settle, quiet)
        self.settle_in_place = min(settle_in_place, self.settle)
        self._created = False  # the pending batch has a new or renamed-in file
        self._gap = quiet  # the wait after the latest event
        self._pending: set[Path] = set()
        self._first = self._last = 0.0
        self._stopped = False
        self._condition = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="blog-debounce", daemon=True)
        self._thread.start()

    def add(self, paths: Iterable[Path], settled: bool = False, created: bool = False) -> None:
        """`created`: the event made or renamed in a file (not a write into an existing one)."""
        with self._condition:
            now = time.monotonic()
            if not self._pending:
                self._first, self._created = now, False
            self._pending.update(paths)
            self._created = self._created or created
            self._last = now
            # (one file only: a checkout writing many files in a row stays one batch)
            one = settled and len(self._pending) == 1
            self._gap = self.quiet if not one else self.settle if self._created else self.settle_in_place
            self._condition.notify()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        if self.first is not None:
            self.first()
        while True:
            with self._condition:
                while not self._pending and not self._stopped:
                    self._condition.wait()
                if self._stopped:
                    return
                while True:
                    due = min(self._last + self._gap, self._first + self.max_wait)
                    remaining = due - time.monotonic()
                    if remaining <= 0 or self._stopped:
                        break
                    self._condition.wait(remaining)
                batch, self._pending = self._pending, set()
            if batch:
                self.on_changes(batch)


class SourceWatcher:
    """watchdog on the source tree -> WatchFilter -> Debouncer -> on_changes(ChangeSet).

    The root is watched without recursion and each top-level folder recursively, skipping the
    destination and ignored folders entirely: inotify then never watches `_site/` or `.git/`, whose
    churn would otherwise cost a watch per folder and a flood of events on every build."""

    def __init__(
        self,
        watch_filter: WatchFilter,
        on_changes: Callable[[ChangeSet], None],
        quiet: float = 0.03,
        first: Callable[[], None] | None = None,
        on_saved: Callable[[Path], None] | None = None,
    ) -> None:
        from watchdog.observers import Observer

        self.filter = watch_filter
        self.on_changes = on_changes
        self.on_saved = on_saved  # told of each finished save at once, on the observer's thread (serve/ahead.py)
        self.debouncer = Debouncer(self._deliver, quiet=quiet, first=first)
        self.observer = Observer()
        self._watched: set[Path] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        handler = _Handler(self)
        source = self.filter.source
        self.observer.schedule(handler, str(source), recursive=False)
        for child in sorted(source.iterdir()):
            self.watch_folder(child)
        config_folder = self.filter.config_file.parent
        if not config_folder.is_relative_to(source) and config_folder.is_dir():
            self.observer.schedule(handler, str(config_folder), recursive=False)
        self.observer.start()

    def watch_folder(self, folder: Path) -> None:
        """Watch a top-level folder recursively, once, unless it is ignored."""
        if not folder.is_dir() or folder.is_symlink() or folder.parent != self.filter.source:
            return
        if self.filter.ignored(folder / "x") or folder.name in IGNORED_FOLDERS:
            return
        with self._lock:
            if folder in self._watched:
                return
            self._watched.add(folder)
        try:
            self.observer.schedule(_Handler(self), str(folder), recursive=True)
        except OSError:
            with self._lock:
                self._watched.discard(folder)  # it vanished between the event and now

    def stop(self) -> None:
        self.observer.stop()
        self.debouncer.stop()
        self.observer.join(timeout=5)

    def _event(self, paths: list[str], is_directory: bool, created: bool, kind: str = "") -> None:
        relevant = [Path(p) for p in paths if p and not self.filter.ignored(Path(p))]
        if is_directory and created:
            for path in relevant:
                self.watch_folder(path)
        if relevant:
            # A save is complete when the file is closed after writing, or when a temporary file is
            # renamed into place (not when the real file is renamed away: vim's backup step).
            renamed_in = kind == "moved" and len(paths) == 2 and relevant == [Path(paths[1])]
            settled = not is_directory and (kind == "closed" or renamed_in)
            if settled and self.on_saved is not None:
                with contextlib.suppress(Exception):  # (an optimisation: never the watcher's failure)
                    self.on_saved(relevant[-1])
            self.debouncer.add(relevant, settled, created)

    def _deliver(self, paths: set[Path]) -> None:
        self.on_changes(ChangeSet.of(paths, self.filter.source, self.filter.config_file))


class _Handler:
    """A watchdog event handler (duck-typed: watchdog only calls dispatch)."""

    def __init__(self, watcher: SourceWatcher) -> None:
        self.watcher = watcher

    def dispatch(self, event) -> None:
        kind = event.event_type
        if kind in ("opened", "closed_no_write") or (event.is_directory and kind == "modified"):
            return  # reads, and folder mtime bumps that their children's own events already cover
        paths = [event.src_path, getattr(event, "dest_path", "")]
        self.watcher._event(
            [os.fsdecode(p) for p in paths if p], event.is_directory, kind in ("created", "moved"), kind
        )
