"""The options every site-building command shares (build, serve): argparse flags -> BuildOptions."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.build import BuildOptions


def add_build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", "-s", type=Path, default=Path("."), help="site source folder (default: .)")
    parser.add_argument("--destination", "-d", type=Path, default=None, help="output folder (default: _site)")
    parser.add_argument("--config", type=Path, default=None, help="config file (default: <source>/_config.yml)")
    parser.add_argument("--drafts", action="store_true", help="include _drafts/ (dated now)")
    parser.add_argument("--future", action="store_true", help="include posts dated in the future")
    parser.add_argument("--unpublished", action="store_true", help="include documents with published: false")
    parser.add_argument("--baseurl", default=None, help="override the config's baseurl, e.g. /repo")
    parser.add_argument(
        "--safe", action="store_true", help="build an untrusted tree: load no plugins (also `safe: true`)"
    )


def build_options(args: argparse.Namespace, whole_site: bool = True) -> BuildOptions:
    """`whole_site=False`: the command reads only counts of the built site (build.py)."""
    return BuildOptions(
        source=args.source,
        destination=args.destination,
        config_file=args.config,
        drafts=args.drafts,
        future=args.future,
        unpublished=args.unpublished,
        baseurl=args.baseurl,
        force=getattr(args, "force", False),
        safe=args.safe,
        quiet=args.quiet,
        whole_site=whole_site,
    )
