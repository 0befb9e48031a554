"""Rendered bytes go to disk as soon as they are made, so a build's memory does not grow with the
size of its output (4,000 posts render ~100 MB of HTML): each rendered output is hashed and written
straight into the destination's staging folder under the number the journal will rename it from
(journal.py), and the `Output` kept in memory carries only its path and digest.

An output whose bytes equal what the last build wrote there (manifest digest, and the file's size
and mtime unchanged) is not written at all: a no-op build spools nothing. Nothing the site serves
changes here; a build that fails later removes the staging folder (`discard`), and a killed one
leaves litter that `journal.recover` removes, as before the commit point of any build.

`blog serve` also hands over a `SpoolMemo`: the very bytes objects the last build put on disk. A
reused render is the same object as last time (incremental/reuse.py keeps it), so when the memo
holds that object for that path and the in-memory manifest holds its digest, the output is known
unchanged without hashing or a stat, and `unchanged` tells write_site not to look at it again."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from generator.incremental.digested import bytes_of, known_digest
from generator.write.output import Output, digest_of, stat_key
from generator.write.safepath import JOURNAL, STAGING, is_safe
from generator.write.tree import StagedTree, write_new

__all__ = ["Spool", "SpoolMemo", "awaited", "is_spooled", "listening", "spool_all", "write_new"]

Manifest = dict[str, tuple[str, int, int]]
# output path -> (bytes on disk, their digest, the Output that stood for them: reused as it is)
SpoolMemo = dict[str, tuple[bytes, str, "Output | None"]]


# `blog serve` (serve/preview.py): told of each output whose bytes changed as it is staged, before
# the build is known good, so the open page can show its edit before the rest of the site is made.
# None outside serve's edit-rebuilds. A listener's failure is its own: it never fails the build.
_listener: Callable[[Output, bytes], None] | None = None


@contextlib.contextmanager
def listening(listener: Callable[[Output, bytes], None]) -> Iterator[None]:
    global _listener
    outer, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = outer


def awaited() -> frozenset[str]:
    """The origins whose pages the listener waits for (serve's preview): rendered first."""
    return getattr(_listener, "changed", frozenset())


class Spool:
    def __init__(
        self, destination: Path, manifest: Manifest | None, memo: SpoolMemo | None = None, remember: bool = False
    ) -> None:
        self.destination = destination
        self._root = os.fspath(destination)
        self.staging = destination / STAGING
        self.manifest = manifest  # what the previous build wrote (None: unknown, every file changed)
        # Only valid with the in-memory manifest it was made with (build() checks): trusts that
        # nothing but this process wrote the destination since, as `state.written` already does.
        self.memo = memo
        self.remember = remember or memo is not None
        self.seen: SpoolMemo = {}  # this build's bytes (when remembering), the next build's memo once committed
        self.unchanged: set[str] = set()  # outputs proven unchanged through the memo (no hash, no stat)
        self._spooled = 0
        self.hashed = 0  # outputs whose bytes were hashed: what tests count
        self._made = False
        self._name = 0  # the next staging name (`reserve` keeps some for forked renderers)
        self._new_destination = not destination.exists()
        # A destination this build makes: renders are spooled at their place in a tree (tree.py).
        # Not for `blog serve` (remembering): its first build is followed by others (numbered names).
        self.tree = StagedTree(self.staging) if self._new_destination and not self.remember else None

    @property
    def spooled(self) -> int:
        """Files written to the staging folder, by every renderer process: what tests count."""
        return self._spooled

    @spooled.setter
    def spooled(self, count: int) -> None:
        self._spooled = count
        if self.tree is not None:
            self.tree.spooled = count  # (write_site checks that the tree holds only what is listed)

    def add(self, output: Output) -> Output:
        """The same output, its bytes on disk instead of in memory (static files pass through)."""
        if output.data is None:
            return output
        known = (self.manifest or {}).get(output.output_path)
        if self.memo is not None:
            last = self.memo.get(output.output_path)
            if last is not None and last[0] is output.data and known is not None and known[0] == last[1]:
                self.unchanged.add(output.output_path)
                placed = last[2]
                if placed is None or placed.url != output.url or placed.origin != output.origin:
                    placed = Output(
                        output.url,
                        output.output_path,
                        None,
                        output.origin,
                        output.copy_from,
                        last[1],
                        self.destination / output.output_path,
                    )
                self.seen[output.output_path] = (output.data, last[1], placed)
                return placed
        digest = known_digest(output.data)  # a render's digest, made with it or kept in the store
        if digest is None:
            digest = digest_of(output.data)
            self.hashed += 1
        if self.remember:
            self.seen[output.output_path] = (output.data, digest, None)
        if (
            known
            and is_safe(output.output_path)
            and known[0] == digest
            and stat_key(os.path.join(self._root, output.output_path)) == known[1:]  # (a str: no Path)
        ):
            # Unchanged on disk: the destination file already holds exactly these bytes.
            return dataclasses.replace(output, data=None, digest=digest, staged=self.destination / output.output_path)
        self._make()
        self.spooled += 1
        data = bytes_of(output.data)  # (a reused page left in the render store is read now)
        placed = self.tree.place(output.output_path, data) if self.tree is not None else None
        if placed is None:
            path = self.staging / str(self._name)
            self._name += 1
            write_new(path, data)
        else:
            path = placed
        if _listener is not None:
            with contextlib.suppress(Exception):
                _listener(output, data)
        return dataclasses.replace(output, data=None, digest=digest, staged=path)

    def _make(self) -> None:
        if not self._made:
            self.staging.mkdir(parents=True, exist_ok=True)
            self._made = True
            if self.tree is not None:
                self.tree.ensure()

    def reserve(self, count: int) -> int:
        """Keep the next `count` staging names for a forked renderer spooling into the same folder
        (render/parallel_pages.py): returns the first. The folder is made now, so that `discard`
        removes what the child spooled if the build fails."""
        self._make()
        first, self._name = self._name, self._name + count
        return first

    def names_from(self, first: int) -> None:
        """In a forked renderer: name staged files from `first` on (names its parent reserved)."""
        self._name = first

    def discard(self) -> None:
        """The build failed before its commit point: nothing it spooled will be committed. (Once
        the journal exists it owns the staging folder: deleting staged files would break its
        roll-forward, which the next build completes.)"""
        if self._made and not (self.destination / JOURNAL).exists():
            shutil.rmtree(self.staging, ignore_errors=True)
            self._made = False
            if self._new_destination:  # a failed first build leaves no empty folder behind
                with contextlib.suppress(OSError):
                    self.destination.rmdir()


def spool_all(spool: Spool | None, outputs: list[Output]) -> list[Output]:
    return outputs if spool is None else [spool.add(o) for o in outputs]


def is_spooled(output: Output, staging: Path) -> bool:
    """True when the output's bytes already sit in `staging` under a journal name."""
    return output.staged is not None and output.staged.parent == staging and os.path.basename(output.staged).isdigit()
