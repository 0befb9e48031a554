"""render/child_stream.py: a forked renderer's results reach the parent while it still runs, in
order, and a child that dies or fails is told apart from one that finished. Real forks, real pipes."""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Callable
from typing import IO

import pytest

from generator.render.child_stream import Stream, Totals, send

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forked renderers need fork()")


def forked(body: Callable[[IO[bytes], int], None]) -> tuple[int, Stream, IO[bytes]]:
    """A child running body(file, told) and then exiting 0; the parent's Stream of it."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the caller)
    ready, told = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child's coverage is not collected)
        status = 1
        try:
            os.close(ready)
            os.set_blocking(told, False)
            body(file, told)
            status = 0
        finally:
            os._exit(status)
    os.close(told)
    return pid, Stream(file, ready), file


def finished(pid: int, stream: Stream, file: IO[bytes]) -> int:
    os.close(stream.ready)
    file.close()
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_frames_arrive_while_the_child_still_runs() -> None:
    """The child sends frame n+1 only after the parent has read frame n: a parent that read only
    after the child's end would wait for ever (the test's timeout)."""
    go_read, go_write = os.pipe()

    def body(file: IO[bytes], told: int) -> None:
        os.close(go_write)
        signal.alarm(20)  # (never answered: the child dies, and its frames end early)
        for n in range(5):
            send(file, told, {"document": n})
            assert os.read(go_read, 1) == b"n"  # the parent has read it
        send(file, told, Totals(5, 1, {}))

    pid, stream, file = forked(body)
    os.close(go_read)
    seen = []
    for frame in stream.frames():
        seen.append(frame)
        if isinstance(frame, dict):
            os.write(go_write, b"n")
    os.close(go_write)
    assert seen == [{"document": n} for n in range(5)]
    assert stream.totals is not None and (stream.totals.spooled, stream.totals.hashed) == (5, 1)
    assert stream.failure is None
    assert finished(pid, stream, file) == 0


def test_a_failing_childs_traceback_and_a_dead_childs_end_are_failures_after_what_they_sent() -> None:
    def failing(file: IO[bytes], told: int) -> None:
        send(file, told, {"document": 0})
        send(file, told, "Traceback (most recent call last): ...")  # what _child sends when it fails
        os._exit(1)

    pid, stream, file = forked(failing)
    assert list(stream.frames()) == [{"document": 0}]
    assert stream.failure == "Traceback (most recent call last): ..." and stream.totals is None
    assert finished(pid, stream, file) == 1

    def killed(file: IO[bytes], told: int) -> None:
        send(file, told, {"document": 0})
        file.write((100).to_bytes(8, "little") + b"half a frame")  # killed while writing the next
        file.flush()
        os._exit(3)

    pid, stream, file = forked(killed)
    assert list(stream.frames()) == [{"document": 0}]
    assert stream.failure == "its results ended early" and stream.totals is None
    assert finished(pid, stream, file) == 3


def test_more_frames_than_the_pipe_holds_bytes_all_arrive() -> None:
    """The child never blocks on a full pipe (a byte per frame; the parent reads the pipe only
    once it is done with its own work): every frame is still read, in order."""
    count = 70_000  # a Linux pipe holds 65,536 bytes

    def body(file: IO[bytes], told: int) -> None:
        signal.alarm(20)  # (a child blocked on the full pipe dies: the test fails, it does not hang)
        for n in range(count):
            send(file, told, n)
        send(file, told, Totals(0, 0, {}))

    pid, stream, file = forked(body)
    status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])  # read only once the child is done
    frames = list(stream.frames())
    assert status == 0
    assert frames == list(range(count)) and stream.totals is not None
    assert stream.failure is None
    os.close(stream.ready)
    file.close()
