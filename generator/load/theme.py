"""The default theme shipped inside the generator (as Jekyll's gem themes and Hugo's theme
components): layouts, includes and static assets under `generator/theme/`. A site's own file of
the same relative path (`_layouts/post.html`, `_includes/head.html`, `assets/css/main.css`)
overrides the theme's; everything else the theme provides is used as if it were in the site."""

from __future__ import annotations

import functools
from pathlib import Path

from generator.model import Source, SourceKind

# A real folder in both a checkout and an installed wheel (setuptools never zips packages).
THEME_ROOT = Path(__file__).resolve().parent.parent / "theme"
THEME_FOLDERS: dict[str, SourceKind] = {"_layouts": "layout", "_includes": "include", "assets": "static"}


@functools.cache  # the packaged theme does not change while a process runs: walk it once, not per build
def theme_files() -> tuple[str, ...]:
    """Every file of the theme as a site-relative path, sorted (what `blog theme eject` lists)."""
    return tuple(
        sorted(
            path.relative_to(THEME_ROOT).as_posix()
            for folder in THEME_FOLDERS
            for path in (THEME_ROOT / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        )
    )


def theme_file(relative: str) -> Path | None:
    """The theme's file at a site-relative path, if the theme has one."""
    path = (THEME_ROOT / relative.lstrip("/")).resolve()
    return path if path.is_relative_to(THEME_ROOT) and path.is_file() else None


def with_theme(found: dict[SourceKind, list[Source]]) -> dict[SourceKind, list[Source]]:
    """The site's sources plus the theme's files the site does not override (same relative path).
    Site files come first in each list, so a site layout of the same name always wins."""
    taken = {source.relative for sources in found.values() for source in sources}
    merged = {kind: list(sources) for kind, sources in found.items()}
    for relative in theme_files():
        if relative in taken:
            continue
        kind = THEME_FOLDERS[relative.split("/", 1)[0]]
        merged.setdefault(kind, []).append(Source(THEME_ROOT / relative, relative, kind))
    return merged
