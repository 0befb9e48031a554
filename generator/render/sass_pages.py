"""Sass pages, as Jekyll converts them (jekyll-sass-converter): a `.scss` or `.sass` file that starts
with front matter becomes the `.css` file of the same name (Liquid in it runs first); partials live
in the sass folder (`sass: sass_dir:`, default `_sass`) and the gem theme's `_sass`, and are never
published. libsass compiles, the same C library Jekyll's sassc wraps, so the CSS is the same.

Confinement: libsass never opens a file itself. Every `@import` goes through `_Importer`, which
resolves it inside those folders and the `sass: load_paths:` folders of the site only (a partial
beside the importing partial first, as Sass does) and refuses anything that would leave them
(`../../x`, an absolute path, a link out), with the importing file's line. Any Sass error is one
`path:line: message` line."""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import ContentError

SASS_EXTENSIONS = (".scss", ".sass")
# `on line 3:7 of stdin` / `of _sass/_x.scss`: where libsass says the error is (first one: innermost).
ERROR_PLACE = re.compile(r"on line (\d+)(?::\d+)? of (.+?)\n")
PLAIN_CSS_IMPORT = re.compile(r"^(?:https?:)?//|\.css$")
PARTIAL_SUFFIXES = (".scss", ".sass", ".css")


def is_sass(relative: str) -> bool:
    return relative.lower().endswith(SASS_EXTENSIONS)


@dataclass(frozen=True)
class SassSettings:
    site: Path  # the site's root: sass files in it are named relative to it in messages
    roots: tuple[Path, ...]  # where partials may come from: the sass folder, the theme's _sass
    style: str


def settings_for(site: Path, values: dict, theme: Path | None) -> SassSettings:
    """The partial folders in jekyll-sass-converter's order: `sass: load_paths:` (globs from the
    site root), the sass folder, the theme's `_sass`. A load path or sass folder that resolves
    outside the site (a link out) is dropped, as Jekyll's safe mode sanitises it: imports stay inside
    the site (and the installed theme)."""
    options = values.get("sass") or {}
    inside = site.resolve()
    roots: list[Path] = []
    for pattern in options.get("load_paths") or []:
        for match in sorted(glob.glob(str(pattern), root_dir=inside)):
            folder = (inside / match).resolve()
            if folder.is_relative_to(inside) and folder.is_dir() and folder not in roots:
                roots.append(folder)
    folder = (site / str(options.get("sass_dir") or "_sass")).resolve()
    if folder.is_relative_to(inside) and folder not in roots:  # a sass folder linked out of the site: not read
        roots.append(folder)
    roots += [(theme / "_sass").resolve()] if theme is not None else []
    return SassSettings(inside, tuple(roots), str(options.get("style") or "compact"))


@dataclass
class _Importer:
    settings: SassSettings
    page: str  # the page's site-relative path: what libsass calls `stdin`
    refused: list[ContentError] = field(default_factory=list)
    source: str = ""  # the page's text, lines as in its file

    def __call__(self, path: str, prev: str) -> list[tuple[str, str]]:
        found = self._resolve(path, prev)
        if found is not None:
            return [(str(found), found.read_text("utf-8", errors="replace"))]
        if PLAIN_CSS_IMPORT.search(path):  # not a partial: left to the browser, as Sass does
            return [(path, f'@import url("{path}");')]
        folders = [self._shown(root) + "/" for root in self.settings.roots]
        line = _import_line(self._text_of(prev), path)
        if path.startswith(("/", "~")) or ".." in path.replace("\\", "/").split("/"):
            why = f"leaves the Sass folders (imports are confined to {' and '.join(folders)})"
        else:
            why = f"is not a partial in {' or '.join(folders)}"
        error = ContentError(f'@import "{path}" {why}; put the partial there', self._shown_prev(prev), line)
        self.refused.append(error)
        raise LookupError(error.message)  # libsass stops; compile() reports `error` instead

    def _resolve(self, path: str, prev: str) -> Path | None:
        wanted = Path(path)
        if wanted.is_absolute() or path.startswith("~"):
            return None
        here = Path(prev).parent if os.path.isabs(prev) else None
        folders = ([here] if here is not None else []) + list(self.settings.roots)
        for folder in folders:
            root = next((r for r in self.settings.roots if folder.is_relative_to(r)), None)
            if root is None:
                continue
            for candidate in _candidates(folder / wanted):
                resolved = candidate.resolve()
                if resolved.is_relative_to(root) and resolved.is_file():  # links out of the root: refused
                    return resolved
        return None

    def _shown(self, path: Path) -> str:
        return path.relative_to(self.settings.site).as_posix() if path.is_relative_to(self.settings.site) else str(path)

    def _shown_prev(self, prev: str) -> str:
        return self._shown(Path(prev)) if os.path.isabs(prev) else self.page

    def _text_of(self, prev: str) -> str:
        return Path(prev).read_text("utf-8", errors="replace") if os.path.isabs(prev) else self.source


def _candidates(target: Path) -> list[Path]:
    """Sass's lookup for `@import "a/b"`: a/b.scss, a/_b.scss, a/b.sass, …, a/b/index.scss, a/b/_index.scss."""
    if target.suffix in PARTIAL_SUFFIXES:
        return [target, target.with_name("_" + target.name)]
    names = [target.with_name(target.name + s) for s in PARTIAL_SUFFIXES]
    names += [target.with_name("_" + target.name + s) for s in PARTIAL_SUFFIXES]
    return names + [target / "index.scss", target / "_index.scss"]


def _import_line(text: str, path: str) -> int | None:
    """The line of the `@import` naming `path` (libsass does not give it to importers)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if path in line and ("@import" in line or line.strip().startswith(("'", '"'))):
            return number
    return None


def compile_page(text: str, relative: str, first_line: int, settings: SassSettings) -> str:
    """The CSS of a Sass page's body (after Liquid) that starts at `first_line` of `relative`."""
    import sass  # libsass (~5 ms to load): only when a Sass page is compiled, not on every build

    importer = _Importer(settings, relative)
    importer.source = "\n" * (first_line - 1) + text  # lines as in the file, for messages
    try:
        return sass.compile(
            string=importer.source,
            importers=[(0, importer)],
            output_style=settings.style,
            indented=relative.lower().endswith(".sass"),
            include_paths=[],
        )
    except sass.CompileError as e:
        if importer.refused:
            raise importer.refused[0] from None
        raise _located(str(e), relative, importer) from None


def _located(message: str, relative: str, importer: _Importer) -> ContentError:
    """libsass's multi-line report -> `path:line: message` (`stdin` is the page itself)."""
    first = message.split("\n", 1)[0].removeprefix("Error: ").strip()
    place = ERROR_PLACE.search(message)
    if place is None:
        return ContentError(f"Sass: {first}", relative, None)
    line, name = int(place[1]), place[2]
    if name == "stdin":
        return ContentError(f"Sass: {first}", relative, line)
    path = Path(os.path.normpath(Path.cwd() / name))  # libsass names files relative to the working folder
    return ContentError(f"Sass: {first}", importer._shown(path), line)
