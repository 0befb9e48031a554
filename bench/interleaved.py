"""One measurement of two (or more) checkouts, interleaved: each run starts a fresh interpreter per
checkout with only that checkout on its path, reads the one number it prints, and the medians are
printed at the end (convert_cpu.py, convert_one.py). Asserts nothing."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path


def run_interleaved(
    checkouts: list[Path], runs: int, child: str, arguments: list[str], cwd: Path, unit: str, label: str
) -> int:
    """`unit` formats a value for printing ("{:.3f} s CPU"); `label` ends each median line."""
    values: dict[Path, list[float]] = {checkout: [] for checkout in checkouts}
    for run in range(runs):
        for checkout in checkouts:
            done = subprocess.run(
                [sys.executable, "-c", child, *arguments],
                env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"},
                cwd=cwd,  # (not a checkout: `-c` puts the working folder first on sys.path)
                capture_output=True,
                text=True,
                check=True,
            )
            values[checkout].append(float(done.stdout.strip()))
            print(f"run {run + 1} {checkout}: {unit.format(values[checkout][-1])}", flush=True)
    print("medians:")
    for checkout, measured in values.items():
        print(f"  {checkout}: {unit.format(statistics.median(measured))} ({label})")
    return 0
