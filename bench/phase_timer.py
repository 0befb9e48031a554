"""Phase timers shared by bench/serve_phases.py and bench/rebuild_phases.py: wrap named functions
with counters instead of profiling (on this busy 2-core machine cProfile distorts the figures
several times over), then print a table. Each wrapped phase adds its wall time (perf_counter) and
the calling thread's CPU time (thread_time) to the totals; nested phases count inside their caller."""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from typing import Any

# (owner, attribute, label): the label's indentation shows which phase calls it.
Phase = tuple[Any, str, str]


class PhaseTimer:
    def __init__(self, phases: list[Phase]) -> None:
        self.phases = [phase for phase in phases if hasattr(phase[0], phase[1])]  # (an older checkout lacks some)
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        for owner, name, label in self.phases:
            setattr(owner, name, self._timed(getattr(owner, name), label))

    @property
    def labels(self) -> list[str]:
        return [label for _, _, label in self.phases]

    def clear(self) -> None:
        self.wall.clear()
        self.cpu.clear()

    def _timed(self, function: Any, label: str) -> Any:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.wall[label] += time.perf_counter() - wall
                self.cpu[label] += time.thread_time() - cpu

        return timed


def print_table(title: str, rows: dict[str, tuple[float, float]]) -> None:
    """rows: label -> (wall seconds, CPU seconds)."""
    print(f"\n{title}")
    print(f"{'':40s} {'wall':>9s} {'CPU':>9s}")
    for label, (wall, cpu) in rows.items():
        print(f"{label:40s} {1000 * wall:7.1f}ms {1000 * cpu:7.1f}ms")
