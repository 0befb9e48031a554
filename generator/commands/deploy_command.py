"""`blog deploy`: its flags, and calling the publisher (generator/publish/deploy.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.publish.deploy import DeployOptions, deploy
from generator.publish.workflow import write_pages_workflow


def configure_deploy_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the site's sources, inside a git repository (default: .)",
    )
    parser.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    parser.add_argument("--branch", default="gh-pages", help="branch to publish on (default: gh-pages)")
    parser.add_argument("-m", "--message", default=None, help="commit message on the publishing branch")
    parser.add_argument(
        "--dry-run", action="store_true", help="build and check, list files added/changed/removed; commit nothing"
    )
    parser.add_argument("--no-push", dest="push", action="store_false", help="commit on the local branch only")
    parser.add_argument(
        "--force",
        action="store_true",
        help="push even if the remote branch has commits you lack (they are lost), or write to a branch "
        "checked out elsewhere or holding site sources; with --workflow, overwrite an existing workflow file",
    )
    parser.add_argument(
        "--allow-dirty",
        action="store_true",
        help="publish the working tree, uncommitted and untracked files included (default: build HEAD)",
    )
    parser.add_argument(
        "--workflow",
        action="store_true",
        help="instead of publishing, write .github/workflows/pages.yml (build and deploy on GitHub Actions)",
    )


def run_deploy_command(args: argparse.Namespace) -> int:
    """`blog deploy`; a refusal raises DeployError, which the CLI prints as one line (exit 1)."""
    if args.workflow:
        path = write_pages_workflow(Path(args.source), force=args.force)
        print(f"wrote {path}; in the repository's Settings > Pages, set Source to GitHub Actions")
        return 0
    deploy(
        DeployOptions(
            source=Path(args.source),
            remote=args.remote,
            branch=args.branch,
            message=args.message,
            dry_run=args.dry_run,
            push=args.push,
            force=args.force,
            allow_dirty=args.allow_dirty,
        )
    )
    return 0
