"""Is this folder a site? Asked before `blog build`, `serve` and `new` touch anything, so running
one of them in the wrong folder stops with one line instead of silently creating `_site/`,
`.blog-cache/` or `_posts/` there.

Jekyll's rule, roughly: a site has a `_config.yml`, or a `_posts/` folder, or at least one page
with front matter (a lone `index.md` starting with `---` is a site). Folders only a site has
(`_layouts/`, `_includes/`, `_data/`, `_drafts/`, a `demos/<name>/demo.yml`) count as well: a
folder holding them was meant to be built, and its real problems are worth reporting.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.errors import ConfigError

# Folders never searched for pages: output, caches, dependencies and version control.
SKIPPED_FOLDERS = {"_site", ".blog-cache", "node_modules", "__pycache__", ".git", ".venv", "venv"}
PAGE_SUFFIXES = {".md", ".markdown", ".html", ".htm", ".xml", ".txt", ".css", ".js", ".json"}


def has_page_with_front_matter(source: Path) -> bool:
    for folder, subfolders, names in os.walk(source):
        subfolders[:] = [d for d in subfolders if d not in SKIPPED_FOLDERS and not d.startswith(".")]
        for name in names:
            if Path(name).suffix.lower() not in PAGE_SUFFIXES:
                continue
            try:
                with open(Path(folder) / name, "rb") as handle:
                    first_line = handle.readline(64).removeprefix(b"\xef\xbb\xbf")
            except OSError:
                continue
            if first_line.rstrip() == b"---":
                return True
    return False


SITE_FOLDERS = ("_posts", "_drafts", "_layouts", "_includes", "_data")


def is_site(source: Path) -> bool:
    return (
        (source / "_config.yml").is_file()
        or any((source / name).is_dir() for name in SITE_FOLDERS)
        or any(source.glob("demos/*/demo.yml"))
        or has_page_with_front_matter(source)
    )


def require_site(source: Path, config_file: Path | None = None) -> None:
    """Raise a one-line ConfigError unless `source` is a site (an explicit --config counts)."""
    if not source.is_dir():
        what = "is not a folder" if source.exists() else "does not exist"
        # No path argument: the CLI would print it relative to --source itself ("nope/nope").
        raise ConfigError(f"{source}: {what}; check --source, or create a site there with `blog init {source}`")
    if config_file is not None and config_file.is_file():
        return
    if not is_site(source):
        shown = "this folder" if source == Path(".") else str(source)
        raise ConfigError(
            f"{shown} is not a site (no _config.yml, no _posts/, no page with front matter); "
            "run blog in your site's folder, or make one with `blog init DIR`"
        )
