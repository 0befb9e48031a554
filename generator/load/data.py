"""`_data/` files -> `site.data`: YAML, JSON and CSV, nested folders as nested mappings."""

from __future__ import annotations

import csv
import io
import json
from pathlib import PurePosixPath
from typing import Any

from generator.errors import ContentError, GeneratorError
from generator.frontmatter import decode_text, load_yaml
from generator.model import Source

DATA_EXTENSIONS = {".yml", ".yaml", ".json", ".csv", ".tsv"}


def load_data(sources: list[Source]) -> tuple[dict[str, Any], list[GeneratorError]]:
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
