"""Wall time and CPU of one `blog build` run in this process: the parent's own user and system
time and its children's (the conversion workers), from getrusage. Run it in a site folder after
`rm -rf _site .blog-cache` for a cold build; prints one line, asserts nothing:
    PYTHONPATH=/path/to/checkout python bench/cold_cpu.py
    -> wall parent_user parent_system workers_user workers_system (seconds)"""

from __future__ import annotations

import os
import resource
import runpy
import sys
import time


def main() -> int:
    sys.argv = ["generator", "build", "--quiet"]
    # The entry point leaves with os._exit (commands/process.py): turn that into SystemExit here,
    # or this process ends before it prints. Only in this process: forked workers leave with
    # os._exit too, and must not run the parent's clean-up (its temporary files) on their way out.
    parent, real_exit = os.getpid(), os._exit

    def leave(code: int) -> None:
        if os.getpid() != parent:
            real_exit(code)
        raise SystemExit(code)

    os._exit = leave  # type: ignore[assignment]
    started = time.perf_counter()
    try:
        runpy.run_module("generator", run_name="__main__", alter_sys=True)
    except SystemExit as exit_:
        if exit_.code not in (0, None):
            raise
    wall = time.perf_counter() - started
    me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"{wall:.3f} {me.ru_utime:.3f} {me.ru_stime:.3f} {workers.ru_utime:.3f} {workers.ru_stime:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
