"""render/forked.py: a forked renderer dies with its build (Linux: prctl PR_SET_PDEATHSIG), with
real processes and a real SIGKILL; and errors cross the pickle back to the parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.errors import GeneratorError
from generator.render.forked import portable

REPO = Path(__file__).resolve().parents[1]
# A build stand-in: forks a renderer stand-in that sleeps, prints its pid, sleeps too.
MIDDLE = """
import os, sys, time
from generator.render.forked import end_with_parent
parent = os.getpid()
pid = os.fork()
if pid == 0:
    if sys.argv[1] == "end-with-parent":
        end_with_parent(parent)
    time.sleep(60)
    os._exit(0)
print(pid, flush=True)
time.sleep(60)
"""


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its new parent to reap it has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def orphan_after_sigkill(mode: str) -> int:
    """Start the stand-in, SIGKILL it, return its child's pid once the stand-in is gone."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    middle = subprocess.Popen([sys.executable, "-c", MIDDLE, mode], stdout=subprocess.PIPE, text=True, env=env)
    assert middle.stdout is not None
    child = int(middle.stdout.readline())
    time.sleep(0.2)  # (the child has made its request by now, or will exit at once when it sees the parent gone)
    middle.send_signal(signal.SIGKILL)
    middle.wait()
    return child


def ended_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.02)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) is Linux's")
def test_a_forked_renderer_ends_when_its_build_is_sigkilled() -> None:
    child = orphan_after_sigkill("end-with-parent")
    assert ended_within(child, 10)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the control for the test above")
def test_without_the_request_the_orphan_goes_on() -> None:
    child = orphan_after_sigkill("plain")
    try:
        assert not ended_within(child, 1)  # what the request changes: the orphan would run on
    finally:
        os.kill(child, signal.SIGKILL)


class Unpicklable(GeneratorError):
    def __init__(self, message: str, handle: object) -> None:
        super().__init__(message, "a.md", 3)
        self.handle = handle


def test_errors_cross_the_pickle_intact_or_as_plain_ones() -> None:
    plain = GeneratorError("bad", "a.md", 2)
    assert portable(plain) is plain
    odd = portable(Unpicklable("worse", lambda: None))
    assert type(odd) is GeneratorError and (odd.message, odd.path, odd.line) == ("worse", "a.md", 3)
