"""How a forked renderer (render/parallel_pages.py) hands its results back while it still renders.

Before, a child pickled its whole slice into a file at its end and the parent, once it had waited
for the child, loaded and merged all of it on one core (~0.05 s at 1,000 posts, the other core
idle). Now the child appends one frame per document (an 8-byte length, then the pickle) to its
file and writes a byte on a pipe after each; the parent merges the frames that are there and
waits on the pipe for more, so most of the merge happens while the child still renders (issue #19).
A frame being written is not read (its length says so); the pipe's end (every writer gone) tells
the parent the child is gone, and a child whose frames end without Totals has failed."""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any


@dataclass
class Totals:
    """What a child hands back last, after its documents: what it did to shared state."""

    spooled: int
    hashed: int
    bytecode: dict[str, bytes]


class Stream:
    """A child's results as it writes them: frames (8-byte length, pickle) appended to `file`, and
    a byte on the pipe `ready` after each (its end: the child is gone). The parent merges what is
    there and waits on the pipe for more, so the merge overlaps the child's last documents."""

    def __init__(self, file: IO[bytes], ready: int) -> None:
        self.fd, self.ready, self.offset = file.fileno(), ready, 0
        self.failure: str | None = None  # the child's traceback, or why its frames ended early
        self.totals: Totals | None = None  # its last frame

    def frames(self) -> Iterator[Any]:
        """Each object the child sent, in order, up to its Totals (kept in `totals`, not yielded)."""
        ended = False
        while True:
            frame = self._next()
            if frame is not None:
                if isinstance(frame, str):  # the child failed: its traceback
                    self.failure = frame
                    return
                if isinstance(frame, Totals):
                    self.totals = frame
                    return
                yield frame
                continue
            if ended:  # the pipe's end was seen and nothing more was written
                self.failure = self.failure or "its results ended early"
                return
            ended = not os.read(self.ready, 1 << 16)

    def _next(self) -> Any:
        head = os.pread(self.fd, 8, self.offset)
        if len(head) < 8:
            return None
        size = int.from_bytes(head, "little")
        body = os.pread(self.fd, size, self.offset + 8)
        if len(body) < size:  # (being written)
            return None
        self.offset += 8 + size
        return _frame(body)


def _frame(body: bytes) -> Any:
    """One object a child sent (a function of its own: tests look at what crosses)."""
    return pickle.loads(body)


def send(file: IO[bytes], told: int, item: Any) -> None:
    """In a child: one frame appended to `file`, then the parent told."""
    body = pickle.dumps(item, protocol=5)
    file.write(len(body).to_bytes(8, "little") + body)
    file.flush()
    with contextlib.suppress(BlockingIOError):  # (the pipe is full: the parent has bytes to read)
        os.write(told, b".")
