"""The one choke point every output path goes through before it touches the disk.

Content is untrusted (see DESIGN.md, threat model): a permalink, a category, a tag, a file name or
a tampered build marker can all spell a path. Whatever produced it, a destination-relative path is
written, renamed onto or deleted only after `problem()` found nothing wrong with it *and*
`inside()` proved that its resolved folder lies within the resolved destination (a symlink placed
in the destination cannot lead a write outside). Paths are never repaired, only accepted or
refused: a repaired path could collide with another output unnoticed."""

from __future__ import annotations

import os
import stat
import re
from pathlib import Path
from typing import NamedTuple

MARKER = ".blog-build.json"  # what the last complete build wrote (manifest and origins)
JOURNAL = ".blog-journal.json"  # the pending renames and deletions of an interrupted write phase
STAGING = ".blog-staging"  # new files wait here under numbered names until the journal commits
TREE = "tree"  # or, in a destination the build makes, at their own path in STAGING/TREE (tree.py)
RESERVED = (MARKER, JOURNAL, STAGING)
MAX_SEGMENT_BYTES = 255  # NAME_MAX on Linux, macOS and Windows
MAX_PATH_BYTES = 3800  # PATH_MAX is 4096; leave room for the destination folder itself
DRIVE = re.compile(r"^[A-Za-z]:")


class Unsafe(NamedTuple):
    reason: str  # what is wrong, e.g. "a '..' folder"
    fix: str  # how to fix it, for the one-line message
    escapes: bool  # the path would leave the destination (as opposed to being unwritable)


INSIDE = "write a path inside the site, e.g. /blog/my-post/"


# Paths found safe, kept for the process: problem() is a function of the string alone, and every
# build asks it 2-3 times per output (spool, the build's check, write_site); `blog serve` asks again
# for every output of every rebuild (≈ 10 ms of a one-post edit at 1,000 posts). Only exact `str`
# values are kept (a subclass could compare equal to a safe path while being something else).
_SAFE: set[str] = set()
_SAFE_HELD = 50_000  # paths remembered (≈ 3 MB at most; a 10,000-post site has ≈ 12,000 outputs)


def problem(relative: object) -> Unsafe | None:
    """Why `relative` (a destination-relative posix path, percent-decoded) may not be written, or
    None when it may."""
    if type(relative) is str and relative in _SAFE:
        return None
    unsafe = _problem(relative)
    if unsafe is None and type(relative) is str:
        if len(_SAFE) >= _SAFE_HELD:
            _SAFE.clear()
        _SAFE.add(relative)
    return unsafe


def _problem(relative: object) -> Unsafe | None:
    if not isinstance(relative, str) or not relative:
        return Unsafe("an empty path", INSIDE, False)
    if "\\" in relative:
        return Unsafe("a backslash", f"{INSIDE} with forward slashes", True)
    if relative.startswith("/") or DRIVE.match(relative):
        return Unsafe("an absolute or drive path", INSIDE, True)
    segments = relative.split("/")
    if ".." in segments:
        return Unsafe("a '..' folder", f"{INSIDE} without '..' or %2e%2e", True)
    if "\0" in relative:
        return Unsafe("a NUL byte, %00", "remove it", False)
    if "." in segments or "" in segments:
        return Unsafe("an empty or '.' folder", "remove the extra slash or '.'", False)
    try:
        encoded = [segment.encode("utf-8") for segment in segments]
    except UnicodeEncodeError:
        return Unsafe("a name that is not valid UTF-8", "rename the file with a UTF-8 name", False)
    if any(len(segment) > MAX_SEGMENT_BYTES for segment in encoded):
        return Unsafe(f"a name longer than {MAX_SEGMENT_BYTES} bytes", "shorten it", False)
    if sum(map(len, encoded)) + len(encoded) > MAX_PATH_BYTES:
        return Unsafe(f"a path longer than {MAX_PATH_BYTES} bytes", "shorten it", False)
    if segments[0] in RESERVED:
        return Unsafe("a name the build keeps for its own bookkeeping", "choose another name", False)
    return None


def is_safe(relative: object) -> bool:
    return problem(relative) is None


class Containment:
    """Proves that folders inside one destination resolve inside it; folders are resolved once
    each (a site has few folders and many files), so the check costs nothing per file."""

    def __init__(self, destination: Path) -> None:
        self.destination = destination
        self.root = destination.resolve()
        self._root_text = os.fspath(destination)
        self._proven: dict[str, bool] = {}
        # Folders found missing: nothing below them exists either, so it is not looked at (a cold
        # build's ~2,000 new folders cost one lstat per top-level folder, not one each).
        self._absent: set[str] = set()

    def inside(self, relative: str) -> bool:
        """True when `relative` is a safe name whose folder resolves inside the destination."""
        return problem(relative) is None and self.folder_inside(relative.rpartition("/")[0])

    def folder_inside(self, folder: str) -> bool:
        """True when the destination-relative `folder` ("" is the destination) resolves inside."""
        known = self._proven.get(folder)
        if known is None:
            parent, _, name = folder.rpartition("/")
            if not folder or name in ("", ".", "..") or ".." in parent.split("/"):
                known = self._resolve(folder)
            else:
                # The parent first (so a missing one spares looking below it). Not a link (or not
                # there yet): it resolves inside exactly when its parent does. One lstat per
                # folder at most, where realpath would lstat every part of every folder.
                parent_inside = self.folder_inside(parent)
                known = self._resolve(folder) if self._is_link(folder, parent) else parent_inside
            self._proven[folder] = known
        return known

    def _is_link(self, folder: str, parent: str) -> bool:
        if parent in self._absent:
            self._absent.add(folder)
            return False
        try:
            return stat.S_ISLNK(os.lstat(os.path.join(self._root_text, folder)).st_mode)  # (no Path: one per folder)
        except FileNotFoundError:
            self._absent.add(folder)
            return False
        except OSError:
            return True  # cannot tell (a file where a folder is expected, …): resolve it fully

    def _resolve(self, folder: str) -> bool:
        resolved = Path(os.path.realpath(self.destination / folder)) if folder else self.root
        return resolved == self.root or resolved.is_relative_to(self.root)
