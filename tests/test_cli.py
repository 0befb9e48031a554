"""The `blog` command as users run it: help for every subcommand, version, new, init, build."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

COMMANDS = ["init", "new", "build", "serve", "deploy", "check"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0 and f"usage: blog {command}" in result.stdout


def test_version_and_bare_command() -> None:
    assert run("--version").stdout.strip().startswith("blog ")
    bare = run()
    assert bare.returncode == 2 and "init" in bare.stdout and "deploy" in bare.stdout


def test_new_creates_a_post_and_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "Hello, Wörld: a test!", "--source", str(tmp_path)]) == 0
    path = tmp_path / "_posts" / f"{dt.date.today().isoformat()}-hello-world-a-test.md"
    assert path.exists() and 'title: "Hello, Wörld: a test!"' in path.read_text()
    assert main(["new", "Hello, Wörld: a test!", "--source", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["new", "Idea", "--draft", "--source", str(tmp_path)]) == 0
    assert (tmp_path / "_drafts" / "idea.md").exists()


def test_init_makes_a_site_that_builds(tmp_path: Path) -> None:
    result = run("init", "my-site", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "my-site"
    built = run("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("built 1 posts, 1 pages")
    assert (site / "_site" / "index.html").exists() and (site / "_site" / "about" / "index.html").exists()
    assert "<math" in next((site / "_site").rglob("welcome/index.html")).read_text()
    assert (site / ".github" / "workflows" / "pages.yml").exists()
    refused = run("init", "my-site", cwd=tmp_path)
    assert refused.returncode == 1 and "not empty" in refused.stderr


def test_build_errors_use_paths_relative_to_where_blog_runs(tmp_path: Path) -> None:
    site = tmp_path / "s"
    (site / "_posts").mkdir(parents=True)
    (site / "_posts" / "oops.md").write_text("---\ntitle: x\n---\n")
    result = run("build", "--source", "s", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("s/_posts/oops.md:1: post file name must be")


def test_quiet_build_prints_nothing_on_success(tmp_path: Path) -> None:
    (tmp_path / "index.md").write_text("---\ntitle: Home\n---\nHi\n")
    result = run("build", "--quiet", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


def test_strict_build_fails_on_a_broken_link_and_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "_layouts").mkdir()
    (tmp_path / "_layouts" / "default.html").write_text("<!doctype html><title>x</title>{{ content }}\n")
    (tmp_path / "about.md").write_text("---\ntitle: About\nlayout: default\n---\nIntro.\n\nSee [nowhere](/nowhere/).\n")
    assert run("build", "--quiet", cwd=tmp_path).returncode == 0
    strict = run("build", "--strict", "--quiet", cwd=tmp_path)
    assert strict.returncode == 1
    assert strict.stderr.splitlines()[0].startswith("about.md:7: ")
    assert "/nowhere/" in strict.stderr.splitlines()[0]
