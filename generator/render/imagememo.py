"""`blog serve`: the image pass's result per document HTML, kept across rebuilds.

A post that names images is converted again on every rebuild (render/known.py keeps only
conversions that name none), and its image pass — parsing each `<img>`, sizing it, writing its
`<picture>` — cost an edit of this blog's RNN post ≈ 4.5 ms for its 14 unchanged neighbours. The
pass is a function of the HTML, the base URL, the image settings and, per image it names, whether
the file is in the site, what probing it found (stat-keyed in imagefiles.py, so a replaced image
is probed again) and its variants; `Rewritten` records exactly those, and a hit is used only when
every one is still equal. Failures (a missing image) are never kept: the next rebuild reports them
again. `blog build` keeps nothing (no memo is open): a cold build would only hold texts longer."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from generator.render.imagefiles import ImageInfo, ImageSettings, Variant

HELD_CHARS = 16_000_000  # HTML kept at most (oldest entries dropped first)


@dataclass(frozen=True)
class Rewritten:
    baseurl: str
    settings: ImageSettings
    # Per image the HTML names: its output path, whether the site has that file, what probing
    # found (None: not probed, a vector image) and its variants.
    images: tuple[tuple[str, bool, ImageInfo | None, tuple[Variant, ...]], ...]
    # The variants the result's <picture>s name: (variant output path, variant, origin, image path).
    used: tuple[tuple[str, Variant, str, str], ...]
    result: str


class RewriteMemo:
    def __init__(self, held_chars: int = HELD_CHARS) -> None:
        self.entries: dict[str, Rewritten] = {}
        self.held_chars = held_chars
        self.chars = 0
        self.hits = 0  # rewrites answered from the memo: what tests count

    def get(self, html: str) -> Rewritten | None:
        return self.entries.get(html)

    def put(self, html: str, entry: Rewritten) -> None:
        old = self.entries.pop(html, None)
        if old is not None:
            self.chars -= len(html) + len(old.result)
        self.entries[html] = entry
        self.chars += len(html) + len(entry.result)
        while self.chars > self.held_chars and self.entries:
            oldest = next(iter(self.entries))
            self.chars -= len(oldest) + len(self.entries.pop(oldest).result)


_open: RewriteMemo | None = None


@contextlib.contextmanager
def kept_in(memo: RewriteMemo) -> Iterator[None]:
    """Image passes during this block (one rebuild, under the rebuilder's lock) use `memo`."""
    global _open
    outer, _open = _open, memo
    try:
        yield
    finally:
        _open = outer


def current() -> RewriteMemo | None:
    return _open
