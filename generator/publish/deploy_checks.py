"""What `blog deploy` refuses, and the committed tree it builds from.

Two accidents this module exists to prevent (issue #12):
- publishing what happens to be on disk (an untracked draft, a half-made edit) under a message that
  says it was built from a commit: by default the site is built from a clean export of HEAD, and a
  dirty source folder is refused unless --allow-dirty (then the message says so);
- replacing a branch that people work on with the built site (`--branch main` run from `dev`): a
  branch that is checked out, or whose history holds the site's sources, is refused unless --force.
Each refusal is one DeployError line naming the fix; nothing here writes to the repository."""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Protocol

from generator.errors import DeployError

# Files only a site's sources have: a built site never contains them (underscore names are not copied).
SOURCE_MARKERS = ("_config.yml", "_posts")


class GitRunner(Protocol):
    directory: Path

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]: ...

    def out(self, *args: str, check: bool = True) -> str: ...

    def commit_of(self, ref: str) -> str | None: ...


def refuse_unsafe_branch(git: GitRunner, branch: str, remote: str, folder: str, force: bool) -> None:
    """The branch deploy writes to must be nobody's work: not checked out, not holding sources."""
    current = git.out("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if current == branch:  # no flag makes this safe: the work tree would disagree with its own HEAD
        raise DeployError(
            f"refusing to deploy: you are on {branch}, the branch deploy writes to; switch to your source branch first"
        )
    if force:
        return
    elsewhere = checked_out_in(git, branch)
    if elsewhere is not None:
        raise DeployError(
            f"refusing to deploy: {branch} is checked out in {elsewhere}, whose files deploy would replace; "
            f"remove that worktree (`git worktree remove {elsewhere}`), pick another --branch, or pass --force"
        )
    for ref in (f"refs/heads/{branch}", f"refs/remotes/{remote}/{branch}"):
        touching = source_commit(git, ref, folder)
        if touching is not None:
            raise DeployError(
                f"refusing to deploy: {branch} holds site sources (commit {touching[:10]} touches "
                f"_config.yml or _posts/), which the built site would replace; publish to another "
                f"--branch (default gh-pages), or pass --force if {branch} really is the publishing branch"
            )


def checked_out_in(git: GitRunner, branch: str) -> str | None:
    """The worktree folder where `branch` is checked out, if any (the current one included)."""
    listing = git.out("worktree", "list", "--porcelain", check=False)
    folder = None
    for line in listing.splitlines():
        if line.startswith("worktree "):
            folder = line.removeprefix("worktree ")
        elif line == f"branch refs/heads/{branch}":
            return folder
    return None


def source_commit(git: GitRunner, ref: str, folder: str) -> str | None:
    """The newest commit of `ref` that touches a source marker at the top or under the site folder,
    unless the tip is a site deploy published (`.nojekyll`, no marker): once the user chose that
    branch with --force, later deploys there need no flag. Literal paths (no globs) let git prune
    whole trees, so a long gh-pages history stays quick."""
    if git.commit_of(ref) is None:
        return None
    paths = [*SOURCE_MARKERS, *([f"{folder}/{name}" for name in SOURCE_MARKERS] if folder != "." else [])]
    found = git.out("log", "-1", "--format=%H", ref, "--", *paths, check=False)
    if not found:
        return None
    at_tip = set(git.out("ls-tree", "--name-only", ref, "--", ".nojekyll", *paths, check=False).splitlines())
    return None if at_tip == {".nojekyll"} else found


def uncommitted_paths(git: GitRunner, folder: str) -> list[str]:
    """Modified, staged, deleted and untracked (not ignored) paths under `folder` (relative to the
    repository's top), as `git status` names them."""
    process = git.run(
        "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=none", "--", folder
    )
    paths = []
    entries = iter(process.stdout.split("\0"))
    for entry in entries:
        if not entry:
            continue
        paths.append(entry[3:])
        if entry[0] in "RC":  # a rename carries its old name in the next field
            next(entries, None)
    return paths


def refuse_dirty(paths: list[str], shown_as: Path) -> None:
    if not paths:
        return
    sample = ", ".join(paths[:3]) + (", …" if len(paths) > 3 else "")
    raise DeployError(
        f"refusing to deploy: {len(paths)} uncommitted change(s) in {shown_as} ({sample}) would not be "
        "published; commit or stash them, or pass --allow-dirty to publish the working tree as it is"
    )


def export_head(git: GitRunner, folder: str, into: Path) -> Path:
    """Write the committed tree of `folder` (HEAD's version, as `git archive` gives it) under `into`;
    returns where the site's sources are. Nothing in the repository is read but HEAD's objects."""
    pathspec = [] if folder == "." else ["--", folder]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            ["git", "archive", "--format=tar", "HEAD", *pathspec],
            cwd=git.directory,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        assert process.stdout is not None
        try:
            with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
                archive.extractall(into, filter="data")  # no absolute paths, no links leaving the export
        except tarfile.FilterError as error:
            raise DeployError(f"refusing to deploy: the committed tree has an unsafe entry: {error}") from error
        except tarfile.ReadError:
            pass  # git failed before writing a tar header: its message is read below
        finally:
            process.stdout.close()
            status = process.wait()
        if status != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip().splitlines()
            raise DeployError(f"git archive failed: {message[-1] if message else 'unknown error'}")
    site = into / folder
    site.mkdir(parents=True, exist_ok=True)
    return site
