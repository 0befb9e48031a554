"""This blog's plugin for its ILSVRC labeling demo: image sets a site declares in `_config.yml`.

    ilsvrc:
      sets:
        - name: my-photos                     # used as  {{ demo("ilsvrc", set="my-photos") }}
          images: _ilsvrc/my-photos           # folder of .jpg/.jpeg/.png/.webp/.gif/.avif files
          labels: _ilsvrc/my-photos/labels.tsv   # one "filename<TAB>wnid" per line; "#" comments

`labelset_assets` turns that into the files published under /demos/ilsvrc/: a manifest
``sets/<name>.json`` (the same shape as the demo's data/sample.json) and the images as
``sets/<name>/<filename>``. Every problem becomes one `DemoError` with the path and line that
caused it, so a build can report them all at once. The browser checks manifests with the same
rules (demos/ilsvrc/labels.js).
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.errors import BuildFailed as BuildErrors
from generator.errors import DemoError, GeneratorError

SET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
IMAGE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]*\.(jpe?g|png|webp|gif|avif)$", re.IGNORECASE)
WNID = re.compile(r"^n\d{8}$")
RESERVED_SET_NAMES = {"sample"}  # ships with the demo


def load_class_ids(classes_json: Path) -> set[str]:
    """The 1000 class ids from demos/ilsvrc/data/classes.json."""
    data = json.loads(classes_json.read_text(encoding="utf-8"))
    return {row[0] for row in data["classes"]}


def labelset_assets(
    source_root: Path, ilsvrc_config: object, class_ids: set[str], config_path: str = "_config.yml"
) -> tuple[dict[str, bytes], list[GeneratorError]]:
    """Files to publish under /demos/ilsvrc/ (relative path -> bytes) and the problems found.

    `ilsvrc_config` is the value of the `ilsvrc` key of _config.yml (None when absent)."""
    if ilsvrc_config is None:
        return {}, []
    if not isinstance(ilsvrc_config, Mapping) or not isinstance(ilsvrc_config.get("sets", []), list):
        return {}, [DemoError("'ilsvrc' must be a mapping with a list 'sets'", config_path)]
    files: dict[str, bytes] = {}
    errors: list[GeneratorError] = []
    seen_names: set[str] = set()
    for number, entry in enumerate(ilsvrc_config.get("sets", []), start=1):
        where = f"ilsvrc.sets[{number}]"
        problem = _check_set_entry(entry, where, seen_names)
        if problem:
            errors.append(DemoError(problem, config_path))
            continue
        assert isinstance(entry, Mapping)
        seen_names.add(entry["name"])
        set_files, set_errors = _build_set(source_root, entry["name"], entry["images"], entry["labels"], class_ids)
        files.update(set_files)
        errors.extend(set_errors)
    return files, errors


def _check_set_entry(entry: object, where: str, seen_names: set[str]) -> str | None:
    if not isinstance(entry, Mapping):
        return f"{where} must be a mapping with name, images and labels"
    for key in ("name", "images", "labels"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            return f"{where}: '{key}' must be a non-empty string"
    unknown = sorted(set(entry) - {"name", "images", "labels"})
    if unknown:
        return f"{where}: unknown key '{unknown[0]}'"
    name = entry["name"]
    if not SET_NAME.match(name):
        return f"{where}: set name '{name}' must be lower-case letters, digits and '-'"
    if name in RESERVED_SET_NAMES:
        return f"{where}: set name '{name}' is reserved for the demo's own images"
    if name in seen_names:
        return f"{where}: duplicate set name '{name}'"
    return None


def _build_set(
    source_root: Path, name: str, images: str, labels: str, class_ids: set[str]
) -> tuple[dict[str, bytes], list[GeneratorError]]:
    image_dir = source_root / images
    labels_path = source_root / labels
    if not labels_path.is_file():
        return {}, [DemoError(f"labels file of set '{name}' not found", labels)]
    if not image_dir.is_dir():
        return {}, [DemoError(f"image folder of set '{name}' not found: {images}", labels)]
    try:
        text = labels_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return {}, [DemoError(f"labels file is not UTF-8 text: {error.reason}", labels)]

    files: dict[str, bytes] = {}
    errors: list[GeneratorError] = []
    manifest: list[dict[str, object]] = []
    first_line: dict[str, int] = {}
    for line_number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        message, filename, wnid = _parse_line(raw, class_ids)
        if message is None and filename in first_line:
            message = f"duplicate file '{filename}' (first on line {first_line[filename]})"
        if message is None and not (image_dir / filename).is_file():
            message = f"image '{filename}' not found in {images}"
        if message is not None:
            errors.append(DemoError(message, labels, line_number))
            continue
        first_line[filename] = line_number
        data = (image_dir / filename).read_bytes()
        key = f"sets/{name}/{filename}"
        files[key] = data
        item: dict[str, object] = {"file": key}
        size = image_size(data)
        if size is not None:
            item["width"], item["height"] = size
        item["label"] = wnid
        manifest.append(item)
    if not manifest and not errors:
        errors.append(DemoError(f"set '{name}' has no labeled images", labels))
    if manifest:
        files[f"sets/{name}.json"] = (json.dumps(manifest, indent=1) + "\n").encode("utf-8")
    return files, errors


def _parse_line(raw: str, class_ids: set[str]) -> tuple[str | None, str, str]:
    """(error message or None, filename, wnid) for one non-blank line."""
    fields = raw.split("\t")
    if len(fields) != 2 or not fields[0].strip() or not fields[1].strip():
        return "expected 'filename<TAB>class id'", "", ""
    filename, wnid = fields[0].strip(), fields[1].strip()
    if not IMAGE_FILE.match(filename):
        return f"'{filename}' is not a plain image file name (.jpg, .png, .webp, .gif, .avif)", filename, wnid
    if not WNID.match(wnid) or wnid not in class_ids:
        return f"unknown ILSVRC class id '{wnid}'", filename, wnid
    return None, filename, wnid


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from a PNG, GIF, JPEG or WebP header; None for other formats.

    A header read is enough for layout hints, and it keeps Pillow out of the generator's
    dependencies."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            at += 2
            continue
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        # SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None


def site_loaded(site: Any) -> None:
    """This blog's plugin hook: publish the sets `ilsvrc:` declares inside the demo's bundle."""
    classes = site.source / "demos" / "ilsvrc" / "data" / "classes.json"
    ilsvrc_config = site.config.get("ilsvrc")
    if ilsvrc_config is None or not classes.exists():
        return
    assets, errors = labelset_assets(site.source, ilsvrc_config, load_class_ids(classes))
    if errors:
        raise BuildErrors(errors)
    for name, data in assets.items():
        site.add_file(f"demos/ilsvrc/{name}", data)
