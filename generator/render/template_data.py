"""Freeze to template data: the one conversion from model values to what templates may see.

Templates get plain read-only data — strings, numbers, booleans, dates, immutable mappings
(`MappingProxyType`), tuples and the recording views of incremental.py — never a `Path`, a model
object with methods or a list the site shares with other pages. A post's Jinja that could reach
`pathlib.Path.read_text()` or `site.posts.clear()` could read the machine or change every page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import PurePath
from types import MappingProxyType
from typing import Any

import markupsafe

from generator.incremental.state import DocumentView, SiteView

# Values that are data already: immutable, and their public methods neither mutate nor touch disk.
SCALARS = (str, int, float, bool, type(None), dt.date, dt.time, dt.timedelta)
VIEWS = (DocumentView, SiteView, MappingProxyType)


# The exact types nearly every value has (front matter's strings, numbers and dates): returned as
# they are straight away, as the checks below would return them (every view of every build freezes
# each document's front matter: ~70,000 isinstance calls for 1,000 posts, otherwise).
_AS_THEY_ARE = frozenset({str, markupsafe.Markup, int, float, bool, type(None), dt.date, dt.datetime})


def freeze(value: Any) -> Any:
    """Deep read-only copy of `value` as template data (idempotent: frozen values come back as is)."""
    if type(value) in _AS_THEY_ARE:
        return value
    if isinstance(value, SCALARS) or isinstance(value, VIEWS) and _frozen_view(value):
        return value if not isinstance(value, str) or type(value) in (str, markupsafe.Markup) else str(value)
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(freeze(item) for item in value)
    if isinstance(value, PurePath):
        return value.as_posix()
    return str(value)  # anything else (a model object, a regex …) becomes inert text


def _frozen_view(value: Any) -> bool:
    # A MappingProxyType over mutable values (config's `markdown:` dict) still needs freezing inside.
    return not isinstance(value, MappingProxyType) or all(freeze(item) is item for item in value.values())


def freeze_callable(function: Callable[..., Any]) -> Callable[..., Any]:
    """A plain function in place of a callable object (`demo`): templates can call it, and reach
    nothing through its attributes; whatever it returns is frozen too."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return freeze(function(*args, **kwargs))

    call.__name__ = getattr(function, "__name__", type(function).__name__)
    return call


def html(value: Any) -> markupsafe.Markup:
    """Mark text the generator made as HTML (converted markdown, a table of contents, an embed),
    so autoescaping layouts print it as it is and escape everything else."""
    return value if isinstance(value, markupsafe.Markup) else markupsafe.Markup("" if value is None else value)
