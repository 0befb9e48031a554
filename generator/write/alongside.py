"""Work done in threads while the site is written: a cold `blog build`'s tail is the write phase
(system calls, which release the GIL) and the saves of `.blog-cache/` (SQLite, which releases it
in C), each on one core while the other idled. build() runs each save in its own thread alongside
the write; a save does its work, then calls `settled` before it commits anything the next build
would see: that waits for the write's outcome and raises Abandoned if it failed, so the save rolls
back and a failed or refused build leaves `.blog-cache/` as it was, as before (each save is one
SQLite transaction). build() joins them before it returns.

Threads only here, after rendering: the render phase forks (render/parallel_pages.py), which a
process running threads must not do."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable
from pathlib import Path

SWITCH_INTERVAL = 0.0005  # seconds, while the works run (sys.setswitchinterval; Python's default: 0.005)

Work = Callable[[Callable[[], None]], None]  # called with `settled`


class Abandoned(Exception):
    """Raised by `settled` in a work whose caller's step failed: nothing may be committed."""


class Alongside:
    """Each of `works` running in its own thread from now on (`threaded`; else run by `join`, in
    the caller's). `join`: the caller's step succeeded, wait, raise the first work's error.
    `abandon`: it failed; the works roll back; wait, their errors dropped."""

    def __init__(
        self, works: list[Work], threaded: bool = True, folder: Path | None = None, name: str = "blog-save"
    ) -> None:
        self._works = works
        # The folder the works save into: made by them (it did not exist), removed if abandoned.
        self._made = folder if folder is not None and works and not folder.exists() else None
        self._succeeded: bool | None = None
        self._decided = threading.Event()
        self._errors: list[BaseException] = []
        self.ran_in: list[str] = []  # the threads the works ran in: what tests check
        self._threads = [
            threading.Thread(target=self._run, args=(work,), name=f"{name}-{n}") for n, work in enumerate(works)
        ]
        self._interval = sys.getswitchinterval()
        if threaded and self._threads:
            # The writing thread waits for the GIL after each system call while a saving one holds
            # it between SQLite steps, up to the whole interval (5 ms): the write took ~60% longer.
            sys.setswitchinterval(SWITCH_INTERVAL)
            for thread in self._threads:
                thread.start()
        else:
            self._threads = []

    def settled(self) -> None:
        """Called by a work before it commits: waits for the caller's outcome."""
        self._decided.wait()
        if not self._succeeded:
            raise Abandoned("the site was not written: nothing of this build is saved")

    def _run(self, work: Work) -> None:
        self.ran_in.append(threading.current_thread().name)
        try:
            work(self.settled)
        except BaseException as error:  # (re-raised by join, in the thread that waits)
            self._errors.append(error)

    def join(self) -> None:
        self._decide(True)
        if not self._threads:
            for work in self._works:  # (not threaded: run now, in the caller's thread)
                self._run(work)
        self._wait()
        errors, self._errors = self._errors, []
        if errors:
            raise errors[0]

    def abandon(self) -> None:
        self._decide(False)
        self._wait()
        self._errors.clear()
        if self._made is not None:
            with contextlib.suppress(OSError):
                self._made.rmdir()  # (only if empty: what the works made in it, they removed)

    def _decide(self, succeeded: bool) -> None:
        if self._succeeded is None:
            self._succeeded = succeeded
            self._decided.set()

    def _wait(self) -> None:
        threads, self._threads, self._works = self._threads, [], []  # (once)
        try:
            for thread in threads:
                thread.join()
        finally:
            if threads:
                sys.setswitchinterval(self._interval)
