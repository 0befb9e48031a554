"""The GitHub Pages workflow written by `blog init` / `blog deploy --workflow`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import DeployError
from generator.publish.requirement import EDIT_MARKER
from generator.publish.workflow import write_pages_workflow


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps(data: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in data["jobs"].values() for step in job["steps"]]


def test_workflow_parses_and_has_the_required_keys(tmp_path: Path) -> None:
    path = write_pages_workflow(tmp_path)
    assert path == tmp_path / ".github" / "workflows" / "pages.yml"
    data = load(path)
    # YAML 1.1 reads the bare key `on` as the boolean True; GitHub reads it as "on".
    triggers = data.get("on", data.get(True))
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert data["concurrency"]["group"]
    assert data["jobs"]["deploy"]["needs"] == "build"
    assert data["jobs"]["deploy"]["environment"]["name"] == "github-pages"


def test_workflow_uses_pinned_official_actions_and_builds_with_blog(tmp_path: Path) -> None:
    data = load(write_pages_workflow(tmp_path))
    uses = [step["uses"] for step in steps(data) if "uses" in step]
    names = {use.split("@")[0] for use in uses}
    assert {
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    } <= names
    for use in uses:  # a major tag (v4) or a full commit SHA, never a branch
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@(v\d+|[0-9a-f]{40})", use), use
    commands = "\n".join(step.get("run", "") for step in steps(data))
    # A site has no pyproject.toml: `pip install .` fails on a runner. It installs what the site declares.
    assert "pip install -r requirements.txt" in commands and "pip install ." not in commands
    assert "blog build" in commands
    assert "_site/.blog-build.json" in commands  # the build marker is never published
    upload = next(step for step in steps(data) if step.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "_site"


def test_requirements_txt_names_the_generator_given(tmp_path: Path) -> None:
    data = load(write_pages_workflow(tmp_path, generator="mathdemo-blog @ git+https://example.com/blog.git@abc123"))
    lines = (tmp_path / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        "mathdemo-blog @ git+https://example.com/blog.git@abc123"
    ]
    commands = "\n".join(step.get("run", "") for step in steps(data))
    assert "${{ steps.pages.outputs.base_path }}" in commands  # GitHub's syntax kept intact


def test_an_existing_requirements_txt_is_the_users(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("mathdemo-blog==9.9\n", encoding="utf-8")
    write_pages_workflow(tmp_path, generator="other")
    assert (tmp_path / "requirements.txt").read_text(encoding="utf-8") == "mathdemo-blog==9.9\n"


def test_workflow_caches_the_conversion_cache(tmp_path: Path) -> None:
    data = load(write_pages_workflow(tmp_path))
    cache = next(step for step in steps(data) if step.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".blog-cache"
    assert cache["with"]["restore-keys"] and "github.run_id" in cache["with"]["key"]
    order = [step.get("uses", step.get("run", "")) for step in data["jobs"]["build"]["steps"]]
    build_index = next(i for i, s in enumerate(order) if "blog build" in s)
    assert order.index(cache["uses"]) < build_index  # restored before the build that uses it


def run_steps(root: Path, data: dict[Any, Any]) -> subprocess.CompletedProcess[str]:
    """The build job's `run:` steps up to the install, as GitHub runs them (bash -e)."""
    script = []
    for step in data["jobs"]["build"]["steps"]:
        if "run" in step:
            script.append(step["run"])
            if "pip install" in step["run"]:
                break
    # Stop before pip really installs: replace it by a marker we can see.
    text = "\n".join(script).replace("pip install -r requirements.txt", "echo would install")
    return subprocess.run(["bash", "-e", "-c", text], cwd=root, capture_output=True, text=True)


def test_an_unedited_requirement_stops_the_workflow_with_its_message(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(f"# {EDIT_MARKER}: name the generator\n", encoding="utf-8")
    data = load(write_pages_workflow(tmp_path))
    stopped = run_steps(tmp_path, data)
    assert stopped.returncode == 1 and "would install" not in stopped.stdout
    assert "::error file=requirements.txt::" in stopped.stdout and "EDIT ME" in stopped.stdout
    (tmp_path / "requirements.txt").write_text("mathdemo-blog==0.1.0\n", encoding="utf-8")
    passed = run_steps(tmp_path, data)
    assert passed.returncode == 0 and "would install" in passed.stdout


def test_requirement_comes_from_pips_install_record(tmp_path: Path) -> None:
    """PEP 610: what pip wrote in direct_url.json decides what a runner is told to install."""
    site = tmp_path / "site-packages"

    def record(direct_url: dict[str, Any] | None, installer: str | None = "pip") -> str | None:
        shutil.rmtree(site, ignore_errors=True)
        info = site / "mathdemo_blog-1.2.3.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mathdemo-blog\nVersion: 1.2.3\n", encoding="utf-8")
        if installer is not None:
            (info / "INSTALLER").write_text(f"{installer}\n", encoding="utf-8")
        if direct_url is not None:
            (info / "direct_url.json").write_text(json.dumps(direct_url), encoding="utf-8")
        code = "import sys; sys.path.insert(0, sys.argv[1]); from generator.publish.requirement import detected_requirement as d; print(d())"
        out = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True, text=True, check=True)
        return out.stdout.strip()

    assert record(None) == "mathdemo-blog==1.2.3"  # from an index
    assert record(None, installer=None) == "None"  # metadata no installer claims, e.g. a stray egg-info
    git = {"url": "https://github.com/me/blog", "vcs_info": {"vcs": "git", "commit_id": "f" * 40}}
    assert record(git) == f"mathdemo-blog @ git+https://github.com/me/blog@{'f' * 40}"
    assert (
        record({"url": "https://x.org/m-1.2.3.whl", "archive_info": {}}) == "mathdemo-blog @ https://x.org/m-1.2.3.whl"
    )
    assert record({"url": "file:///home/me/blog", "dir_info": {"editable": True}}) == "None"  # a runner can't reach it
    assert record({"url": "file:///tmp/m-1.2.3.whl", "archive_info": {}}) == "None"


def test_workflow_is_not_overwritten_unless_forced(tmp_path: Path) -> None:
    path = write_pages_workflow(tmp_path)
    first = path.read_text(encoding="utf-8")
    assert write_pages_workflow(tmp_path) == path  # identical content: fine, nothing changes
    path.write_text(first + "# my edit\n", encoding="utf-8")
    with pytest.raises(DeployError, match="already exists"):
        write_pages_workflow(tmp_path)
    assert path.read_text(encoding="utf-8").endswith("# my edit\n")
    write_pages_workflow(tmp_path, force=True)
    assert path.read_text(encoding="utf-8") == first


def test_the_generators_own_repository_installs_its_checkout_on_the_lock(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "mathdemo-blog"\n', encoding="utf-8")
    write_pages_workflow(tmp_path)
    lines = (tmp_path / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if not line.startswith("#")] == ["-c requirements/lock.txt", "."]
