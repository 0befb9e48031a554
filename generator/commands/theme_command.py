"""`blog theme list` and `blog theme eject [FILE…]`: show the packaged theme's files and copy
them into the site, where they override the theme (generator/load/theme.py) and can be edited."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from generator.errors import GeneratorError
from generator.load.theme import THEME_ROOT, theme_file, theme_files


def configure_theme_parser(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="theme_action", metavar="ACTION", required=True)
    actions.add_parser("list", help="list the theme's files (a site file of the same path overrides one)")
    eject = actions.add_parser("eject", help="copy theme files into the site to edit them")
    eject.add_argument("files", nargs="*", metavar="FILE", help="e.g. _layouts/post.html (default: every file)")
    eject.add_argument("--force", action="store_true", help="overwrite the site's own file of that path")
    for sub in (parser, *actions.choices.values()):
        sub.add_argument("--source", "-s", type=Path, default=Path("."), help="site source folder (default: .)")


def eject(source: Path, names: list[str], force: bool = False) -> list[Path]:
    """Copy the named theme files (all when `names` is empty) into `source`; return what was written.
    Every name is checked before anything is copied, so a typo copies nothing."""
    wanted = names or theme_files()
    known = ", ".join(theme_files())
    plan: list[tuple[Path, Path]] = []
    for name in wanted:
        relative = name.replace("\\", "/").removeprefix("./")
        found = theme_file(relative)
        if found is None:
            raise GeneratorError(f"the theme has no file {name!r}; it has: {known}")
        # The theme's own name for the file, not the one typed: `_layouts/../../x` cannot reach
        # outside the site.
        relative = found.relative_to(THEME_ROOT).as_posix()
        target = source / relative
        if target.exists() and not force:
            if names:  # asked for by name: say why nothing happened
                raise GeneratorError(
                    "already in the site (it overrides the theme); pass --force to replace it", relative
                )
            continue
        plan.append((found, target))
    written = []
    for found, target in plan:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(found, target)
        except OSError as e:
            raise GeneratorError(f"cannot copy the theme file: {e.strerror}", target) from e
        written.append(target)
    return written


def run_theme_command(args: argparse.Namespace) -> int:
    if args.theme_action == "list":
        for name in theme_files():
            mark = "  (overridden by the site)" if (args.source / name).is_file() else ""
            print(f"{name}{mark}")
        return 0
    from generator.load.sitecheck import require_site

    require_site(args.source)
    written = eject(args.source, args.files, args.force)
    for path in written:
        print(f"copied {path}")
    if not written:
        print("nothing copied: the site already has every theme file")
    return 0
