"""Outputs to disk, safely: collisions are errors naming both sources; nothing is written until
the whole site rendered without error and every output path is proven inside the destination
(safepath.py); then only changed files are written, all or nothing (journal.py), and stale files
are removed: only files the marker says a build wrote, each proven inside again."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from generator.incremental.digested import digest_of
from generator.write import journal
from generator.errors import BuildFailed, ConfigError, GeneratorError, OutputCollisionError
from generator.write.safepath import JOURNAL, MARKER, RESERVED, STAGING, Containment, is_safe, problem
from generator.write.tree import StagedTree, tops
from generator.write.journal import read_manifest  # (build.py, serve and check read it from here)

# Source folders an output folder must never live in: a build there would mix output with content.
PROTECTED_FOLDERS = ("_posts", "_drafts", "_layouts", "_includes", "_data", "demos", "assets")


@dataclass(frozen=True)
class Output:
    url: str
    output_path: str  # relative to the destination, posix
    data: bytes | None  # None: the bytes are in `staged` (spool.py) or copied from `copy_from`
    origin: str  # the source that produced it (relative path) or "generated:<kind>"
    copy_from: Path | None = None  # a static file, copied byte for byte
    digest: str | None = None  # of the bytes in `staged`, taken when they were spooled
    staged: Path | None = None  # a rendered output's bytes on disk, not held in memory (spool.py)

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        if self.staged is not None:
            return self.staged.read_bytes()
        assert self.copy_from is not None
        return self.copy_from.read_bytes()


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    manifest: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # what is on disk now


def find_collisions(outputs: list[Output]) -> list[GeneratorError]:
    seen: dict[str, Output] = {}
    errors: list[GeneratorError] = []
    for output in outputs:
        key = output.output_path.lower() if os.path.normcase("A") == "a" else output.output_path
        first = seen.get(key)
        if first is None:
            seen[key] = output
        else:
            errors.append(
                OutputCollisionError(
                    f"{output.output_path} is written by both {first.origin} and {output.origin}; "
                    "change one permalink or remove one file",
                    output.origin,
                    1,
                )
            )
    return errors


def check_destination(source: Path, destination: Path, force: bool) -> None:
    """Refuse destinations where writing could destroy the user's own files."""
    source, destination = source.resolve(), destination.resolve()
    if destination == source or source.is_relative_to(destination):
        raise ConfigError(f"destination {destination} would contain the source folder; choose another --destination")
    relative = destination.relative_to(source).parts if destination.is_relative_to(source) else ()
    if relative and relative[0] in PROTECTED_FOLDERS:
        raise ConfigError(
            f"destination {destination} lies inside the source folder {relative[0]}/; choose another --destination"
        )
    if destination.exists() and not force:
        if not destination.is_dir():
            raise ConfigError(f"destination {destination} is a file; remove it or choose another --destination")
        ours = any((destination / name).exists() for name in (MARKER, JOURNAL, STAGING))
        if any(destination.iterdir()) and not ours:
            raise ConfigError(
                f"destination {destination} is not empty and was not made by `blog build`; "
                "empty it or pass --force to replace it"
            )


def write_site(
    outputs: list[Output],
    destination: Path,
    keep_files: list[str],
    marker: dict[str, object],
    manifest: dict[str, tuple[str, int, int]] | None = None,
    spooled: bool = False,
    unchanged: set[str] | frozenset[str] = frozenset(),
    tree: StagedTree | None = None,
) -> WriteReport:
    """Make `destination` hold exactly `outputs` (plus kept files), all or nothing (journal.py).
    Every path is proven inside the destination before the first byte is written; unchanged
    files are recognised by `manifest` (path -> sha, size, mtime_ns: what the previous build
    wrote, read from the marker when not kept in memory) without being read. `unchanged` (spool.py's
    memo, `blog serve`): outputs whose bytes are the very ones `manifest` describes; they are taken
    as they are, neither hashed nor stat'ed nor resolved again, since nothing is written to them.
    `tree`: the spool's staged tree, in a destination this build made (tree.py)."""
    destination.mkdir(parents=True, exist_ok=True)
    # `spooled`: the caller recovered before rendering and put rendered bytes in the staging folder
    # (spool.py), judged against `manifest`; recovering now would delete them.
    if not spooled and journal.recover(destination):
        manifest = None  # the disk changed under the caller's in-memory manifest
    guard = Containment(destination)
    if unchanged and manifest is None:
        unchanged = frozenset()  # (only meaningful against the manifest they were judged by)
    kept = {entry.strip("/") for entry in keep_files if entry.strip("/")}
    known_manifest = manifest is not None
    if manifest is None and not spooled:  # (a spooling caller read it already)
        manifest = read_manifest(destination)
        known_manifest = manifest is not None
    report = WriteReport()
    new_manifest: dict[str, tuple[str, int, int]] = {}
    changed: list[tuple[Output, str]] = []
    root = os.fspath(destination)
    for output in outputs:
        if output.output_path in unchanged:
            new_manifest[output.output_path] = (manifest or {})[output.output_path]
            report.unchanged += 1
            continue
        digest = _digest(output)
        known = (manifest or {}).get(output.output_path)
        if known and known[0] == digest and _stat_key(os.path.join(root, output.output_path)) == known[1:]:
            new_manifest[output.output_path] = known
            report.unchanged += 1
        elif known and output.staged is not None and output.staged == destination / output.output_path:
            raise GeneratorError(  # another process changed it since it was found unchanged
                f"{output.output_path} changed on disk during the build; build again", destination
            )
        else:
            changed.append((output, digest))
    # Every path that will be written is proven inside, before the first byte is written. Only
    # those: an unchanged output is not written (its bytes and stat match the manifest), and
    # proving it would cost a Path and an lstat per folder on every no-op (≈ 30 ms at 1,000 posts).
    unsafe = [o for o, _ in changed if not guard.inside(o.output_path)]
    if unsafe:  # build() reports bad names with their source lines; this is the last line of defence
        raise BuildFailed(list({str(e): e for e in (unsafe_output_error(o, destination) for o in unsafe)}.values()))
    wanted = {o.output_path for o in outputs}
    if known_manifest:
        # The previous build's manifest says exactly what it wrote: no need to walk the whole tree.
        stale = sorted(p for p in set(manifest or {}) - wanted if not _under_any(p, kept) and guard.inside(p))
    else:
        stale = _stale_files(destination, wanted, kept)
    staged, placed = _stage(destination, changed, new_manifest, tree) if changed else ([], [])
    marker = {
        **marker,
        "marker_version": journal.MARKER_VERSION,
        "files": {path: list(entry) for path, entry in sorted(new_manifest.items())},
    }
    if staged or stale or placed:
        journal.commit(destination, staged, stale, marker, guard, tops(placed))
    else:
        journal.write_json(destination, MARKER, marker)
        shutil.rmtree(destination / STAGING, ignore_errors=True)
    report.written = sorted([path for _, path in staged] + placed) if placed else [path for _, path in staged]
    report.removed = [path for path in stale if not path.endswith("/")]
    report.manifest = new_manifest
    return report


def _stage(
    destination: Path,
    changed: list[tuple[Output, str]],
    new_manifest: dict[str, tuple[str, int, int]],
    tree: StagedTree | None = None,
) -> tuple[list[tuple[str, str]], list[str]]:
    """Write every changed file under a numbered name in the staging folder, or at its place in the
    staged tree (tree.py): (number, output path) pairs to rename and paths in the tree. Nothing
    the site serves changes. A rename keeps size and mtime: the manifest entry is known already."""
    staging = destination / STAGING
    staging.mkdir(exist_ok=True)  # it may hold spooled renders already (spool.py)
    staged: list[tuple[str, str]] = []
    placed: list[str] = []
    names = {o.output_path: _name_in(o.staged, os.fspath(staging)) for o, _ in changed}  # (str: no Path)
    taken = set(names.values())
    number = spooled = 0
    try:
        for output, digest in changed:
            path, temporary = output.output_path, None
            in_tree = tree is not None and tree.holds(output.staged, path)
            if in_tree or names[path]:
                temporary, spooled = output.staged, spooled + 1  # spooled while rendering: nothing to copy
            elif tree is not None:
                copy = output.data is None and output.copy_from is not None
                temporary = tree.place(path, None if copy else output.read(), output.copy_from if copy else None)
                in_tree = temporary is not None
            if temporary is None:
                while str(number) in taken:
                    number += 1
                temporary = staging / str(number)
                number += 1
                if output.data is None and output.copy_from is not None:
                    shutil.copyfile(output.copy_from, temporary)  # sendfile(2): in the kernel
                else:
                    temporary.write_bytes(output.read())
            stat = temporary.stat()
            new_manifest[path] = (digest, stat.st_size, stat.st_mtime_ns)
            if in_tree:
                placed.append(path)
            else:
                staged.append((temporary.name, path))
        if tree is not None and spooled != tree.spooled:  # something spooled and not listed: never moved in
            tree.strays(set(placed))
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise GeneratorError(
            f"cannot write {output.output_path}: {e.strerror or e}; nothing in the site was changed", destination
        ) from e
    return staged, placed


def _name_in(staged: Path | None, staging: str) -> str:
    """`staged`'s name if it is a file right in the `staging` folder, else ""."""
    folder, _, name = os.fspath(staged).rpartition(os.sep) if staged is not None else ("", "", "")
    return name if folder == staging else ""


def unsafe_output_error(output: Output, destination: Path) -> GeneratorError:
    unsafe = problem(output.output_path)
    if unsafe is not None:
        return GeneratorError(
            f"output path {output.output_path} is refused ({unsafe.reason}); {unsafe.fix}", output.origin, 1
        )
    folder = destination / output.output_path.rpartition("/")[0]
    while folder != destination and folder.parent != destination and not folder.is_symlink():
        folder = folder.parent
    return GeneratorError(
        "this folder of the destination leads outside it (a symbolic link); remove it and build again", folder
    )


def _digest(output: Output) -> str:
    if output.digest is not None:
        return output.digest
    if output.data is None and output.copy_from is not None:
        # Static files: the source's identity and stat stand in for reading every image each build.
        source = os.fspath(output.copy_from)
        stat = os.stat(source)
        key = (source, stat.st_size, stat.st_mtime_ns)
        digest = _COPY_DIGESTS.get(key)
        if digest is None:
            digest = "copy:" + hashlib.sha256(f"{source}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:24]
            if len(_COPY_DIGESTS) >= _COPY_DIGESTS_HELD:
                _COPY_DIGESTS.clear()
            _COPY_DIGESTS[key] = digest
        return digest
    return digest_of(output.read())


# (source path, size, mtime_ns) -> its "copy:" digest: every build looks at every static file
# (`blog serve` on every edit: this blog has ≈ 470), and the digest is a function of these alone.
_COPY_DIGESTS: dict[tuple[str, int, int], str] = {}
_COPY_DIGESTS_HELD = 50_000


def stat_key(path: Path | str) -> tuple[int, int]:
    return _stat_key(os.fspath(path))


def _stat_key(path: str) -> tuple[int, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)


def _stale_files(destination: Path, wanted: set[str], kept: set[str]) -> list[str]:
    """Without a manifest: every file in the destination that is neither wanted nor kept nor our
    bookkeeping, then every folder left empty (with a trailing slash), deepest first. The walk
    does not follow symbolic links, so nothing it lists lies outside."""
    stale: list[str] = []
    empty_after: list[str] = []
    for folder, subfolders, filenames in os.walk(destination, topdown=True):
        relative_folder = os.path.relpath(folder, destination)
        prefix = "" if relative_folder == "." else relative_folder.replace(os.sep, "/") + "/"
        if not prefix:
            subfolders[:] = [name for name in subfolders if name not in RESERVED]
        subfolders[:] = [name for name in subfolders if not _under_any(prefix + name, kept)]
        files = [prefix + name for name in filenames if not (not prefix and name in RESERVED)]
        removed = [path for path in files if path not in wanted and not _under_any(path, kept) and is_safe(path)]
        stale.extend(removed)
        if prefix and len(removed) == len(files) and is_safe(prefix.rstrip("/")):
            empty_after.append(prefix)
    # Deepest first; a folder that still holds something is simply left (rmdir refuses).
    return sorted(stale) + sorted(empty_after, key=lambda p: -p.count("/"))


def _under_any(path: str, roots: set[str]) -> bool:
    return bool(path) and any(path == root or path.startswith(root + "/") for root in roots)
