"""Layouts as the build loads them: name, file, front matter and parent layout. Without Jinja
(moved here from render/templates.py): a rebuild that renders nothing never imports it (issue #19)."""

from __future__ import annotations

from pathlib import Path

from generator.frontmatter import decode_text, parse_document
from generator.model import Layout, Source


def load_layouts(sources: list[Source]) -> dict[str, Layout]:
    layouts: dict[str, Layout] = {}
    for source in sources:
        document = parse_document(decode_text(source.path.read_bytes(), source.relative), source.relative)
        name = (
            Path(source.relative).stem
            if source.relative.count("/") == 1
            else source.relative.split("/", 1)[1].rsplit(".", 1)[0]
        )
        parent = document.meta.get("layout")
        layouts[name] = Layout(name, source, document.meta, str(parent) if parent else None)
    return layouts
