"""Work done in a thread while the site is written: a cold `blog build`'s tail is the write phase
(~2,000 mkdirs and 1,000 renames: system calls, which release the GIL) and then the saves of
`.blog-cache/` (SQLite, which releases it in C), each on one core while the other idled. build()
runs the saves alongside the write and joins them before it returns.

The saves depend on nothing the write does (the caches describe conversions and renders, not
what is on disk), and each is one SQLite transaction: joined after a failed or interrupted write,
they left the old rows or the new, never a mix. Threads only here, after rendering: the render
phase forks (render/parallel_pages.py), which a process running threads must not do."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

SWITCH_INTERVAL = 0.0005  # seconds, while the work runs (sys.setswitchinterval; Python's default: 0.005)


class Alongside:
    """`work` running in its own thread from now on (`threaded`; else run by `join`, in the
    caller's); `join` waits for it and raises what it raised. No work: nothing to wait for."""

    def __init__(self, work: Callable[[], None] | None, threaded: bool = True, name: str = "blog-alongside") -> None:
        self._work = work
        self._error: BaseException | None = None
        self.ran_in: threading.Thread | None = None  # the thread `work` ran in: what tests check
        self._thread = threading.Thread(target=self._run, name=name) if work and threaded else None
        self._interval = sys.getswitchinterval()
        if self._thread is not None:
            # The writing thread waits for the GIL after each mkdir or rename while the saving one
            # holds it between SQLite steps, up to the whole interval (5 ms): the write took ~60%
            # longer. At 0.5 ms it takes ~15% longer (a 1,000-post cold build, bench/README.md).
            sys.setswitchinterval(SWITCH_INTERVAL)
            self._thread.start()

    def _run(self) -> None:
        self.ran_in = threading.current_thread()
        try:
            assert self._work is not None
            self._work()
        except BaseException as error:  # (re-raised by join, in the thread that waits)
            self._error = error

    def join(self) -> None:
        if self._thread is None and self._work is not None:
            self._run()
        self._wait()
        error, self._error = self._error, None
        if error is not None:
            raise error

    def join_quietly(self) -> None:
        """Wait, dropping the work's error: the caller is already raising a more telling one."""
        self._wait()
        self._error = None

    def _wait(self) -> None:
        thread, self._thread, self._work = self._thread, None, None  # (once)
        if thread is not None:
            try:
                thread.join()
            finally:
                sys.setswitchinterval(self._interval)
