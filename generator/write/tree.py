"""The staged tree: for a destination the build makes (a first build, a fresh `_site/`), rendered
bytes are spooled at their own path under `_site/.blog-staging/tree/` instead of under a number,
their folders made while rendering, by every renderer process (render/parallel_pages.py's forked
children too), and the commit (journal.py) moves the tree's few top-level entries into place.

A cold build of 1,000 posts otherwise made its ~2,000 folders and 1,000 renames after rendering,
one core busy in the kernel while the other idled (issue #19). Nothing the site serves changes
before the commit, as with numbered names: a failed build removes the staging folder, tree and all.

Anything that cannot go to its place in the tree (a file where its folder should be: a collision
build() reports) is spooled under a number as before. The tree must hold nothing the build does
not list: `strays` removes what a build spooled there and then did not keep (none today)."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from generator.write.journal import Folders
from generator.write.safepath import TREE, is_safe


class StagedTree:
    def __init__(self, staging: Path) -> None:
        self.root = os.path.join(staging, TREE)
        self.folders = Folders(self.root)  # (each process its own: a folder another made is EEXIST)
        self.spooled = 0  # files the build spooled, here or numbered, in every process (Spool keeps it)
        self.made = 0  # files placed here by this process: what tests count
        self._rooted = False

    def path_of(self, output_path: str) -> str:
        return os.path.join(self.root, output_path)

    def holds(self, staged: Path | None, output_path: str) -> bool:
        """Whether `staged` is `output_path`'s place in the tree."""
        return staged is not None and os.fspath(staged) == os.path.join(self.root, output_path)

    def ensure(self) -> None:
        """Make the tree's root (before forking: every renderer process places files under it)."""
        if not self._rooted:
            os.makedirs(self.root, exist_ok=True)
            self._rooted = True

    def place(self, output_path: str, data: bytes | None = None, copy_from: Path | None = None) -> Path | None:
        """Write `data` (or copy `copy_from`) to `output_path`'s place: the path, or None when it
        cannot go there (unsafe, taken, or a file or folder in its way). Rendered bytes never
        replace a file: an output spooled and then dropped (a generated page a user's page
        overrides, render/generated_set.py) must not stand for another; one of the two goes
        under a number, and write_site removes the dropped one's file from the tree. A copy (a
        static file, by write_site once the outputs are final) replaces what was dropped there."""
        if not is_safe(output_path):
            return None
        path = os.path.join(self.root, output_path)
        try:
            self.ensure()
            self.folders.make(output_path.rpartition("/")[0])
            if data is not None:
                write_new(path, data, exclusive=True)  # (removes what it began if it fails)
            elif copy_from is not None:  # (in write_site, listed: what it replaces was dropped)
                try:
                    shutil.copyfile(copy_from, path)
                except OSError:
                    with contextlib.suppress(OSError):
                        os.unlink(path)
                    raise
            else:
                return None
        except OSError:  # (taken, or something in the way: nothing of ours is left there)
            return None
        self.made += 1
        return Path(path)

    def strays(self, listed: set[str]) -> int:
        """Remove every file under the tree not in `listed` (output paths); how many were removed."""
        removed = 0
        for folder, _, names in os.walk(self.root):
            prefix = os.path.relpath(folder, self.root).replace(os.sep, "/")
            for name in names:
                if (name if prefix == "." else f"{prefix}/{name}") not in listed:
                    os.unlink(os.path.join(folder, name))
                    removed += 1
        return removed


def tops(paths: list[str]) -> list[str]:
    """The top-level names the tree's `paths` lie under, each once, sorted: what the commit moves."""
    return sorted({path.partition("/")[0] for path in paths})


def write_new(path: Path | str, data: bytes, exclusive: bool = False) -> None:
    """Write `data` to `path` with plain system calls: open() in binary mode adds an fstat, an
    ioctl and an lseek per file. (The size and mtime for the manifest are stat'ed when the journal
    is written: kept here, in each Output, they would weigh on a big build's peak memory.)
    No fsync: the journal protects against kills, not against power loss. `exclusive`: fails
    (FileExistsError) rather than replace a file."""
    how = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_BINARY", 0)
    fd = os.open(path, how | (os.O_EXCL if exclusive else os.O_TRUNC), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:
        if exclusive:  # (the file is this call's own: no partial file stays)
            os.close(fd)
            fd = -1
            with contextlib.suppress(OSError):
                os.unlink(path)
        raise
    finally:
        if fd >= 0:
            os.close(fd)
