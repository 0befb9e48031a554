"""How the `blog` process ends once its command is done (issue #19). A build leaves ~100 MB of objects
(the site model, caches, compiled templates); the interpreter's normal teardown frees them one by
one, 0.04-0.07 s after `main()` returned, for memory the OS takes back at once anyway. So the
process entry points (`blog`, `python -m generator`) do what teardown must do and then `os._exit`.

What normal teardown does, and what happens to it here:
- non-daemon threads are joined (a thread pool not shut down, `blog serve`'s server): if any is
  still alive, leave the normal way, nothing skipped;
- atexit callbacks (multiprocessing's child clean-up, logging's flush, coverage's data) run;
- sys.stdout and sys.stderr are flushed (a reader that went away: the same quiet 141 as `main`);
- file objects and SQLite connections are finalised: every writer in the package closes its files
  and commits with `with` (tests/test_fast_exit.py runs builds with ResourceWarning as an error),
  and a committed SQLite transaction is on disk whether or not the connection is closed.
Never call this from `main()`: tests run it in-process."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn


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
