"""The default theme shipped inside the generator (as Jekyll's gem themes and Hugo's theme
components): layouts, includes and static assets under `generator/theme/`. A site's own file of
the same relative path (`_layouts/post.html`, `_includes/head.html`, `assets/css/main.css`)
overrides the theme's; everything else the theme provides is used as if it were in the site.

A Jekyll (Liquid) site gets no packaged theme; its `theme:` names a gem-based theme instead
(`theme: minima`), found where Jekyll finds it (rubygems' gem folders; Debian ships
jekyll-theme-minima in /usr/share/rubygems-integration/all/gems). Its `_layouts`, `_includes`,
`_sass` and `assets` are used as Jekyll uses them, the site's own files first. Theme files are
only read, never written, and run under the same Liquid limits as the site's."""

from __future__ import annotations

import functools
import glob
import os
import re
import shutil
from pathlib import Path

from generator.config import Config
from generator.errors import GeneratorError
from generator.frontmatter import has_front_matter, key_line
from generator.load.content import merged_meta, read_source
from generator.load.discover import discover
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


# -- gem-based themes (Jekyll sites) ----------------------------------------------------------------
GEM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")  # a gem name: never a path (`../x`)
GEM_VERSION = re.compile(r"(\d+(?:\.\d+)*)")
# Where rubygems keeps gems when GEM_HOME/GEM_PATH do not say (`ruby -e 'puts Gem.path'` on Debian,
# plus the usual user and /usr/local installs); `*` is the Ruby ABI version.
GEM_FOLDERS = (
    "~/.gem/ruby/*/gems",
    "~/.local/share/gem/ruby/*/gems",
    "/var/lib/gems/*/gems",
    "/usr/local/lib/ruby/gems/*/gems",
    "/usr/lib/ruby/gems/*/gems",
    "/usr/lib/*/ruby/gems/*/gems",
    "/usr/share/rubygems-integration/*/gems",
    "/usr/lib/*/rubygems-integration/*/gems",
)
GEM_THEME_FOLDERS: dict[str, SourceKind] = {
    "_layouts": "layout",
    "_includes": "include",
    "assets": "static",
    "_data": "data",  # Jekyll 4.3 reads a theme's data and deep-merges the site's over it (load/data.py)
}
_found_gems: dict[str, Path] = {}


def _version(folder: Path, name: str) -> tuple[int, ...]:
    match = GEM_VERSION.match(folder.name[len(name) + 1 :])
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def gem_dir(name: str) -> Path | None:
    """The installed gem's folder, as `Gem::Specification.find_by_name(name).gem_dir` gives it: the
    newest version in the gem folders rubygems searches (read directly: fast, no Ruby needed), else
    Ruby itself when it is installed (rbenv, rvm, bundler paths). Found gems are remembered for the
    process (`blog serve` rebuilds); a missing one is looked for again next build."""
    if not GEM_NAME.fullmatch(name):
        return None
    if name in _found_gems:
        return _found_gems[name]
    roots = [Path(p) / "gems" for key in ("GEM_HOME", "GEM_PATH") for p in os.environ.get(key, "").split(":") if p]
    roots += [Path(p) for pattern in GEM_FOLDERS for p in sorted(glob.glob(os.path.expanduser(pattern)))]
    candidates = [
        folder
        for root in roots
        for folder in (root.glob(f"{glob.escape(name)}-*") if root.is_dir() else ())
        if folder.is_dir() and _version(folder, name)
    ]
    found = max(candidates, key=lambda folder: _version(folder, name), default=None) or _ask_ruby(name)
    if found is not None:
        _found_gems[name] = found.resolve()
    return _found_gems.get(name)


def _ask_ruby(name: str) -> Path | None:
    ruby = shutil.which("ruby")
    if ruby is None:
        return None
    script = "begin; print Gem::Specification.find_by_name(ARGV[0]).gem_dir; rescue Gem::MissingSpecError; end"
    import subprocess  # only for a gem theme not found on disk: every other build skips its ~3 ms import

    try:
        result = subprocess.run([ruby, "-e", script, name], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = Path(result.stdout.strip()) if result.returncode == 0 and result.stdout.strip() else None
    return path if path is not None and path.is_dir() else None


def gem_theme_root(name: object) -> Path | None:
    """The folder of the gem theme `theme:` names, or None (no theme, or not installed)."""
    return gem_dir(name) if isinstance(name, str) and name else None


def with_gem_theme(found: dict[SourceKind, list[Source]], root: Path) -> dict[SourceKind, list[Source]]:
    """Jekyll's rules for a theme gem: its layouts where the site has none of that name, its
    includes where the site has none at that path, its `assets/` files the site lacks — a page
    when it starts with front matter (`assets/main.scss`), else a static file — and all its `_data`
    files (merged under the site's by load_data)."""
    merged = {kind: list(sources) for kind, sources in found.items()}
    taken = {source.relative for sources in found.values() for source in sources}
    layout_names = {_stem(s.relative) for s in found.get("layout", [])}
    for folder, kind in GEM_THEME_FOLDERS.items():
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            resolved = path.resolve()
            if not path.is_file() or not resolved.is_relative_to(root):  # a link out of the gem: not theme data
                continue
            relative = path.relative_to(root).as_posix()
            if (relative in taken and kind != "data") or (kind == "layout" and _stem(relative) in layout_names):
                continue
            if kind == "static":
                with path.open("rb") as handle:
                    kind_here: SourceKind = "page" if has_front_matter(handle.read(8) + b"\n") else "static"
            else:
                kind_here = kind
            merged.setdefault(kind_here, []).append(Source(resolved, relative, kind_here))
    return merged


def _stem(relative: str) -> str:
    return relative.split("/", 1)[1].rsplit(".", 1)[0]


def theme_problem(config: Config) -> GeneratorError | None:
    """One message when `theme:` cannot be used: a Jinja site, or a gem that is not installed —
    then naming the layouts the site asks for and lacks (what Jekyll would have taken from the
    theme) and how to get them. The site is walked again only in that case."""
    name = config.get("theme")
    if not isinstance(name, str) or not name:
        return None
    path = config.config_file
    shown = path.name if path is not None else "_config.yml"
    line = key_line(path.read_text("utf-8", errors="replace"), "theme") if path is not None else None
    if config.get("template_engine") != "liquid":
        return GeneratorError(f"theme: {name!r} is a Jekyll gem theme, used by Liquid sites only", shown, line)
    if gem_dir(name) is not None:
        return None
    found = discover(config)
    have = {_stem(source.relative) for source in found.get("layout", [])}
    asked: set[str] = set()
    for source in [*found.get("post", []), *found.get("page", [])]:
        try:
            layout = merged_meta(source, read_source(source)[1].meta, config).get("layout")
        except (GeneratorError, OSError):
            continue  # reported where the document is loaded
        if isinstance(layout, str) and layout not in ("none", "null", ""):
            asked.add(layout)
    missing = ", ".join(sorted(asked - have)) or "none"
    return GeneratorError(
        f"theme: the gem theme {name!r} is not installed on this machine; layouts missing: {missing}; "
        f"install it (`gem install {name}`, or Debian's package jekyll-theme-{name}) "
        "or copy its _layouts/ and _includes/ into the site",
        shown,
        line,
    )
