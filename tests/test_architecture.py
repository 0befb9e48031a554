"""The package layout shows the pipeline, and CI keeps it that way: the import layers of
`.importlinter` (commands → publish → serve | check → build → render → write → incremental → load
→ model | plugins → config → errors), no cycles between sibling modules, small modules, and no
module named after a standard-library module or a dependency."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "generator"
MAX_LINES = 320  # "~300": a module past this has two jobs


def test_import_layers_and_no_cycles() -> None:
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run([lint, "--config", str(REPO / ".importlinter")], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize("module", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_modules_stay_small(module: Path) -> None:
    lines = len(module.read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module.relative_to(REPO)} has {lines} lines; split it by job"


def test_no_module_shadows_a_standard_or_dependency_name() -> None:
    shadowing = {"markdown", "math", "yaml", "jinja2", "json", "html", "http", "email", "string", "types", "pygments"}
    names = {p.stem for p in PACKAGE.rglob("*.py")} | {p.name for p in PACKAGE.rglob("*") if p.is_dir()}
    assert not names & shadowing, sorted(names & shadowing)
