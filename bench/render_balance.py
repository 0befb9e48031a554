"""Forked render balance of one cold `blog build` (render/parallel_pages.py), in this process: the
render phase's wall time, when the parent's slice ended, the generated pages rendered meanwhile
(wall and CPU), how long the parent then waited for its child, the child's CPU (os.wait4), the
parent's CPU over the phase and before the wait. Prints one line; asserts nothing. In a site folder:

    rm -rf .blog-cache && PYTHONPATH=/path/to/checkout python bench/render_balance.py /tmp/fresh-dest

The CPU figures are what to compare on a loaded machine: the phase ends when the slower of the
parent (its slice + the generated pages) and the child ends, plus the merge of the child's results.
The process is set up as `blog` sets itself up (commands/process.py: fewer collections, frozen imports)."""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path
from typing import Any

from generator.commands.process import collect_less

collect_less()

import generator.build as build_module  # noqa: E402
import generator.commands.cli  # noqa: E402,F401  (imported as `blog` imports it, before the freeze)
import generator.render.generated_set as generated_set  # noqa: E402
import generator.render.parallel_pages as parallel_pages  # noqa: E402

T: dict[str, Any] = {"waits": []}


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def waitpid(pid: int, options: int) -> tuple[int, int]:
    began = time.perf_counter()
    found, status, usage = os.wait4(pid, options)
    if "start" in T and "end" not in T:  # (the render's child, not a conversion worker)
        T["waits"].append((time.perf_counter() - began, usage.ru_utime + usage.ru_stime))
    return found, status


def main() -> int:
    parallel_pages.os.waitpid = waitpid  # type: ignore[assignment]  (this process only)
    early, render = generated_set.EarlyPages.render, build_module.render_documents

    def meanwhile(self: Any, paths: set[str]) -> None:
        T["mine_end"], before = time.perf_counter(), cpu()
        try:
            early(self, paths)
        finally:
            T["meanwhile"], T["meanwhile_cpu"] = time.perf_counter() - T["mine_end"], cpu() - before
            T["before_wait"] = cpu() - T["cpu0"]

    def documents(*args: Any, **kwargs: Any) -> Any:
        T["start"], T["cpu0"] = time.perf_counter(), cpu()
        try:
            return render(*args, **kwargs)
        finally:
            T["end"], T["parent_cpu"] = time.perf_counter(), cpu() - T["cpu0"]

    generated_set.EarlyPages.render = meanwhile  # type: ignore[method-assign]
    build_module.render_documents = documents
    gc.freeze()
    build_module.build(build_module.BuildOptions(destination=Path(sys.argv[1]), quiet=True))
    if "mine_end" not in T:
        print(f"phase={T['end'] - T['start']:.3f} not forked: parent_cpu={T['parent_cpu']:.3f}")
        return 0
    waited, child = max(T["waits"], key=lambda wait: wait[1], default=(0.0, 0.0))
    print(
        f"phase={T['end'] - T['start']:.3f} mine={T['mine_end'] - T['start']:.3f} "
        f"meanwhile={T['meanwhile']:.3f} (cpu {T['meanwhile_cpu']:.3f}) waited={waited:.3f} "
        f"child_cpu={child:.3f} parent_cpu={T['parent_cpu']:.3f} parent_before_wait={T['before_wait']:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
