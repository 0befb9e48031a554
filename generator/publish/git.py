"""Running git for `blog deploy`: in the user's repository, with failures as one-line DeployErrors."""

from __future__ import annotations

import subprocess
from pathlib import Path

from generator.errors import DeployError


class Git:
    """Runs git in the user's repository; every command here only reads, or writes the publishing
    branch and objects (never the work tree, index, HEAD or stash)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        process = subprocess.run(["git", *args], cwd=self.directory, capture_output=True, text=True, check=False)
        if check and process.returncode != 0:
            raise DeployError(f"git {args[0]} failed: {last_line(process.stderr)}")
        return process

    def out(self, *args: str, check: bool = True) -> str:
        return self.run(*args, check=check).stdout.strip()

    def commit_of(self, ref: str) -> str | None:
        return self.out("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False) or None


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1].removeprefix("fatal: ").removeprefix("error: ") if lines else "unknown error"


def repository(source: Path) -> Path:
    if not source.is_dir():
        raise DeployError(f"refusing to deploy: {source} is not a folder")
    process = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=source, capture_output=True, text=True, check=False
    )
    if process.returncode != 0:
        raise DeployError(
            f"refusing to deploy: {source} is not in a git repository "
            "(run `git init` and `git remote add origin URL` first)"
        )
    return Path(process.stdout.strip()).resolve()  # the top: paths in git's answers are relative to it
