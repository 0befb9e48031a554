"""How the `blog` process runs and ends (issue #19): `run` is the process entry point (the `blog`
console script and `python -m generator`); `main()`, which tests call in-process, is left alone.

While it runs: the cyclic garbage collector runs less often. A no-op build allocates ~100 MB of
small objects (the site model, the caches) that live to the end; with CPython's default threshold
of 700 container allocations the collector ran ~140 times over them, ~30 ms of a 0.4 s rebuild,
and found almost nothing (few of the build's objects form cycles). Collections still happen, every
20,000 allocations, so garbage cycles stay bounded (peak memory measured the same).

At the end: the interpreter's normal teardown frees those objects one by one, 0.04-0.07 s after
`main()` returned, for memory the OS takes back at once anyway. So `leave` does what teardown
must do and then calls `os._exit`.

What normal teardown does, and what happens to it here:
- non-daemon threads are joined (a thread pool not shut down, `blog serve`'s server): if any is
  still alive, leave the normal way, nothing skipped;
- atexit callbacks (multiprocessing's child clean-up, logging's flush, coverage's data) run;
- sys.stdout and sys.stderr are flushed (a reader that went away: the same quiet 141 as `main`);
- file objects and SQLite connections are finalised: every writer in the package closes its files
  and commits with `with` (tests/test_fast_exit.py runs builds with ResourceWarning as an error),
  and a committed SQLite transaction is on disk whether or not the connection is closed."""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading
from typing import NoReturn

GEN0_THRESHOLD = 20_000  # CPython's default is 700
OLDER_THRESHOLDS = (20, 20)  # … and 10, 10


def run() -> NoReturn:
    collect_less()
    from generator.commands.cli import main  # after collect_less: the imports allocate too

    imports_done()
    leave(main())


def collect_less() -> None:
    """Before the imports: fewer collections while modules load and the build runs."""
    gc.set_threshold(GEN0_THRESHOLD, *OLDER_THRESHOLDS)


def imports_done() -> None:
    """After the imports: modules, classes and functions live as long as the process, so the
    collector need not traverse them again (gc.freeze moves them out of its generations)."""
    gc.freeze()


def other_threads_running() -> bool:
    """Whether a thread the interpreter would wait for at exit is still alive."""
    main = threading.main_thread()
    return any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate())


def leave(code: int) -> NoReturn:
    """End the process with exit status `code`, skipping the freeing of every object."""
    if other_threads_running() or not hasattr(atexit, "_run_exitfuncs"):
        raise SystemExit(code)  # let the interpreter join them (or an unusual Python): the slow, sure way
    atexit._run_exitfuncs()  # the callbacks Python would run at exit, in the same (reverse) order
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:  # `blog ... | head`: what the reader did not want is dropped
            code = code or 141
    os._exit(code)
