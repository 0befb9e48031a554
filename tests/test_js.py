"""Runs the demos' JavaScript unit tests (node's built-in runner) as part of the one test command."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = Path(__file__).parent / "js"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("test_file", sorted(JS_TESTS.glob("*.test.mjs")), ids=lambda p: p.name)
def test_node_suite(test_file: Path) -> None:
    result = subprocess.run(["node", "--test", str(test_file)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
