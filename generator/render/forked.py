"""What a forked renderer (render/parallel_pages.py) needs of its own: to end with the build, and
to hand back errors that cross a pickle.

A `blog build` killed with SIGKILL (a CI job's timeout, the OOM killer) ended only its own process:
its forked renderers went on spooling pages into the destination's staging folder for a moment, as
orphans, racing the recovery or the next build that cleans that folder up. On Linux a child asks
the kernel for SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG), and exits at once if the
parent died before it could ask. Elsewhere, or when prctl is unavailable, nothing changes."""

from __future__ import annotations

import os
import pickle
import signal
import sys

from generator.errors import GeneratorError

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def end_with_parent(parent: int) -> None:
    """In a child just forked by process `parent`: die with it. Never raises."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes  # (imported in the child: a build that never forks does not load it)

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:  # noqa: BLE001 (no prctl: the child finishes its slice, as before)
        return
    if os.getppid() != parent:  # the parent died between the fork and the request
        os._exit(1)


def portable(error: GeneratorError) -> GeneratorError:
    """The error itself when it crosses a pickle intact, else a plain one with the same message."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return GeneratorError(error.message, error.path, error.line)
