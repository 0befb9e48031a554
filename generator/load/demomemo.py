"""What `blog serve` keeps of the demos between rebuilds (load/demos.py uses it): stats, read
files, validated manifests, bundle digests and linked scripts, so that an edit elsewhere costs one
stat per demo file instead of reading, validating and hashing every bundle again (issue #19)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import Any

from generator.model import Demo, Source

# A file's (mtime_ns, ctime_ns, size, inode), or None when it is not a regular file.
FileStat = tuple[int, int, int, int] | None


def file_stat(path: Path) -> FileStat:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino) if S_ISREG(st.st_mode) else None


@dataclass
class DemoMemo:
    """`blog serve`: what the last loads of the demos found, so an edit elsewhere costs one stat per
    demo file. A manifest is validated again only when it or a file it lists changed (its checks
    look at nothing else); a file is read again only when its stat changed; an unchanged input
    gives the last DemoSet itself (the same bytes objects, which the build's writer knows)."""

    manifests: dict[str, tuple[FileStat, dict[str, FileStat], Demo, list[str]]] = field(default_factory=dict)
    blobs: dict[Path, tuple[FileStat, bytes]] = field(default_factory=dict)
    digests: dict[tuple[Any, ...], str] = field(default_factory=dict)  # a bundle's inputs -> digest
    links: dict[str, tuple[bytes, list[str], list[str | None], bytes]] = field(default_factory=dict)
    last: tuple[Any, Any] | None = None  # (inputs, the DemoSet they gave)
    validated: int = 0  # manifests read and validated (what tests count)
    read: int = 0  # bundle files read
    used: set[Path] = field(default_factory=set)  # blobs of the current load (the others are dropped)

    def blob(self, path: Path, stat: FileStat) -> bytes:
        self.used.add(path)
        known = self.blobs.get(path)
        if known is not None and stat is not None and known[0] == stat:
            return known[1]
        self.read += 1
        data = path.read_bytes()
        self.blobs[path] = (stat, data)
        return data


def known_stats(memo: DemoMemo, source: Source) -> tuple[FileStat, tuple[tuple[str, FileStat], ...]] | None:
    """A validated manifest's stat and its listed files' stats now (one stat each), or None."""
    known = memo.manifests.get(source.relative)
    if known is None:
        return None
    folder = source.path.parent
    return known[0], tuple((path, file_stat(folder / path)) for path in known[1])


def shared_stats(demos_root: Path, shared: str) -> tuple[tuple[str, FileStat], ...]:
    folder = demos_root / shared
    if not folder.is_dir():
        return ()
    return tuple(
        (f"{shared}/{p.relative_to(folder).as_posix()}", file_stat(p))
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".js", ".mjs", ".css", ".json")
    )
