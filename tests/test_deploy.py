"""`blog deploy` with real git: a local bare repository stands in for GitHub."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.render.cache import ConversionCache
from generator.commands.deploy_command import configure_deploy_parser, run_deploy_command
from generator.publish.deploy import DeployOptions, deploy
from generator.errors import DeployError

SITE = {
    "_config.yml": "title: Tiny\nurl: https://example.github.io\nbaseurl: /tiny\ncname: blog.example.com\n",
    "_posts/2020-01-01-hello.md": "---\ntitle: Hello\n---\nText [link](/about/)\n",
    "about.md": "---\ntitle: About\npermalink: /about/\n---\nAbout me.\n",
    "_layouts/default.html": ("<html><head><title>{{ page.title }}</title></head><body>{{ content }}</body></html>"),
    ".gitignore": "_site/\n",
}


def git(cwd: Path, *args: str) -> str:
    process = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert process.returncode == 0, process.stderr
    return process.stdout.strip()


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def files_of(root: Path, skip: tuple[str, ...] = (".git",)) -> dict[str, bytes]:
    found = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in names:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git config, and no repository above tmp_path can leak into a test."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for variable in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(variable, raising=False)


def make_repo(tmp_path: Path, *, remote: bool = True) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    write_files(work, SITE)
    git(work, "init", "-q", "-b", "main")
    git(work, "config", "user.name", "Test Author")
    git(work, "config", "user.email", "author@example.com")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "Site sources")
    if remote:
        git(tmp_path, "init", "-q", "--bare", "origin.git")
        git(work, "remote", "add", "origin", str(tmp_path / "origin.git"))
    return work


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


def state(work: Path) -> dict[str, object]:
    """Everything of the user's that deploy must not touch (read with commands that write nothing)."""
    refs = git(work, "for-each-ref", "--format=%(refname) %(objectname)").splitlines()
    return {
        "head": git(work, "symbolic-ref", "HEAD"),
        "head_commit": git(work, "rev-parse", "HEAD"),
        "index": (work / ".git" / "index").read_bytes(),
        "stash": git(work, "stash", "list"),
        "refs": [ref for ref in refs if "gh-pages" not in ref],
        "files": files_of(work),
    }


def remote_tip(tmp_path: Path, branch: str = "gh-pages") -> str:
    return git(tmp_path / "origin.git", "for-each-ref", "--format=%(objectname)", f"refs/heads/{branch}")


def expected_site(work: Path, tmp_path: Path, name: str) -> dict[str, bytes]:
    result = build(BuildOptions(source=work, destination=tmp_path / name), cache=ConversionCache())
    files = files_of(result.destination)
    del files[".blog-build.json"]
    return {**files, ".nojekyll": b"", "CNAME": b"blog.example.com"}


def clone_pages(tmp_path: Path, name: str) -> Path:
    git(tmp_path, "clone", "-q", "--branch", "gh-pages", str(tmp_path / "origin.git"), name)
    return tmp_path / name


def commit_all(work: Path, message: str = "Edit") -> None:
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", message)


def make_dirty(work: Path) -> None:
    """A stash entry, a staged edit, an unstaged edit, an untracked file and an old _site/."""
    (work / "about.md").write_text(SITE["about.md"] + "Stashed words.\n", encoding="utf-8")
    git(work, "stash", "-q")
    write_files(work, {"_posts/2020-01-02-staged.md": "---\ntitle: Staged\n---\nStaged post.\n"})
    git(work, "add", "_posts/2020-01-02-staged.md")
    (work / "about.md").write_text(SITE["about.md"] + "Unsaved edit.\n", encoding="utf-8")
    write_files(work, {"notes.txt": "untracked\n", "_site/index.html": "old site\n"})


def test_deploy_twice_publishes_two_commits_and_leaves_the_user_alone(repo: Path, tmp_path: Path) -> None:
    make_dirty(repo)
    before = state(repo)
    first = deploy(DeployOptions(source=repo, allow_dirty=True), report=lambda line: None)
    assert first.commit and first.pushed
    assert state(repo) == before
    pages = clone_pages(tmp_path, "first")
    assert files_of(pages) == expected_site(repo, tmp_path, "expected1")
    assert b"Unsaved edit." in (pages / "about" / "index.html").read_bytes()  # --allow-dirty: what is on disk
    head = git(repo, "rev-parse", "--short", "HEAD")
    assert git(pages, "log", "-1", "--format=%s") == f"Publish site built from {head} with uncommitted changes"

    (repo / "about.md").write_text(SITE["about.md"] + "A second version.\n", encoding="utf-8")
    before = state(repo)
    lines: list[str] = []
    second = deploy(DeployOptions(source=repo, message="Second publish", allow_dirty=True), report=lines.append)
    assert second.changes.changed == ["about/index.html"] and not second.changes.added
    assert state(repo) == before
    assert remote_tip(tmp_path) == second.commit
    pages = clone_pages(tmp_path, "second")
    assert files_of(pages) == expected_site(repo, tmp_path, "expected2")
    assert git(pages, "log", "--format=%s", "gh-pages").splitlines()[0] == "Second publish"
    assert git(pages, "rev-list", "--count", "gh-pages") == "2"
    assert git(pages, "rev-parse", "gh-pages^") == first.commit
    assert (repo / "_site" / "index.html").read_text() == "old site\n"


def test_nothing_changed_makes_no_commit(repo: Path, tmp_path: Path) -> None:
    first = deploy(DeployOptions(source=repo), report=lambda line: None)
    again = deploy(DeployOptions(source=repo), report=lambda line: None)
    assert not again.changes and again.commit is None and not again.pushed
    assert remote_tip(tmp_path) == first.commit


def test_dry_run_lists_changes_and_commits_nothing(repo: Path, tmp_path: Path) -> None:
    first = deploy(DeployOptions(source=repo), report=lambda line: None)
    (repo / "about.md").write_text(SITE["about.md"] + "Changed.\n", encoding="utf-8")
    write_files(repo, {"extra.md": "---\ntitle: Extra\npermalink: /extra/\n---\nNew page.\n"})
    commit_all(repo)
    lines: list[str] = []
    result = deploy(DeployOptions(source=repo, dry_run=True), report=lines.append)
    assert result.commit is None and not result.pushed
    assert result.changes.added == ["extra/index.html"]
    assert "about/index.html" in result.changes.changed
    assert "  + extra/index.html" in lines and "  ~ about/index.html" in lines
    assert git(repo, "rev-parse", "gh-pages") == first.commit
    assert remote_tip(tmp_path) == first.commit


def test_broken_link_refuses_and_publishes_nothing(repo: Path, tmp_path: Path) -> None:
    write_files(repo, {"_posts/2020-01-01-hello.md": "---\ntitle: Hello\n---\nText\n\n[bad](/nowhere/)\n"})
    commit_all(repo)
    before = state(repo)
    lines: list[str] = []
    with pytest.raises(DeployError, match="broken reference"):
        deploy(DeployOptions(source=repo), report=lines.append)
    # Once, at its source line (the feed's copy of the post is not reported again).
    assert lines == [
        (
            f"{repo}/_posts/2020-01-01-hello.md:6: broken link /tiny/nowhere/ in page "
            "/tiny/2020/01/01/hello.html: no such file"
        )
    ]
    assert remote_tip(tmp_path) == ""
    assert git(repo, "branch", "--list", "gh-pages") == ""
    assert state(repo) == before


def test_failed_build_refuses_and_publishes_nothing(repo: Path, tmp_path: Path) -> None:
    deployed = deploy(DeployOptions(source=repo), report=lambda line: None)
    write_files(repo, {"about.md": "---\ntitle: [unclosed\n---\nAbout me.\n"})
    commit_all(repo)
    with pytest.raises(DeployError, match="build failed"):
        deploy(DeployOptions(source=repo), report=lambda line: None)
    assert remote_tip(tmp_path) == deployed.commit
    assert git(repo, "rev-parse", "gh-pages") == deployed.commit


def test_remote_ahead_refuses_until_fetched(repo: Path, tmp_path: Path) -> None:
    first = deploy(DeployOptions(source=repo), report=lambda line: None)
    other = clone_pages(tmp_path, "other")
    git(other, "config", "user.name", "Someone Else")
    git(other, "config", "user.email", "else@example.com")
    write_files(other, {"hotfix.html": "<p>fixed on the branch</p>\n"})
    git(other, "add", ".")
    git(other, "commit", "-q", "-m", "Hotfix on gh-pages")
    git(other, "push", "-q", "origin", "gh-pages")
    theirs = remote_tip(tmp_path)
    (repo / "about.md").write_text(SITE["about.md"] + "Newer.\n", encoding="utf-8")
    commit_all(repo)
    with pytest.raises(DeployError, match="git fetch origin gh-pages"):
        deploy(DeployOptions(source=repo), report=lambda line: None)
    assert remote_tip(tmp_path) == theirs
    assert git(repo, "rev-parse", "gh-pages") == first.commit

    git(repo, "fetch", "-q", "origin", "gh-pages")
    result = deploy(DeployOptions(source=repo), report=lambda line: None)
    assert remote_tip(tmp_path) == result.commit
    assert git(repo, "rev-parse", f"{result.commit}^") == theirs  # their commit is kept in history


def test_force_replaces_a_remote_that_is_ahead(repo: Path, tmp_path: Path) -> None:
    first = deploy(DeployOptions(source=repo), report=lambda line: None)
    other = clone_pages(tmp_path, "other")
    git(
        other,
        "-c",
        "user.name=Else",
        "-c",
        "user.email=else@example.com",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "Someone else's commit",
    )
    git(other, "push", "-q", "origin", "gh-pages")
    (repo / "about.md").write_text(SITE["about.md"] + "Forced.\n", encoding="utf-8")
    commit_all(repo)
    result = deploy(DeployOptions(source=repo, force=True), report=lambda line: None)
    assert remote_tip(tmp_path) == result.commit
    assert git(repo, "rev-parse", f"{result.commit}^") == first.commit


def test_not_a_git_repository_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    write_files(folder, SITE)
    with pytest.raises(DeployError, match="not in a git repository"):
        deploy(DeployOptions(source=folder), report=lambda line: None)


def test_missing_remote_is_refused_but_no_push_commits_locally(tmp_path: Path) -> None:
    work = make_repo(tmp_path, remote=False)
    with pytest.raises(DeployError, match="no git remote named 'origin'"):
        deploy(DeployOptions(source=work), report=lambda line: None)
    assert git(work, "branch", "--list", "gh-pages") == ""
    result = deploy(DeployOptions(source=work, push=False), report=lambda line: None)
    assert git(work, "rev-parse", "gh-pages") == result.commit
    assert git(work, "show", "gh-pages:CNAME") == "blog.example.com"
    assert git(work, "symbolic-ref", "--short", "HEAD") == "main"


def test_deploying_from_the_publishing_branch_is_refused(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "gh-pages")
    with pytest.raises(DeployError, match="switch to your source branch"):
        deploy(DeployOptions(source=repo), report=lambda line: None)


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    configure_deploy_parser(parser)
    return run_deploy_command(parser.parse_args(list(argv)))


def test_cli_deploys_refuses_and_writes_the_workflow(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(DeployError, match="no git remote named 'upstream'"):
        run_cli("--source", str(repo), "--remote", "upstream")
    assert run_cli("--source", str(repo), "--branch", "site", "-m", "From the CLI") == 0
    assert git(tmp_path / "origin.git", "log", "--format=%s", "site") == "From the CLI"
    assert run_cli("--source", str(repo), "--workflow") == 0
    assert (repo / ".github" / "workflows" / "pages.yml").is_file()


# ---- what is published: the committed tree -------------------------------------------------------


def test_dirty_tree_is_refused_and_nothing_is_published(repo: Path, tmp_path: Path) -> None:
    make_dirty(repo)
    before = state(repo)
    with pytest.raises(DeployError, match=r"3 uncommitted change\(s\).*--allow-dirty") as refused:
        deploy(DeployOptions(source=repo), report=lambda line: None)
    assert "\n" not in str(refused.value)
    assert remote_tip(tmp_path) == ""
    assert git(repo, "branch", "--list", "gh-pages") == ""
    assert state(repo) == before


def test_untracked_page_is_never_published_without_allow_dirty(repo: Path, tmp_path: Path) -> None:
    first = deploy(DeployOptions(source=repo), report=lambda line: None)
    write_files(repo, {"draft.md": "---\ntitle: Draft\npermalink: /draft/\n---\nNot ready.\n"})
    for options in (DeployOptions(source=repo), DeployOptions(source=repo, dry_run=True)):
        with pytest.raises(DeployError, match=r"draft\.md"):
            deploy(options, report=lambda line: None)
    assert remote_tip(tmp_path) == first.commit
    assert git(repo, "ls-tree", "-r", "--name-only", "gh-pages").count("draft") == 0
    lines: list[str] = []
    published = deploy(DeployOptions(source=repo, allow_dirty=True), report=lines.append)
    assert published.changes.added == ["draft/index.html"]
    assert any(line.startswith("warning: publishing the working tree") for line in lines)
    head = git(repo, "rev-parse", "--short", "HEAD")
    assert git(repo, "log", "-1", "--format=%s", "gh-pages") == (
        f"Publish site built from {head} with uncommitted changes"
    )


def test_the_committed_tree_is_built_not_the_files_on_disk(repo: Path, tmp_path: Path) -> None:
    # Two ways a file on disk differs from HEAD while `git status` is clean: an edit git was told
    # to overlook, and a page ignored only locally. Neither may reach the published site.
    (repo / "about.md").write_text(SITE["about.md"] + "Uncommitted words.\n", encoding="utf-8")
    git(repo, "update-index", "--assume-unchanged", "about.md")
    (repo / ".git" / "info" / "exclude").write_text("private.md\n", encoding="utf-8")
    write_files(repo, {"private.md": "---\ntitle: Private\npermalink: /private/\n---\nMine.\n"})
    assert git(repo, "status", "--porcelain") == ""
    result = deploy(DeployOptions(source=repo), report=lambda line: None)
    pages = clone_pages(tmp_path, "pages")
    about = (pages / "about" / "index.html").read_bytes()
    assert b"About me." in about and b"Uncommitted words." not in about
    assert not (pages / "private").exists()
    head = git(repo, "rev-parse", "--short", "HEAD")
    assert git(pages, "log", "-1", "--format=%s") == f"Publish site built from {head}"
    assert git(pages, "rev-parse", "HEAD") == result.commit


def test_site_in_a_subfolder_is_exported_and_checked_there(tmp_path: Path) -> None:
    work = tmp_path / "work"
    write_files(work / "docs", SITE)
    write_files(work, {"code.py": "print('hi')\n"})
    git(work, "init", "-q", "-b", "main")
    git(work, "add", ".")
    git(work, "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-q", "-m", "Sources")
    git(work, "config", "user.name", "A")
    git(work, "config", "user.email", "a@example.com")
    (work / "code.py").write_text("print('edited, outside the site')\n")  # not the site's business
    result = deploy(DeployOptions(source=work / "docs", push=False), report=lambda line: None)
    assert "about/index.html" in git(work, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert git(work, "rev-parse", "gh-pages") == result.commit
    (work / "docs" / "notes.txt").write_text("untracked\n")
    with pytest.raises(DeployError, match=r"docs/notes\.txt"):
        deploy(DeployOptions(source=work / "docs", push=False), report=lambda line: None)


# ---- where it is published: never onto someone's work ----------------------------------------------


def test_branch_checked_out_in_another_worktree_is_refused_unless_forced(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "site-worktree"
    git(repo, "worktree", "add", "-q", "--detach", str(other))
    git(other, "checkout", "-q", "--orphan", "site")
    git(other, "rm", "-rqf", ".")
    write_files(other, {"index.html": "<p>hand-made</p>\n"})
    git(other, "add", "index.html")
    git(other, "commit", "-q", "-m", "Hand-made site")
    tip = git(repo, "rev-parse", "site")
    with pytest.raises(DeployError, match=rf"site is checked out in {other}.*--force") as refused:
        deploy(DeployOptions(source=repo, branch="site"), report=lambda line: None)
    assert "\n" not in str(refused.value)
    assert git(repo, "rev-parse", "site") == tip and remote_tip(tmp_path, "site") == ""
    forced = deploy(DeployOptions(source=repo, branch="site", force=True), report=lambda line: None)
    assert git(repo, "rev-parse", "site^") == tip and remote_tip(tmp_path, "site") == forced.commit


def test_branch_holding_the_sources_is_refused_unless_forced(repo: Path, tmp_path: Path) -> None:
    """`blog deploy --branch main` run from `dev` must not replace main's sources with the site."""
    git(repo, "checkout", "-q", "-b", "dev")
    main_tip = git(repo, "rev-parse", "main")
    before = state(repo)
    for options in (DeployOptions(source=repo, branch="main"), DeployOptions(source=repo, branch="main", push=False)):
        with pytest.raises(DeployError, match=r"main holds site sources.*--branch.*--force") as refused:
            deploy(options, report=lambda line: None)
        assert "\n" not in str(refused.value)
    assert git(repo, "rev-parse", "main") == main_tip
    assert remote_tip(tmp_path, "main") == ""
    assert state(repo) == {**before, "refs": before["refs"]}
    forced = deploy(DeployOptions(source=repo, branch="main", force=True), report=lambda line: None)
    assert git(repo, "rev-parse", "main^") == main_tip  # history kept: the site is a new commit on top
    assert remote_tip(tmp_path, "main") == forced.commit
    assert git(repo, "show", "main:CNAME") == "blog.example.com"
    # Chosen once with --force, main now holds a published site: the next deploy there needs no flag.
    (repo / "about.md").write_text(SITE["about.md"] + "Again.\n", encoding="utf-8")
    commit_all(repo)
    again = deploy(DeployOptions(source=repo, branch="main"), report=lambda line: None)
    assert git(repo, "rev-parse", "main^") == forced.commit and remote_tip(tmp_path, "main") == again.commit
    # The site's own branch never holds sources, so later deploys to it need no flag.
    deploy(DeployOptions(source=repo), report=lambda line: None)
    deploy(DeployOptions(source=repo, dry_run=True), report=lambda line: None)


def test_a_fetched_source_branch_is_recognised_too(repo: Path, tmp_path: Path) -> None:
    git(repo, "push", "-q", "origin", "main:pages-src")
    git(repo, "fetch", "-q", "origin")
    with pytest.raises(DeployError, match="pages-src holds site sources"):
        deploy(DeployOptions(source=repo, branch="pages-src"), report=lambda line: None)
    assert git(repo, "branch", "--list", "pages-src") == ""


# ---- the command line ------------------------------------------------------------------------------


def test_dry_run_into_a_closed_pipe_exits_quietly(repo: Path) -> None:
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(Path.cwd()), os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "generator", "deploy", "--source", str(repo), "--dry-run"]
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the first byte: every write fails, deterministically
    try:
        closed = subprocess.run(command, stdout=writer, stderr=subprocess.PIPE, text=True, env=environment)
    finally:
        os.close(writer)
    assert closed.returncode in (0, 141), closed.stderr
    assert "Traceback" not in closed.stderr and "BrokenPipe" not in closed.stderr
    assert closed.stderr == ""
    shell = subprocess.run(
        ["bash", "-c", 'set -o pipefail; "$@" | head -c 1 >/dev/null', "bash", *command],
        capture_output=True,
        text=True,
        env=environment,
    )
    assert shell.returncode in (0, 141) and shell.stderr == ""
    assert git(repo, "branch", "--list", "gh-pages") == ""
    # A refusal still reaches the user when stdout is fine: one line, exit 1.
    (repo / "notes.txt").write_text("untracked\n")
    refused = subprocess.run(command, capture_output=True, text=True, env=environment)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "--allow-dirty" in refused.stderr


def test_cli_allow_dirty_flag(repo: Path, tmp_path: Path) -> None:
    (repo / "notes.md").write_text("---\ntitle: Notes\npermalink: /notes/\n---\nNotes.\n")
    with pytest.raises(DeployError, match="--allow-dirty"):
        run_cli("--source", str(repo))
    assert run_cli("--source", str(repo), "--allow-dirty") == 0
    assert "notes/index.html" in git(tmp_path / "origin.git", "ls-tree", "-r", "--name-only", "gh-pages")
