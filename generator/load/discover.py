"""Walk the source tree and classify every file, Jekyll style: `_posts`, `_drafts`, `_layouts`,
`_includes`, `_data`, `demos/`, pages (files with front matter) and static files (the rest)."""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from collections import defaultdict
from pathlib import Path

from generator.config import Config
from generator.errors import ContentError
from generator.frontmatter import has_front_matter
from generator.load.collections import container, special_folders
from generator.model import Source, SourceKind

SPECIAL_FOLDERS: dict[str, SourceKind] = {
    "_posts": "post",
    "_drafts": "draft",
    "_layouts": "layout",
    "_includes": "include",
    "_data": "data",
}
DEMOS_FOLDER = "demos"
# Editor swap, backup and "safe write" temp files (vim, emacs, JetBrains, gedit, kate, macOS,
# browsers): never content, and never a reason for `blog serve` to rebuild.
EDITOR_TEMP_FILES = (
    "*.swp",
    "*.swx",
    "*.swo",
    "*~",
    ".#*",
    "#*#",
    "4913",
    "*.tmp",
    ".DS_Store",
    "*___jb_tmp___",
    "*___jb_old___",
    ".goutputstream-*",
    "*.kate-swp",
    "*.crdownload",
)


def is_excluded(relative: str, config: Config) -> bool:
    """`exclude:` entries are paths from the site root or glob patterns over them (as in Jekyll):
    `tests` covers `tests/…` but not `docs/tests/…`; `*.log` covers every log file."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in config.excluded_patterns():
        pattern = pattern.strip("/")
        if pattern and any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes):
            return True
    return is_editor_temp_file(relative.rsplit("/", 1)[-1])


def is_included(relative: str, config: Config) -> bool:
    """`include:` entries match the path, any folder above it, or the file name."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch.fnmatch(candidate, pattern.strip("/"))
        for pattern in config.get("include", [])
        for candidate in [*prefixes, parts[-1]]
    )


def root_folders(config: Config) -> dict[str, SourceKind]:
    """The special folders at the site root. With `collections_dir:` set, Jekyll reads posts and
    drafts only from `<collections_dir>/_posts` and `_drafts`: a root `_posts/` is then just an
    underscore folder, left out (checked against Jekyll 4.3.1)."""
    if not container(config):
        return SPECIAL_FOLDERS
    return {name: kind for name, kind in SPECIAL_FOLDERS.items() if kind not in ("post", "draft")}


def _in_folder(relative: str, config: Config) -> SourceKind | None:
    """The kind of the configured folder (`_posts`, a collection's `_<label>` …) holding `relative`."""
    for folder, kind in special_folders(config).items():
        if relative.startswith(folder + "/"):
            return kind
    return None


def left_out(relative: str, config: Config) -> bool:
    """Hidden or excluded, outside the special folders: never read, so never checked either."""
    parts = relative.split("/")
    if parts[0] in root_folders(config) or (parts[0] == DEMOS_FOLDER and len(parts) > 1):
        return False
    if _in_folder(relative, config) is not None:
        return False
    # `include:` wins over hidden names and excludes (the destination, cache and VCS folders are
    # pruned before this, whatever `include:` says).
    hidden = any(part.startswith((".", "_")) for part in parts)
    return (hidden or is_excluded(relative, config)) and not is_included(relative, config)


def classify(relative: str, path: Path, config: Config) -> SourceKind | None:
    parts = relative.split("/")
    in_folder = _in_folder(relative, config)
    special = in_folder or root_folders(config).get(parts[0])
    if special:
        return special
    if parts[0] == DEMOS_FOLDER and len(parts) > 1:
        return "demo"
    if left_out(relative, config):
        return None
    with path.open("rb") as handle:
        head = handle.read(8)
    return "page" if has_front_matter(head + b"\n") else "static"


def discover(config: Config) -> dict[SourceKind, list[Source]]:
    """Every source file by kind, in a stable (sorted) order so builds are deterministic.
    Raises ContentError for what cannot be a source: a name that is not UTF-8, a symbolic link
    loop, or something that is not a regular file (a FIFO would block the build forever)."""
    found: dict[SourceKind, list[Source]] = defaultdict(list)
    root = config.source
    destination = config.destination
    # Folder symlinks are never followed (os.walk's default), so a loop cannot make the walk endless.
    for folder, dirnames, filenames in os.walk(root):
        here = Path(folder)
        # Prune in place: never descend into the output, caches or VCS folders.
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not _pruned(here / name, root, config) and _safe_resolve(here / name, root) != destination
        )
        for name in dirnames:
            _check_name(here / name, root)
            _check_folder_link(here / name, root)
        # Per folder, not per file: its site-relative name, and the kind every file in it has when
        # it is (inside) a special folder, `_posts/` say (then neither left_out nor classify looks
        # at the file's own name: a thousand posts were a thousand walks over the folder settings).
        prefix = "" if here == root else here.relative_to(root).as_posix() + "/"
        folder_kind = _folder_kind(prefix, config) if prefix else None
        for name in sorted(filenames):
            path = here / name
            relative = prefix + name
            if folder_kind is None and left_out(relative, config):
                continue
            _check_name(path, root)
            link = _is_link_or_odd(path)  # (one lstat for a plain file, the common case)
            if link and not _is_regular_file(path, root):
                continue
            if link and path.is_symlink() and not _safe_resolve(path, root).is_relative_to(root):
                continue  # a link out of the source tree is never published
            kind = folder_kind or classify(relative, path, config)
            if kind is not None and not (kind != "static" and is_editor_temp_file(name)):
                found[kind].append(Source(path, relative, kind))
    return found


def _folder_kind(prefix: str, config: Config) -> SourceKind | None:
    """What classify() says of every file directly in the folder `prefix` (site-relative, ending
    in "/") when that does not depend on the file's name: the folder is (inside) a special one.
    Whether `relative` starts with a special folder + "/" depends only on its folder, since a file
    name holds no "/"; the root folder's special names are its first part, the same for all."""
    return _in_folder(prefix + "_", config) or root_folders(config).get(prefix.split("/", 1)[0])


def _shown(path: Path, root: Path) -> str:
    """The path as the user would type it; undecodable bytes as \\xNN escapes, never a crash."""
    relative = os.fsencode(path.relative_to(root).as_posix())
    return relative.decode("utf-8", "backslashreplace")


def _check_name(path: Path, root: Path) -> None:
    try:
        os.fsencode(path.name).decode("utf-8")
    except UnicodeDecodeError as e:
        raise ContentError(
            f"the name {os.fsencode(path.name)!r} is not valid UTF-8, so it cannot become a URL; rename it",
            _shown(path, root),
        ) from e


def _safe_resolve(path: Path, root: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError) as e:  # RuntimeError: Python 3.11's "Symlink loop"
        raise ContentError("symbolic link loop; remove the link or point it at a real file", _shown(path, root)) from e


def _is_link_or_odd(path: Path) -> bool:
    """False for a plain regular file (no link): nothing more to check about it."""
    try:
        return not stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return True  # gone or unreadable: the full checks say what to do


def _is_regular_file(path: Path, root: Path) -> bool:
    """Follows links. Broken links are skipped (editors leave them); loops and special files are errors."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise ContentError(
                "symbolic link loop; remove the link or point it at a real file", _shown(path, root)
            ) from e
        raise ContentError(f"cannot read file: {e.strerror}", _shown(path, root)) from e
    if stat.S_ISREG(mode):
        return True
    raise ContentError(
        "not a regular file (a FIFO, socket or device); remove it or add it to `exclude:`", _shown(path, root)
    )


def _check_folder_link(path: Path, root: Path) -> None:
    """A folder link to one of its own ancestors is a loop for every tool that follows links
    (rsync, watchers, a later `followlinks`); say so instead of silently leaving it out."""
    if path.is_symlink() and path.parent.resolve().is_relative_to(_safe_resolve(path, root)):
        raise ContentError(
            "symbolic link to a folder that contains it (a loop); remove it or add it to `exclude:`",
            _shown(path, root),
        )


LITTER = re.compile("|".join(fnmatch.translate(pattern) for pattern in EDITOR_TEMP_FILES))


def is_editor_temp_file(name: str) -> bool:
    return LITTER.match(name) is not None


def _pruned(path: Path, root: Path, config: Config) -> bool:
    relative = path.relative_to(root).as_posix()
    name = path.name
    if name in (".git", ".hg", ".svn", ".blog-cache", "__pycache__", "node_modules"):
        return True
    if name in root_folders(config) and path.parent == root:
        return False
    if any(folder == relative or folder.startswith(relative + "/") for folder in special_folders(config)):
        return False  # a collection's folder, or `collections_dir` on the way to one
    if relative.split("/")[0] == DEMOS_FOLDER:
        return False
    if not (name.startswith((".", "_")) or is_excluded(relative, config)):
        return False
    return not _inside_included(relative, config)


def _inside_included(folder: str, config: Config) -> bool:
    """Whether `include:` names this folder, something above it, or something inside it."""
    return is_included(folder, config) or any(
        pattern.strip("/").startswith(folder + "/") for pattern in config.get("include", [])
    )
