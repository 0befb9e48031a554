"""The GitHub Pages workflow written by `blog init` / `blog deploy --workflow`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import DeployError
from generator.workflow import write_pages_workflow


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
    assert "pip install ." in commands and "blog build" in commands
    assert "_site/.blog-build.json" in commands  # the build marker is never published
    upload = next(step for step in steps(data) if step.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "_site"


def test_workflow_can_install_the_generator_from_elsewhere(tmp_path: Path) -> None:
    data = load(write_pages_workflow(tmp_path, install="git+https://example.com/blog.git"))
    commands = [step.get("run", "") for step in steps(data)]
    assert "pip install git+https://example.com/blog.git" in commands
    assert "${{ steps.pages.outputs.base_path }}" in "\n".join(commands)  # GitHub's syntax kept intact


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
