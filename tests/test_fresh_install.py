"""The generator as a new user gets it: a wheel built from this checkout, installed into a fresh
virtual environment (dependencies from the package index, pinned by requirements/lock.txt), then
`blog init`, `blog new`, `blog build`, and the Pages workflow's own `run:` steps executed in a
second fresh environment standing in for a clean GitHub runner.

Slow (two environments, about a minute with pip's cache warm) but in the default run: it is the
only test that sees what a wheel leaves out (templates, scaffold files, livereload.js) and what a
runner would install from the site's requirements.txt.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO / "requirements" / "lock.txt"
BASE_PATH = "${{ steps.pages.outputs.base_path }}"

pytestmark = pytest.mark.slow


def sh(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


def clean_env(bin_dir: Path) -> dict[str, str]:
    """The environment a user's shell would have: this venv first, none of the test run's Python
    settings (PYTHONPATH would let the checkout stand in for the installed wheel)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "COV_"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    if not os.environ.get("BLOG_TEST_UNLOCKED"):  # scripts/check-latest: the newest allowed versions
        env["PIP_CONSTRAINT"] = " ".join(filter(None, [env.get("PIP_CONSTRAINT"), str(LOCK)]))
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def fresh_venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return path / "bin"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of this checkout, built from a copy so no build/ or egg-info lands in the repo."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "generator", source / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", root / "dist", source, cwd=root)
    (built,) = (root / "dist").glob("mathdemo_blog-*.whl")
    return built


def test_wheel_carries_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"generator/{p.relative_to(REPO / 'generator').as_posix()}" for p in (REPO / "generator").rglob("*")}
    expected = {n for n in expected if "__pycache__" not in n and not (REPO / n).is_dir()}
    assert expected <= names, sorted(expected - names)  # templates, scaffold layouts, livereload.js, every module
    assert "generator/serve/livereload.js" in names and any(n.startswith("generator/theme/_layouts/") for n in names)


def workflow_run_lines(pages_yml: Path) -> list[str]:
    """The build job's `run:` steps, with GitHub's base-path expression as a user site gets it ("")."""
    data: dict[Any, Any] = yaml.safe_load(pages_yml.read_text(encoding="utf-8"))
    runs = [step["run"] for step in data["jobs"]["build"]["steps"] if "run" in step]
    assert not any(re.search(r"\$\{\{", run.replace(BASE_PATH, "")) for run in runs)  # nothing else to fill in
    return [run.replace(BASE_PATH, "") for run in runs]


def run_workflow(site: Path, runner_bin: Path) -> list[subprocess.CompletedProcess[str]]:
    """Each step as GitHub runs a `run:` step: `bash -e`, in the checkout, stopping at a failure."""
    results = []
    for script in workflow_run_lines(site / ".github" / "workflows" / "pages.yml"):
        result = subprocess.run(
            ["bash", "-e", "-c", script], cwd=site, env=clean_env(runner_bin), capture_output=True, text=True
        )
        results.append(result)
        if result.returncode:
            break
    return results


def test_wheel_in_a_fresh_venv_inits_builds_and_its_workflow_runs(wheel: Path, tmp_path: Path) -> None:
    user = fresh_venv(tmp_path / "user-venv")
    env = clean_env(user)
    sh(user / "pip", "install", "-q", wheel, cwd=tmp_path, env=env)
    assert sh(user / "blog", "--version", cwd=tmp_path, env=env).stdout.startswith("blog ")

    # A wheel file on this disk is not something a runner can reach: init says so in the file...
    sh(user / "blog", "init", "unnamed", cwd=tmp_path, env=env)
    assert "EDIT ME" in (tmp_path / "unnamed" / "requirements.txt").read_text(encoding="utf-8")

    # ...and with --generator it writes what it is told (here: the wheel, which this test can reach).
    sh(user / "blog", "init", "site", "--generator", wheel, cwd=tmp_path, env=env)
    site = tmp_path / "site"
    requirement_lines = [
        line for line in (site / "requirements.txt").read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    assert requirement_lines[-1] == str(wheel)
    posted = sh(user / "blog", "new", "A second post", cwd=site, env=env).stdout.strip()
    assert (site / posted).is_file()
    built = sh(user / "blog", "build", cwd=site, env=env)
    assert built.stdout.startswith("built 2 posts, 1 page,"), built.stdout
    assert (site / "_site" / "index.html").is_file()
    assert any((site / "_site").rglob("a-second-post/index.html"))
    shutil.rmtree(site / "_site")

    # A clean runner: nothing but Python and pip, then the workflow's own steps.
    runner = fresh_venv(tmp_path / "runner-venv")
    steps = run_workflow(site, runner)
    assert all(step.returncode == 0 for step in steps), steps[-1].stdout + steps[-1].stderr
    assert len(steps) == len(workflow_run_lines(site / ".github" / "workflows" / "pages.yml"))
    assert (site / "_site" / "index.html").is_file() and (site / "_site" / "feed.xml").is_file()
    assert not (site / "_site" / ".blog-build.json").exists()  # never published
    assert (site / ".blog-cache").is_dir()  # what actions/cache keeps for the next run

    # The unedited site's workflow stops at its first step, with the message, before pip runs.
    stopped = run_workflow(tmp_path / "unnamed", runner)
    assert len(stopped) == 1 and stopped[0].returncode == 1
    assert "::error file=requirements.txt::" in stopped[0].stdout
