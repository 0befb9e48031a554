"""Whether a name is a Pygments style, for checking `_config.yml` (config_schema.py), answered
without importing pygments.styles for Pygments' own styles: that package looks for plugin styles at
import, which imports importlib.metadata and email and scans every installed distribution — about
30 ms of a no-op rebuild's 0.4 s (issue #19), for a config that names `default` or `github-dark`."""

from __future__ import annotations

import functools
import importlib.util
import types
from importlib.machinery import SourceFileLoader
from pathlib import Path


@functools.cache
def builtin_style_names() -> frozenset[str]:
    """Pygments' own style names, from its generated table pygments/styles/_mapping.py (Pygments
    2.17 on), loaded as a plain file. Empty if this Pygments keeps its table elsewhere: then every
    name takes the full lookup."""
    spec = importlib.util.find_spec("pygments")
    if spec is None or spec.origin is None:
        return frozenset()
    loader = SourceFileLoader("_pygments_style_table", str(Path(spec.origin).parent / "styles" / "_mapping.py"))
    table = types.ModuleType(loader.name)
    try:
        loader.exec_module(table)
        return frozenset(entry[1] for entry in table.STYLES.values())
    except (OSError, ImportError, AttributeError, TypeError, IndexError, SyntaxError):
        return frozenset()


@functools.cache
def all_style_names() -> frozenset[str]:
    """Every style Pygments knows, plugins' included."""
    from pygments.styles import get_all_styles

    return frozenset(get_all_styles())


def is_style(name: str) -> bool:
    return name in builtin_style_names() or name in all_style_names()
