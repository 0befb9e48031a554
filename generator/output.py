"""Outputs to disk, safely: collisions are errors naming both sources; the site is assembled in a
staging folder (unchanged files hard-linked from the previous build, so their mtimes survive and
nothing is rewritten needlessly); stale files vanish; `_site/` is replaced only at the very end."""

from __future__ import annotations

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


def find_collisions(outputs: list[Output]) -> list[GeneratorError]:
    seen: dict[str, Output] = {}
    errors: list[GeneratorError] = []
    for output in outputs:
        key = output.output_path.lower() if os.path.normcase("A") == "a" else output.output_path
        first = seen.get(key)
        if first is None:
            seen[key] = output
        else:
            errors.append(OutputCollisionError(
                f"{output.output_path} is written by both {first.origin} and {output.origin}; "
                "change one permalink or remove one file", output.origin, 1))
    return errors


def check_destination(source: Path, destination: Path, force: bool) -> None:
    """Refuse destinations where writing could destroy the user's own files."""
    source, destination = source.resolve(), destination.resolve()
    if destination == source or source.is_relative_to(destination):
        raise ConfigError(f"destination {destination} would contain the source folder; choose another --destination")
    relative = destination.relative_to(source).parts if destination.is_relative_to(source) else ()
    if relative and relative[0] in PROTECTED_FOLDERS:
        raise ConfigError(f"destination {destination} lies inside the source folder {relative[0]}/; choose another --destination")
    if destination.exists() and not force:
        if not destination.is_dir():
            raise ConfigError(f"destination {destination} is a file; remove it or choose another --destination")
        if any(destination.iterdir()) and not (destination / MARKER).exists():
            raise ConfigError(f"destination {destination} is not empty and was not made by `blog build`; "
                              "empty it or pass --force to replace it")


def write_site(outputs: list[Output], destination: Path, keep_files: list[str], origins_meta: dict[str, object]) -> WriteReport:
    """Build the new tree next to the old one, then swap. Unchanged files are hard links to the old
    ones; `keep_files` entries (e.g. `.git`) are moved across untouched."""
    report = WriteReport()
    destination = destination.resolve()
    staging = destination.with_name(f".{destination.name}.staging")
    previous = destination.with_name(f".{destination.name}.previous")
    for leftover in (staging, previous):
        if leftover.exists():
            shutil.rmtree(leftover)
    staging.mkdir(parents=True)
    old_files = _existing_files(destination) if destination.is_dir() else set()
    new_paths = set()
    for output in outputs:
        target = staging / output.output_path
        target.parent.mkdir(parents=True, exist_ok=True)
        old = destination / output.output_path
        new_paths.add(output.output_path)
        if output.output_path in old_files and _same(old, output):
            os.link(old, target)
            report.unchanged += 1
            continue
        if output.data is None and output.copy_from is not None:
            shutil.copy2(output.copy_from, target)
        else:
            target.write_bytes(output.read())
        report.written.append(output.output_path)
    (staging / MARKER).write_text(json.dumps(origins_meta, indent=1, sort_keys=True), "utf-8")
    kept = _move_kept(destination, staging, keep_files) if destination.is_dir() else set()
    report.removed = sorted(p for p in old_files - new_paths - {MARKER} if not _under_any(p, kept))
    if destination.exists():
        os.replace(destination, previous)
    os.replace(staging, destination)
    if previous.exists():
        shutil.rmtree(previous, ignore_errors=True)
    return report


def _same(old: Path, output: Output) -> bool:
    try:
        if output.data is None and output.copy_from is not None:
            a, b = old.stat(), output.copy_from.stat()
            if a.st_size != b.st_size:
                return False
            return old.read_bytes() == output.copy_from.read_bytes()
        return old.stat().st_size == len(output.read()) and old.read_bytes() == output.read()
    except OSError:
        return False


def _existing_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


def _move_kept(destination: Path, staging: Path, keep_files: list[str]) -> set[str]:
    kept: set[str] = set()
    for entry in keep_files:
        entry = entry.strip("/")
        old = destination / entry
        if entry and old.exists() and not (staging / entry).exists():
            (staging / entry).parent.mkdir(parents=True, exist_ok=True)
            os.replace(old, staging / entry)
            kept.add(entry)
    return kept


def _under_any(path: str, roots: set[str]) -> bool:
    return any(path == root or path.startswith(root + "/") for root in roots)
