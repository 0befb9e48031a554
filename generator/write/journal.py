"""The crash-safe half of the write phase: all or nothing on disk, even under SIGKILL.

1. Every new or changed file is written under a numbered name in `_site/.blog-staging/`
   (nothing the site serves has changed yet; a kill here leaves the old site plus litter).
2. The journal `_site/.blog-journal.json` is written to a temporary name and renamed into place:
   that rename is the commit point. It lists the deletions, the renames and the final marker.
3. Deletions first (a stale file `x` may stand where the new site needs a folder `x/`, and a
   stale folder where it needs a file), then the renames in sorted order, then the marker, then
   the journal and the staging folder are removed.

Every step is idempotent, so an interrupted journal is completed (rolled forward: every staged
file exists once the journal does) by the next build, serve or check before anything else.
Every path in a journal or marker is proven inside the destination again before it is used: the
files on disk may have been tampered with. Files are not fsync'ed: this protects against a killed
process, not against power loss, which would cost a sync per file on every build."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.errors import GeneratorError
from generator.write.safepath import JOURNAL, MARKER, STAGING, TREE, Containment, is_safe

MARKER_VERSION = 2
# A journal that moves a staged tree's top-level entries (tree.py) says so with its own version:
# an older blog refuses it (and rewrites every file) rather than dropping the tree unmoved.
TREE_JOURNAL_VERSION = 3


def note(message: str) -> None:
    """One line on stderr for the user; bookkeeping repairs are worth knowing about, not failing."""
    print(f"note: {message}", file=sys.stderr, flush=True)


def write_json(destination: Path, name: str, value: dict[str, Any]) -> None:
    """Write `destination/name` atomically: a reader (or a kill) sees the old or the new file."""
    write_text(destination, name, dumps(value))


def dumps(value: Any) -> str:
    # Compact: with `indent` json uses its pure-Python encoder, ~10 ms per `blog serve` rebuild at 1,000 posts.
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def write_text(destination: Path, name: str, text: str) -> None:
    staging = destination / STAGING
    staging.mkdir(exist_ok=True)
    temporary = staging / f"{name}.partial"
    temporary.write_text(text, "utf-8")
    os.replace(temporary, destination / name)


def journal_text(
    staged: list[tuple[str, str]], deletions: list[str], marker_text: str, moves: Sequence[str] = ()
) -> str:
    """dumps() of the journal, with the marker's text (made once, written twice: in the journal and
    as the marker) spliced in: the same bytes, the marker's manifest encoded once (≈ 2 ms of a
    `blog serve` edit at 1,000 posts). Keys in sorted order, as dumps() writes them."""
    version = f'{TREE_JOURNAL_VERSION},"moves":{dumps(moves)}' if moves else dumps(MARKER_VERSION)
    return (
        f'{{"deletions":{dumps(deletions)},"marker":{marker_text},'
        f'"marker_version":{version},"renames":{dumps(staged)}}}'
    )


def commit(
    destination: Path,
    staged: list[tuple[str, str]],
    deletions: list[str],
    marker: dict[str, Any],
    guard: Containment | None = None,
    moves: Sequence[str] = (),
) -> None:
    """The files of `staged` (staging name, output path) are written, and the staged tree's
    top-level entries `moves` (tree.py); make them the site. `guard`: the caller's, which proved
    these very paths inside a moment ago (its folders are not resolved again)."""
    journal = {"marker_version": MARKER_VERSION, "renames": staged, "deletions": deletions, "marker": marker}
    if moves:
        journal.update(marker_version=TREE_JOURNAL_VERSION, moves=list(moves))
    marker_text = dumps(marker)
    write_text(destination, JOURNAL, journal_text(staged, deletions, marker_text, moves))
    try:
        roll_forward(destination, journal, guard, marker_text)
    except OSError as e:
        give_up(destination, marker)
        raise GeneratorError(
            f"writing the site failed: {e.strerror or e} ({e.filename}); the next `blog build` rewrites every file",
            destination,
        ) from e


def roll_forward(
    destination: Path, journal: dict[str, Any], guard: Containment | None = None, marker_text: str | None = None
) -> None:
    """`marker_text`: dumps(journal["marker"]) when the caller made it already."""
    guard = guard or Containment(destination)
    root, staging = os.fspath(destination), os.fspath(destination / STAGING)
    folders = Folders(root)
    for relative in journal["deletions"]:
        if isinstance(relative, str) and guard.inside(relative.rstrip("/")):
            remove(destination, relative, guard)
    for name in journal.get("moves", ()):  # a staged tree's top-level entries (tree.py), before the renames
        if not (isinstance(name, str) and "/" not in name and guard.inside(name)):
            continue  # (a tampered journal)
        moved = os.path.join(staging, TREE, name)
        try:
            os.replace(moved, os.path.join(root, name))  # (into a destination the build made: nothing there)
        except FileNotFoundError:
            if os.path.lexists(moved):
                raise
            continue  # moved before the interruption
    for name, relative in journal["renames"]:
        if not (isinstance(name, str) and name.isdigit() and guard.inside(relative)):
            continue  # a tampered journal: never rename onto a path we cannot prove inside
        staged = os.path.join(staging, name)
        folders.make(relative.rpartition("/")[0])
        try:
            os.replace(staged, os.path.join(root, relative))
        except FileNotFoundError:
            if os.path.exists(staged):
                raise
            continue  # renamed before the interruption
    write_text(destination, MARKER, dumps(journal["marker"]) if marker_text is None else marker_text)
    (destination / JOURNAL).unlink()
    shutil.rmtree(staging, ignore_errors=True)


class Folders:
    """Makes the folders of the renamed files, each with exactly one mkdir call, parents first: a
    cold build of 1,000 posts needs ~2,000 folders, and `Path.mkdir(parents=True, exist_ok=True)`
    per file also tried each missing folder before its parent (ENOENT) and again after (3,100 calls)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.made: set[str] = {""}  # destination-relative folders known to exist ("": the destination)

    def make(self, folder: str) -> None:
        missing: list[str] = []  # (a loop, not recursion: a path may have a thousand levels)
        while folder not in self.made:
            missing.append(folder)
            folder = folder.rpartition("/")[0]
        for folder in reversed(missing):
            path = os.path.join(self.root, folder)
            try:
                os.mkdir(path)
            except FileExistsError:
                if not os.path.isdir(path):
                    raise
            self.made.add(folder)


def remove(destination: Path, relative: str, guard: Containment) -> bool:
    """Delete one file we wrote (or, with a trailing slash, one empty folder), then the folders
    it leaves empty, up to the destination. Missing files are fine: deletes are replayed."""
    target = destination / relative.rstrip("/")
    try:
        if relative.endswith("/"):
            target.rmdir()
        elif target.is_dir() and not target.is_symlink():
            return False  # a folder where we wrote a file: someone else's, leave it
        else:
            target.unlink()
    except FileNotFoundError:
        return False
    except OSError:
        if relative.endswith("/"):
            return False  # not empty any more: something is kept inside
        raise
    folder = target.parent
    while folder != destination and guard.folder_inside(folder.relative_to(destination).as_posix()):
        try:
            folder.rmdir()
        except OSError:
            break  # not empty
        folder = folder.parent
    return True


def give_up(destination: Path, marker: dict[str, Any]) -> None:
    """The journal cannot be completed: keep the marker (so the folder is still ours) but say the
    manifest is unknown and the site incomplete; the next build then rewrites every file."""
    (destination / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(destination / STAGING, ignore_errors=True)
    write_json(destination, MARKER, {**marker, "files": None, "complete": False})
    shutil.rmtree(destination / STAGING, ignore_errors=True)


def recover(destination: Path) -> bool:
    """Complete an interrupted write phase, or clean the litter of one killed before its commit.
    Returns True when the destination was touched (an in-memory manifest is then out of date)."""
    journal_path, staging = destination / JOURNAL, destination / STAGING
    if journal_path.is_file() and not journal_path.is_symlink():
        try:
            journal = json.loads(journal_path.read_text("utf-8"))
            if journal.get("marker_version") not in (MARKER_VERSION, TREE_JOURNAL_VERSION):
                raise ValueError("unknown journal version")
            renames = [(str(name), str(path)) for name, path in journal["renames"]]
            moves = [str(name) for name in journal.get("moves", [])]
            journal = {**journal, "renames": renames, "deletions": list(journal["deletions"]), "moves": moves}
            if not isinstance(journal["marker"], dict):
                raise ValueError("no marker")
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as e:
            note(f"{destination}: unreadable journal of an interrupted build ({e}); every file will be rewritten")
            give_up(destination, {"generator": "blog", "marker_version": MARKER_VERSION})
            return True
        try:
            roll_forward(destination, journal)
        except OSError as e:
            note(f"{destination}: could not complete an interrupted build ({e}); every file will be rewritten")
            give_up(destination, journal["marker"])
            return True
        note(f"{destination}: completed an interrupted build ({len(journal['renames'])} files)")
        return True
    if staging.is_symlink():
        staging.unlink()
        return True
    if staging.is_dir():
        count = sum(len(names) for _, _, names in os.walk(staging))
        shutil.rmtree(staging)
        if count:
            note(f"{destination}: removed {count} temporary files of an interrupted build")
        return True
    return False


def read_manifest(destination: Path) -> dict[str, tuple[str, int, int]] | None:
    """What the last complete build wrote, or None when unknown (every file is then rewritten and
    the folder walked for stale files). Entries that are not safe paths are dropped: a tampered
    marker must not make us delete anything outside the destination."""
    try:
        marker = json.loads((destination / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict):
        return None
    if marker.get("marker_version") != MARKER_VERSION:
        note(f"{destination / MARKER} is from an older version of blog; rewriting every file")
        return None
    files = marker.get("files")
    if not isinstance(files, dict):
        return None
    manifest: dict[str, tuple[str, int, int]] = {}
    for path, entry in files.items():
        try:
            if is_safe(path):
                manifest[path] = (str(entry[0]), int(entry[1]), int(entry[2]))
        except (ValueError, TypeError, IndexError, KeyError):
            continue
    return manifest


def incomplete_reason(site: Path) -> str | None:
    """Why `site` must not be checked or served as it is, or None when it is a complete build."""
    if (site / JOURNAL).exists():
        return "an interrupted build is still pending"
    try:
        marker = json.loads((site / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None  # a site not made by blog: nothing to say about its completeness
    if isinstance(marker, dict) and marker.get("complete") is False:
        return "an earlier build failed while writing it"
    return None
