"""Walk the source tree and classify every file, Jekyll style: `_posts`, `_drafts`, `_layouts`,
`_includes`, `_data`, `demos/`, pages (files with front matter) and static files (the rest)."""

from __future__ import annotations

import fnmatch
import os
import re
from collections import defaultdict
from pathlib import Path

from generator.config import Config
from generator.frontmatter import has_front_matter
from generator.model import Source, SourceKind

SPECIAL_FOLDERS: dict[str, SourceKind] = {
    "_posts": "post",
    "_drafts": "draft",
    "_layouts": "layout",
    "_includes": "include",
    "_data": "data",
}
DEMOS_FOLDER = "demos"
# Editors' swap and backup files are never content.
EDITOR_LITTER = ("*.swp", "*.swx", "*~", ".#*", "#*#", "*.tmp", ".DS_Store", "4913")


def is_excluded(relative: str, config: Config) -> bool:
    """`exclude:` entries are paths from the site root or glob patterns over them (as in Jekyll):
    `tests` covers `tests/…` but not `docs/tests/…`; `*.log` covers every log file."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in config.excluded_patterns():
        pattern = pattern.strip("/")
        if pattern and any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes):
            return True
    return _is_litter(relative.rsplit("/", 1)[-1])


def is_included(relative: str, config: Config) -> bool:
    """`include:` entries match the path, any folder above it, or the file name."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch.fnmatch(candidate, pattern.strip("/"))
        for pattern in config.get("include", [])
        for candidate in [*prefixes, parts[-1]]
    )


def classify(relative: str, path: Path, config: Config) -> SourceKind | None:
    parts = relative.split("/")
    special = SPECIAL_FOLDERS.get(parts[0])
    if special:
        return special
    if parts[0] == DEMOS_FOLDER and len(parts) > 1:
        return "demo"
    # `include:` wins over hidden names and excludes (the destination, cache and VCS folders are
    # pruned before this, whatever `include:` says).
    hidden = any(part.startswith((".", "_")) for part in parts)
    if (hidden or is_excluded(relative, config)) and not is_included(relative, config):
        return None
    with path.open("rb") as handle:
        head = handle.read(8)
    return "page" if has_front_matter(head + b"\n") else "static"


def discover(config: Config) -> dict[SourceKind, list[Source]]:
    """Every source file by kind, in a stable (sorted) order so builds are deterministic."""
    found: dict[SourceKind, list[Source]] = defaultdict(list)
    root = config.source
    destination = config.destination
    for folder, dirnames, filenames in os.walk(root):
        here = Path(folder)
        # Prune in place: never descend into the output, caches or VCS folders.
        dirnames[:] = sorted(
            name
            for name in dirnames
            if (here / name).resolve() != destination and not _pruned(here / name, root, config)
        )
        for name in sorted(filenames):
            path = here / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                continue  # a link out of the source tree is never published
            kind = classify(relative, path, config)
            if kind is not None and not (kind != "static" and _is_litter(name)):
                found[kind].append(Source(path, relative, kind))
    return found


LITTER = re.compile("|".join(fnmatch.translate(pattern) for pattern in EDITOR_LITTER))


def _is_litter(name: str) -> bool:
    return LITTER.match(name) is not None


def _pruned(path: Path, root: Path, config: Config) -> bool:
    relative = path.relative_to(root).as_posix()
    name = path.name
    if name in (".git", ".hg", ".svn", ".blog-cache", "__pycache__", "node_modules"):
        return True
    if name in SPECIAL_FOLDERS and path.parent == root:
        return False
    if relative.split("/")[0] == DEMOS_FOLDER:
        return False
    if not (name.startswith((".", "_")) or is_excluded(relative, config)):
        return False
    return not _inside_included(relative, config)


def _inside_included(folder: str, config: Config) -> bool:
    """Whether `include:` names this folder, something above it, or something inside it."""
    return is_included(folder, config) or any(
        pattern.strip("/").startswith(folder + "/") for pattern in config.get("include", [])
    )
