"""Each folder under tests/sites/invalid/ is a site with one kind of mistake; `expected.txt` holds
the exact lines `blog build` must print: `path:line: message`, one per problem, no traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CASES = sorted(p for p in (Path(__file__).parent / "sites" / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_invalid_site_reports_exact_lines(case: Path, tmp_path: Path) -> None:
    site = tmp_path / case.name
    shutil.copytree(case, site, ignore=shutil.ignore_patterns("expected.txt"))
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--quiet"], cwd=site, capture_output=True, text=True, timeout=120
    )
    expected = (case / "expected.txt").read_text("utf-8").splitlines()
    lines = [line for line in result.stderr.splitlines() if not line.startswith("error: build failed")]
    assert result.returncode == 1
    assert lines == expected
    assert "Traceback" not in result.stderr
    assert not (site / "_site").exists(), "a failed build must not create the output folder"


def test_trace_flag_shows_the_traceback(tmp_path: Path) -> None:
    site = tmp_path / "s"
    shutil.copytree(CASES[0], site, ignore=shutil.ignore_patterns("expected.txt"))
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--trace"], cwd=site, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1 and "Traceback" in result.stderr
