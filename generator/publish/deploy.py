"""`blog deploy`: build with production settings, check, and publish as one new commit on `gh-pages`.

The git work is done by ghp-import (2.1.0, the library behind MkDocs' `gh-deploy`). What we checked
in its source before choosing it:
- history is kept: the new commit's parent is the branch tip (it first moves the local branch to
  `<remote>/<branch>` when that remote-tracking ref exists, so it builds on what was published);
- the user's work tree, index, HEAD and stash are never touched: files are streamed into
  `git fast-import`, which writes only objects and the one branch ref;
- `.nojekyll` and `CNAME` are options, as are remote, branch and message.
Its gaps, covered here rather than by hand-writing the commit plumbing:
- it commits every file of the folder: we build into our own temporary folder and delete the build
  marker there first;
- it never looks at the remote before committing: we `git ls-remote` and refuse when the remote
  branch has commits we lack (the user fetches, we never overwrite without --force);
- a failed fast-import raises nothing (its message is written as bytes to stdout, which itself fails
  under Python 3): we catch that and verify that the branch tip moved onto the expected base;
- it has no dry run: we diff the built files against the branch tip with `git ls-tree`;
- it runs git in the current directory: we chdir to the source for the duration of the call;
- we push ourselves, so a rejected push becomes a one-line DeployError.
What is published is what is committed: the site is built from an export of HEAD, and the
refusals that keep the user's work safe (dirty tree, checked-out or source branch) live in
deploy_checks.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ghp_import

from generator.check.command import MARKER, check_site, shown
from generator.publish.git import Git, last_line, repository
from generator.publish.deploy_checks import export_head, refuse_dirty, refuse_unsafe_branch, uncommitted_paths
from generator.errors import BuildFailed, DeployError, GeneratorError

Report = Callable[[str], None]


@dataclass(frozen=True)
class DeployOptions:
    source: Path = Path(".")
    remote: str = "origin"
    branch: str = "gh-pages"
    message: str | None = None
    dry_run: bool = False
    push: bool = True
    force: bool = False  # push with --force; skip the "remote is ahead" and "unsafe branch" refusals
    allow_dirty: bool = False  # publish the working tree, uncommitted changes included


@dataclass(frozen=True)
class SiteChanges:
    """Files of the new site compared with the tip of the publishing branch."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        return f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed"


@dataclass(frozen=True)
class DeployResult:
    changes: SiteChanges
    commit: str | None  # the new commit on the branch; None for a dry run or when nothing changed
    pushed: bool


def deploy(options: DeployOptions, report: Report = print) -> DeployResult:
    """Publish the site of `options.source`; raises DeployError (and publishes nothing) on refusal."""
    source = Path(options.source).resolve()
    git = Git(repository(source))
    folder = source.relative_to(git.directory).as_posix()  # the site's folder inside the repository
    refuse_unsafe_branch(git, options.branch, options.remote, folder, options.force)
    if options.push:
        _require_remote(git, options.remote)
        if not options.force:
            _refuse_when_remote_ahead(git, options.remote, options.branch)
    head = git.commit_of("HEAD")
    if head is None:
        raise DeployError("refusing to deploy: the repository has no commit yet; commit your site first")
    dirty = uncommitted_paths(git, folder)
    if not options.allow_dirty:
        refuse_dirty(dirty, Path(options.source))
    built_from = git.out("rev-parse", "--short", head) + (" with uncommitted changes" if dirty else "")
    with tempfile.TemporaryDirectory(prefix="blog-deploy-") as scratch:
        # Clean: build HEAD's tree, so nothing uncommitted (even an untracked file) is published.
        tree = source if dirty else export_head(git, folder, Path(scratch) / "export")
        if dirty:
            report(f"warning: publishing the working tree of {options.source}, uncommitted changes included")
        site, cname = _build_and_check(tree, Path(scratch) / "site", report, shown_as=Path(options.source))
        base = _base_commit(git, options.remote, options.branch)
        changes = _changes(git, base, _published_files(git, site, cname))
        if options.dry_run:
            _report_changes(report, options.branch, base, changes)
            return DeployResult(changes, None, False)
        commit = None
        if changes or base is None:
            commit = _commit(git, site, cname, options, base, built_from)
            report(f"committed {commit[:10]} on {options.branch}: {changes.summary()}")
        else:
            report(f"nothing changed since {options.branch} {base[:10]}; no new commit")
    pushed = False
    if options.push:
        pushed = _push(git, options, commit or base)
        report(f"pushed {options.branch} to {options.remote}" if pushed else f"{options.remote} is already up to date")
    return DeployResult(changes, commit, pushed)


def _require_remote(git: Git, remote: str) -> None:
    if git.run("remote", "get-url", remote, check=False).returncode != 0:
        raise DeployError(
            f"refusing to deploy: there is no git remote named '{remote}' "
            f"(add it with `git remote add {remote} URL`, or pass --remote NAME)"
        )


def _base_commit(git: Git, remote: str, branch: str) -> str | None:
    """The commit the new one will follow: as ghp-import does, the remote-tracking ref when it exists,
    else the local branch."""
    return git.commit_of(f"refs/remotes/{remote}/{branch}") or git.commit_of(f"refs/heads/{branch}")


def _refuse_when_remote_ahead(git: Git, remote: str, branch: str) -> None:
    listing = git.run("ls-remote", "--heads", remote, f"refs/heads/{branch}", check=False)
    if listing.returncode != 0:
        raise DeployError(f"refusing to deploy: cannot read remote '{remote}': {last_line(listing.stderr)}")
    remote_tip = listing.stdout.split()[0] if listing.stdout.split() else None
    if remote_tip is None:
        return  # first deploy: the remote has no such branch yet
    base = _base_commit(git, remote, branch)
    known = git.run("cat-file", "-e", f"{remote_tip}^{{commit}}", check=False).returncode == 0
    contained = known and base and git.run("merge-base", "--is-ancestor", remote_tip, base, check=False).returncode == 0
    if not contained:
        raise DeployError(
            f"refusing to deploy: {remote}/{branch} has commits that your {branch} lacks; "
            f"run `git fetch {remote} {branch}` and deploy again (or --force to replace them)"
        )


def _build_and_check(source: Path, destination: Path, report: Report, shown_as: Path) -> tuple[Path, str | None]:
    """Production build into our temporary folder (the user's _site is never touched), then the
    link check; any problem refuses the deploy before anything is committed."""
    from generator.build import BuildOptions, build  # lazily: keeps `import generator.deploy` light
    from generator.render.cache import ConversionCache

    options = BuildOptions(
        source=source, destination=destination, drafts=False, future=False, unpublished=False, quiet=True
    )
    try:
        # An in-memory cache: a deploy writes nothing into the user's folder, not even .blog-cache/.
        result = build(options, cache=ConversionCache())
    except BuildFailed as failure:
        for line in failure.lines():
            report(line)
        raise DeployError(
            f"refusing to deploy: the build failed with {len(failure.errors)} "
            "error(s), listed above; nothing was published"
        ) from failure
    except GeneratorError as error:
        raise DeployError(f"refusing to deploy: the build failed: {error}") from error
    problems = [
        problem
        for problem in check_site(
            Path(result.destination),
            baseurl=result.config.baseurl or "",
            source_root=source,
            site_url=result.config.url or "",
            origins=dict(result.origins),
            site_label="_site",
        )
        if problem.is_error
    ]  # the temporary folder is gone when the user reads this
    for problem in problems:
        report(shown(problem, shown_as))
    if problems:
        raise DeployError(
            f"refusing to deploy: the site has {len(problems)} broken reference(s), listed above; nothing was published"
        )
    site = Path(result.destination)
    (site / MARKER).unlink(missing_ok=True)  # build bookkeeping, not part of the published site
    cname = result.config.get("cname", None)
    return site, (str(cname).strip() or None) if cname else None


def _published_files(git: Git, site: Path, cname: str | None) -> dict[str, tuple[str, str]]:
    """path -> (mode, object id) of exactly what ghp-import will commit, hashed as git would."""
    algorithm = git.out("rev-parse", "--show-object-format", check=False) or "sha1"

    def object_id(data: bytes) -> str:
        return hashlib.new(algorithm, b"blob %d\0" % len(data) + data).hexdigest()

    files: dict[str, tuple[str, str]] = {}
    for folder, _, names in os.walk(site):
        for name in names:
            path = Path(folder, name)
            mode = "100755" if os.access(path, os.X_OK) else "100644"
            files[path.relative_to(site).as_posix()] = (mode, object_id(path.read_bytes()))
    files[".nojekyll"] = ("100644", object_id(b""))
    if cname:
        files["CNAME"] = ("100644", object_id(cname.encode()))
    return files


def _changes(git: Git, base: str | None, wanted: dict[str, tuple[str, str]]) -> SiteChanges:
    current: dict[str, tuple[str, str]] = {}
    if base:
        for entry in git.run("ls-tree", "-r", "-z", "--full-tree", base).stdout.split("\0"):
            if entry:
                meta, path = entry.split("\t", 1)
                mode, _, object_id = meta.split()
                current[path] = (mode, object_id)
    return SiteChanges(
        added=sorted(set(wanted) - set(current)),
        changed=sorted(path for path in wanted.keys() & current.keys() if wanted[path] != current[path]),
        removed=sorted(set(current) - set(wanted)),
    )


def _report_changes(report: Report, branch: str, base: str | None, changes: SiteChanges) -> None:
    tip = f"{branch} {base[:10]}" if base else f"a new {branch} branch"
    report(f"dry run: compared with {tip}: {changes.summary()}; nothing committed")
    for mark, paths in (("+", changes.added), ("~", changes.changed), ("-", changes.removed)):
        for path in paths:
            report(f"  {mark} {path}")


def _commit(git: Git, site: Path, cname: str | None, options: DeployOptions, base: str | None, built_from: str) -> str:
    _require_identity(git)
    message = options.message or f"Publish site built from {built_from}"
    try:
        with contextlib.chdir(git.directory):  # ghp-import runs git in the current directory
            ghp_import.ghp_import(
                str(site),
                mesg=message,
                remote=options.remote,
                branch=options.branch,
                nojekyll=True,
                cname=cname,
                push=False,
            )
    except ghp_import.GhpError as error:
        raise DeployError(f"git refused the commit: {error.message}") from error
    except TypeError as error:  # ghp-import reports a failed fast-import by writing bytes to stdout
        raise DeployError("git fast-import failed; nothing was published") from error
    commit = git.commit_of(f"refs/heads/{options.branch}")
    parent = git.commit_of(f"{commit}^") if commit else None
    if commit is None or commit == base or parent != base:
        raise DeployError("git fast-import did not create the commit; nothing was published")
    return commit


def _require_identity(git: Git) -> None:
    for variable, key in (("GIT_COMMITTER_NAME", "user.name"), ("GIT_COMMITTER_EMAIL", "user.email")):
        if not (os.environ.get(variable) or git.out("config", key, check=False)):
            raise DeployError(f"refusing to deploy: git does not know who you are; set it with `git config {key} ...`")


def _push(git: Git, options: DeployOptions, commit: str | None) -> bool:
    if commit is None:
        return False
    arguments = [
        "push",
        *(["--force"] if options.force else []),
        options.remote,
        f"{commit}:refs/heads/{options.branch}",
    ]
    process = git.run(*arguments, check=False)
    if process.returncode != 0:
        raise DeployError(
            f"git push to {options.remote} failed: {last_line(process.stderr)} "
            f"(the commit is on your local {options.branch})"
        )
    return "Everything up-to-date" not in process.stderr


# --- command line -----------------------------------------------------------------------------
