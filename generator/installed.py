"""What is installed, answered from the folders on sys.path without importing importlib.metadata
when that is exact: that module (with `email`) costs ~10 ms to import and scans every installed
distribution's metadata, on every build, to find out that no plugin is installed and which version
of Markdown converts (issue #19). Whenever the short answer could differ from importlib.metadata's
(a zip on sys.path, another finder that lists distributions, a name not found once), it asks
importlib.metadata instead."""

from __future__ import annotations

import functools
import os
import re
import sys
from importlib.machinery import PathFinder

METADATA_SUFFIXES = (".dist-info", ".egg-info")


def _folders() -> list[str] | None:
    """The sys.path folders importlib.metadata would search, in order; None when it would also ask
    something this module cannot list (a zip or other file on sys.path, or a finder of its own)."""
    if any(hasattr(finder, "find_distributions") and finder is not PathFinder for finder in sys.meta_path):
        return None
    folders = []
    for entry in sys.path:
        path = entry or "."
        if os.path.isdir(path):
            folders.append(path)
        elif os.path.exists(path):
            return None  # a zip file (importlib.metadata reads distributions inside it)
    return folders


def _metadata_folders(folder: str) -> list[str]:
    try:
        return [name for name in os.listdir(folder) if name.lower().endswith(METADATA_SUFFIXES)]
    except OSError:
        return []


def may_have_entry_points(group: str) -> bool:
    """False only when no installed distribution's entry_points.txt names `group`: then
    importlib.metadata.entry_points(group=group) is empty, and need not be imported or asked."""
    folders = _folders()
    if folders is None:
        return True
    needle = group.encode()
    for folder in folders:
        for name in _metadata_folders(folder):
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), "rb") as file:
                    if needle in file.read():
                        return True
            except FileNotFoundError:
                continue
            except OSError:  # unreadable, or an egg-info that is a file: let importlib.metadata decide
                return True
    return False


def _distribution_of(folder_name: str) -> str:
    """`Markdown-3.5.dist-info` -> `markdown` (names compared as PEP 503 normalizes them)."""
    stem = folder_name.rsplit(".", 1)[0].removesuffix(".dist").removesuffix(".egg")
    return _normalized(stem.partition("-")[0])


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _distributions() -> dict[str, list[tuple[int, str]]] | None:
    """normalized distribution name -> [(index of its sys.path folder, metadata folder name)], in
    sys.path order: each folder listed once per process, not once per version asked (five per build)."""
    folders = _folders()
    if folders is None:
        return None
    found: dict[str, list[tuple[int, str]]] = {}
    for index, folder in enumerate(folders):
        for name in _metadata_folders(folder):
            found.setdefault(_distribution_of(name), []).append((index, name))
    return found


@functools.cache
def version(distribution: str) -> str:
    """importlib.metadata.version(distribution), from the name of its `NAME-VERSION.dist-info`
    folder (wheels and pip name them so) when that is the first and only such folder on sys.path."""
    places = (_distributions() or {}).get(_normalized(distribution))
    if places:
        first = places[0][0]  # the first folder holding one: importlib.metadata's answer is there
        matching = [name for index, name in places if index == first]
        if len(matching) == 1 and matching[0].endswith(".dist-info"):
            found = matching[0][: -len(".dist-info")].partition("-")[2]
            if found:
                return found
        # two of them, or an egg-info: importlib.metadata knows which one it means
    from importlib.metadata import version as metadata_version

    return metadata_version(distribution)
