"""The `blog` command as users run it: help for every subcommand, version, new, init, build."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from generator.commands.cli import main, unique_warnings
from generator.errors import GeneratorError

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


def test_a_bad_flag_shows_the_subcommands_usage() -> None:
    result = run("serve", "--prot", "4000")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: blog serve ")
    assert result.stderr.splitlines()[-1] == "blog serve: error: unrecognized arguments: --prot 4000"


def test_one_spelling_per_option() -> None:
    help_text = run("check", "--help").stdout
    assert "--list-external" in help_text and "--external" in help_text and "--check-external" not in help_text
    for retired_or_abbreviated in ("--check-external", "--ext", "--list"):
        result = run("check", retired_or_abbreviated)
        assert result.returncode == 2 and "usage: blog check" in result.stderr, retired_or_abbreviated


def test_new_creates_a_post_and_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "_config.yml").write_text("title: T\n")
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
    assert built.stdout.startswith("built 1 post, 1 page, 2 static files, 0 demos -> ")  # the theme's CSS
    assert (site / "_site" / "index.html").exists() and (site / "_site" / "about" / "index.html").exists()
    assert "<math" in next((site / "_site").rglob("welcome/index.html")).read_text()
    workflow = (site / ".github" / "workflows" / "pages.yml").read_text()
    assert "pip install -r requirements.txt" in workflow and "pip install .\n" not in workflow
    requirements = (site / "requirements.txt").read_text()
    # Run from a checkout (PYTHONPATH), nothing a runner can reach: marked for editing, and said so.
    assert "EDIT ME" in requirements and "requirements.txt" in result.stderr
    assert ".blog-cache/" in (site / ".gitignore").read_text()
    refused = run("init", "my-site", cwd=tmp_path)
    assert refused.returncode == 1 and "not empty" in refused.stderr


@pytest.mark.parametrize("command", [["build"], ["serve", "--no-watch"], ["new", "A title"]])
def test_a_folder_that_is_not_a_site_is_refused_and_left_alone(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "notes.md").write_text("no front matter here\n")
    (tmp_path / "docs").mkdir()
    result = run(*command, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "this folder is not a site (no _config.yml, no _posts/, no page with front matter); "
        "run blog in your site's folder, or make one with `blog init DIR`"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "notes.md"]  # no _site, .blog-cache, _posts


def test_a_missing_source_folder_is_refused(tmp_path: Path) -> None:
    result = run("build", "--source", "nope", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "nope: does not exist; check --source, or create a site there with `blog init nope`"
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "files",
    [{"_config.yml": "title: T\n"}, {"_posts/": ""}, {"index.md": "---\ntitle: Home\n---\nHi\n"}],
    ids=["config", "posts-folder", "lone-index-with-front-matter"],
)
def test_any_sign_of_a_site_is_enough(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        if name.endswith("/"):
            (tmp_path / name).mkdir()  # an empty _posts/ folder
        else:
            (tmp_path / name).write_text(text)
    result = run("build", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "_site").is_dir()


def test_a_warning_is_printed_once_per_source_line(tmp_path: Path) -> None:
    """The bad formula is in the post's first paragraph, so its excerpt (home page, feed) has it too."""
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2020-01-01-a.md").write_text("---\ntitle: A\n---\nBad $\\frac{1}{$ formula.\n\nMore.\n")
    (tmp_path / "index.html").write_text(
        "---\ntitle: Home\n---\n{% for post in site.posts %}{{ post.excerpt }}{{ post.content }}{% endfor %}\n"
    )
    result = run("build", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("_posts/2020-01-01-a.md:4: cannot convert formula"), lines
    twice = [GeneratorError("x", "a.md", 4), GeneratorError("x", "a.md", 4), GeneratorError("x", "a.md", 5)]
    assert [str(w) for w in unique_warnings(twice)] == ["a.md:4: x", "a.md:5: x"]


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
