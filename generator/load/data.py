"""`_data/` files -> `site.data`: YAML, JSON and CSV, nested folders as nested mappings."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path, PurePosixPath
from typing import Any

from generator.errors import ContentError, GeneratorError
from generator.frontmatter import decode_text, load_yaml
from generator.model import Source

DATA_EXTENSIONS = {".yml", ".yaml", ".json", ".csv", ".tsv"}


def load_data(sources: list[Source], theme_root: Path | None = None) -> tuple[dict[str, Any], list[GeneratorError]]:
    """`site.data`. Files under `theme_root` are a gem theme's `_data`: as Jekyll 4.3's
    Reader#read_data, the site's data is deep-merged over the theme's (mappings merged key by key,
    anything else, lists too, replaced by the site's value)."""
    if theme_root is not None:
        theme = [s for s in sources if s.path.is_relative_to(theme_root)]
        theme_data, theme_errors = load_data(theme)
        site_data, site_errors = load_data([s for s in sources if not s.path.is_relative_to(theme_root)])
        return deep_merge(theme_data, site_data), [*theme_errors, *site_errors]
    data: dict[str, Any] = {}
    errors: list[GeneratorError] = []
    for source in sources:
        path = PurePosixPath(source.relative)
        if path.suffix.lower() not in DATA_EXTENSIONS:
            continue
        try:
            value = _parse(source, path.suffix.lower())
        except GeneratorError as e:
            errors.append(e)
            continue
        node = data
        for folder in path.parts[1:-1]:
            node = node.setdefault(folder, {})
            if not isinstance(node, dict):
                errors.append(ContentError(f"{folder} is both a data file and a folder", source.relative, 1))
                break
        else:
            node[path.stem] = value
    return data, errors


def deep_merge(under: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Jekyll's Utils.deep_merge_hashes: `under`'s keys in their order, `over`'s values winning."""
    merged = dict(under)
    for key, value in over.items():
        old = merged.get(key)
        merged[key] = deep_merge(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
    return merged


def _parse(source: Source, suffix: str) -> Any:
    text = decode_text(source.path.read_bytes(), source.relative)
    if suffix in (".yml", ".yaml"):
        try:
            return load_yaml(text, source.relative)
        except GeneratorError as e:
            raise ContentError(e.message, source.relative, e.line) from e
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise ContentError(f"invalid JSON: {e.msg}", source.relative, e.lineno) from e
    reader = csv.DictReader(io.StringIO(text), delimiter="\t" if suffix == ".tsv" else ",")
    try:
        return [dict(row) for row in reader]
    except csv.Error as e:
        raise ContentError(f"invalid {suffix[1:].upper()}: {e}", source.relative, reader.line_num or 1) from e
