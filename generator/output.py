"""Outputs to disk, safely: collisions are errors naming both sources; nothing is written until
the whole site rendered without error; then only changed files are rewritten, each atomically
(temp file + rename, so a reader never sees half a file), and stale files are removed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import ConfigError, GeneratorError, OutputCollisionError

MARKER = ".blog-build.json"
# Source folders an output folder must never live in: a build there would mix output with content.
PROTECTED_FOLDERS = ("_posts", "_drafts", "_layouts", "_includes", "_data", "demos", "assets")


@dataclass(frozen=True)
class Output:
    url: str
    output_path: str  # relative to the destination, posix
    data: bytes | None  # None: copy `copy_from` byte for byte
    origin: str  # the source that produced it (relative path) or "generated:<kind>"
    copy_from: Path | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
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
        if any(destination.iterdir()) and not (destination / MARKER).exists():
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
) -> WriteReport:
    """Write only what changed, each file atomically (temp file + rename), after the whole site was
    rendered without error; then delete stale files. `manifest` (path -> sha, size, mtime_ns) is
    what the previous build wrote; it is read from the marker when not kept in memory."""
    report = WriteReport()
    destination.mkdir(parents=True, exist_ok=True)
    known_manifest = manifest is not None
    if manifest is None:
        manifest = _read_manifest(destination)
    new_manifest: dict[str, tuple[str, int, int]] = {}
    made_folders: set[Path] = set()
    for output in outputs:
        target = destination / output.output_path
        digest = _digest(output)
        known = manifest.get(output.output_path)
        if known and known[0] == digest and _stat_key(target) == known[1:]:
            new_manifest[output.output_path] = known
            report.unchanged += 1
            continue
        if target.parent not in made_folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_folders.add(target.parent)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        if output.data is None and output.copy_from is not None:
            shutil.copyfile(output.copy_from, temporary)
        else:
            temporary.write_bytes(output.read())
        os.replace(temporary, target)
        new_manifest[output.output_path] = (digest, *_stat_key(target))
        report.written.append(output.output_path)
    if known_manifest:
        # The previous build's manifest says exactly what it wrote: no need to walk the whole tree.
        report.removed = _remove_listed(destination, sorted(set(manifest) - set(new_manifest)), keep_files)
    else:
        report.removed = _remove_stale(destination, set(new_manifest), keep_files)
    marker = {**marker, "files": {path: list(entry) for path, entry in sorted(new_manifest.items())}}
    (destination / MARKER).write_text(json.dumps(marker, indent=0, sort_keys=True), "utf-8")
    report.manifest = new_manifest
    return report


def _digest(output: Output) -> str:
    if output.data is None and output.copy_from is not None:
        # Static files: the source's identity and stat stand in for reading every image each build.
        stat = output.copy_from.stat()
        return (
            "copy:" + hashlib.sha256(f"{output.copy_from}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:24]
        )
    return hashlib.sha256(output.read()).hexdigest()[:24]


def _stat_key(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)


def _read_manifest(destination: Path) -> dict[str, tuple[str, int, int]]:
    try:
        files = json.loads((destination / MARKER).read_text("utf-8")).get("files", {})
        return {path: (entry[0], int(entry[1]), int(entry[2])) for path, entry in files.items()}
    except (OSError, ValueError, TypeError, AttributeError, IndexError):
        return {}


def _remove_listed(destination: Path, paths: list[str], keep_files: list[str]) -> list[str]:
    kept = {entry.strip("/") for entry in keep_files if entry.strip("/")}
    removed = []
    for relative in paths:
        if relative == MARKER or _under_any(relative, kept):
            continue
        target = destination / relative
        try:
            target.unlink()
        except FileNotFoundError:
            continue
        removed.append(relative)
        folder = target.parent
        while folder != destination and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return removed


def _remove_stale(destination: Path, wanted: set[str], keep_files: list[str]) -> list[str]:
    kept = {entry.strip("/") for entry in keep_files if entry.strip("/")}
    removed: list[str] = []
    for folder, _subfolders, filenames in os.walk(destination, topdown=False):
        relative_folder = os.path.relpath(folder, destination)
        prefix = "" if relative_folder == "." else relative_folder.replace(os.sep, "/") + "/"
        if _under_any(prefix.rstrip("/"), kept):
            continue
        for name in filenames:
            relative = prefix + name
            if relative == MARKER or relative in wanted or _under_any(relative, kept):
                continue
            os.unlink(os.path.join(folder, name))
            removed.append(relative)
        if prefix and not os.listdir(folder):
            os.rmdir(folder)
    return sorted(removed)


def _under_any(path: str, roots: set[str]) -> bool:
    return bool(path) and any(path == root or path.startswith(root + "/") for root in roots)
