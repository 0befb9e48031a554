"""What a build nobody reuses (`blog build`) lets go of as it goes, so its peak memory stays low:
freed heap pages handed back to the system, and converted bodies (issue #19)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from generator.incremental.sources import SourceIndex
from generator.model import Document
from generator.render.documents import DocumentRenderer

RELEASE_EVERY = 500  # rendered pages between two returns of freed heap memory to the system


def memory_release(documents: int) -> Callable[[], object]:
    """For big sites on glibc: `malloc_trim(0)`, which hands freed heap pages back to the system.
    Rendering frees a page's bytes as soon as they are spooled, but glibc keeps the holes those
    (and the conversion's buffers) leave mapped, so a build's resident memory would still grow
    with the site. Small builds, and other C libraries, skip it (a no-op)."""
    if documents < RELEASE_EVERY or not sys.platform.startswith("linux"):
        return lambda: None
    import ctypes

    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return lambda: None
    return lambda: trim(0)


class Released:
    """What a document's body is once converted, in a build nobody reuses: any use fails loudly."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("the document's body was released after conversion (render/letgo.py)")

    def __repr__(self) -> str:
        return "<body released after conversion>"


def let_go_of_bodies(renderer: DocumentRenderer, documents: list[Document]) -> list[Document]:
    """Every body is converted (its HTML is in the views) and the render phase never reads one
    again: let go of them (Liquid sites excepted: pagination renders index.html's body again), ~4 KB
    per post that would otherwise be held until the last generated page, and give them back from
    the source index (whose JSON of each is on disk) before returning the site. The one exception
    to frozen documents, in a state no later build sees: the site, the source index and the
    renderer hold the same Document objects, so replacing them would free nothing. (Bodies after
    Jinja too: the renderer's memo of them for this build.) Returns the documents let go of."""
    renderer.forget_sources()
    released, index = Released(), renderer.state.sources
    kept = [doc for doc in documents if index.holds(doc)]  # (one it cannot give back is kept)
    for doc in kept:
        object.__setattr__(doc, "body", released)
    return kept


def give_back_bodies(documents: list[Document], index: SourceIndex) -> None:
    """Undo let_go_of_bodies, from the index's JSON of each document."""
    for doc in documents:
        object.__setattr__(doc, "body", index.body_of(doc))
