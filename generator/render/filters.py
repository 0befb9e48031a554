"""Jekyll's familiar filters, as Jinja2 filters. Each is a plain function so it is easy to test."""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
from types import MappingProxyType
from typing import Any
from collections.abc import Callable, Iterable, Mapping

from jinja2 import Undefined
from markupsafe import Markup
from slugify import slugify as _slugify

from generator.render.reading import TAG  # (defined there: conversion workers strip tags without Jinja)

NO_PAD = re.compile(r"%-([dmHIMSjy])")


def to_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value.strip():
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def date_format(value: Any, fmt: str = "%b %-d, %Y") -> str:
    """strftime with the `%-d` (no padding) codes Jekyll users write, on every platform."""
    if type(value) is dt.datetime and type(fmt) is str:
        # A post's date is shown on its page, the home page, the archive and its tag pages: the
        # same (date, format) formatted once (issue #19). Keyed by the zone object and `fold` too:
        # aware datetimes compare equal across zones (and ignore `fold` within one).
        return _date_formatted(value, fmt, id(value.tzinfo), value.fold)
    return _date_format(value, fmt)


@functools.lru_cache(maxsize=4096)
def _date_formatted(value: dt.datetime, fmt: str, zone: int, fold: int) -> str:
    return _date_format(value, fmt)  # (`zone`: the id of value.tzinfo, which the key itself holds)


def _date_format(value: Any, fmt: str) -> str:
    moment = to_datetime(value)
    if moment is None:
        return "" if value is None or isinstance(value, Undefined) else str(value)

    if "%-" not in fmt:
        return moment.strftime(fmt)

    def unpadded(match: re.Match[str]) -> str:
        # From the datetime's fields, not strftime: the same digits (strftime's without their
        # padding), one C call fewer per code.
        return str(_UNPADDED[match.group(1)](moment))

    return moment.strftime(NO_PAD.sub(unpadded, fmt))


# What `%-d`, `%-m`, … print: the number strftime's `%d`, `%m`, … pads (tests/test_filter_memo.py
# checks each against int(strftime) over many dates).
_UNPADDED: dict[str, Callable[[dt.datetime], int]] = {
    "d": lambda m: m.day,
    "m": lambda m: m.month,
    "H": lambda m: m.hour,
    "I": lambda m: m.hour % 12 or 12,
    "M": lambda m: m.minute,
    "S": lambda m: m.second,
    "j": lambda m: m.timetuple().tm_yday,
    "y": lambda m: m.year % 100,
}


def date_to_xmlschema(value: Any) -> str:
    if type(value) is dt.datetime:  # (memoised as date_format is)
        return _xmlschema(value, id(value.tzinfo), value.fold)
    return _date_to_xmlschema(value)


@functools.lru_cache(maxsize=4096)
def _xmlschema(value: dt.datetime, zone: int, fold: int) -> str:
    return _date_to_xmlschema(value)


def _date_to_xmlschema(value: Any) -> str:
    moment = to_datetime(value)
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat()


def date_to_rfc822(value: Any) -> str:
    moment = to_datetime(value)
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    import email.utils  # here, not at the top: `email` (with socket) costs ~5 ms of every render's start

    return email.utils.format_datetime(moment)


def xml_escape(value: Any) -> Markup:
    # Markup: escaped once here, never a second time by an autoescaping layout.
    return Markup(html.escape("" if value is None else str(value), quote=True))


# Browsers ignore tabs, newlines and leading control characters in a scheme (`java\tscript:`).
IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]+")
LIVE_SCHEMES = ("javascript:", "vbscript:", "data:")
# Compiled once: `relative_url` runs for every link of every page (~9,000 calls in a 1,000-post build).
NOT_RELATIVE = re.compile(r"^[a-z][a-z0-9+.-]*:|^//|^#", re.I)  # absolute, protocol-relative, fragment
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def safe_url(value: Any) -> str:
    """A URL that cannot run script when followed: `javascript:`, `vbscript:` and `data:` (other
    than images) become `#`. Escaping for the attribute is the autoescape's job, not this one."""
    text = "" if value is None or isinstance(value, Undefined) else str(value)
    squeezed = IGNORED_IN_SCHEME.sub("", text).lower()
    if squeezed.startswith(LIVE_SCHEMES) and not squeezed.startswith("data:image/"):
        return "#"
    return text


def relative_url(path: Any, baseurl: str) -> str:
    text = safe_url(path)
    if NOT_RELATIVE.match(text):
        return text  # absolute URLs, protocol-relative and fragments are left alone
    if baseurl and (text == baseurl or text.startswith(baseurl + "/")):
        return text  # already prefixed: filters applied twice must not double the baseurl
    return baseurl + ("/" + text.lstrip("/") if text else "/")


def absolute_url(path: Any, url: str, baseurl: str) -> str:
    relative = relative_url(path, baseurl)
    return relative if SCHEME.match(relative) else url + relative


def slugify(value: Any) -> str:
    return slug_of("" if value is None else str(value))


@functools.lru_cache(maxsize=4096)
def slug_of(text: str) -> str:
    """python-slugify's slug of `text`, made once per text: a site has few tags, each slugified
    on every page that lists it (~1 ms each: its entity regexes walk the text three times)."""
    return _slugify(text)


SPACES = re.compile(r"\s+")


def strip_html(value: Any) -> str:
    return SPACES.sub(" ", html.unescape(TAG.sub(" ", str(value or "")))).strip()


def truncatewords(value: Any, count: int = 15, omission: str = "…") -> str:
    words = str(value or "").split()
    return " ".join(words) if len(words) <= count else " ".join(words[:count]) + omission


def jsonable(value: Any, depth: int = 0) -> Any:
    """Page views link to each other (previous/next); stop at a small depth instead of looping."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if depth > 3:
        return None
    if isinstance(value, (Mapping, MappingProxyType)):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items() if k not in ("previous", "next")}
    if isinstance(value, Iterable):
        return [jsonable(item, depth + 1) for item in value]
    return str(value)


def jsonify(value: Any) -> Markup:
    """JSON that is safe inside `<script>` and in an attribute (as Jinja's `tojson`): the HTML
    characters are written as JSON escapes, so the value parses the same."""
    text = json.dumps(jsonable(value), ensure_ascii=False)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("'", "\\u0027")):
        text = text.replace(char, escape)
    return Markup(text)


def _field(item: Any, key: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(key)
    return getattr(item, key, None)


def where(items: Iterable[Any], key: str, value: Any) -> list[Any]:
    def matches(item: Any) -> bool:
        found = _field(item, key)
        return value in found if isinstance(found, (list, tuple)) else found == value

    return [item for item in items or () if matches(item)]


def group_by(items: Iterable[Any], key: str) -> list[dict[str, Any]]:
    groups: dict[Any, tuple[Any, list[Any]]] = {}
    for item in items or ():
        name = _field(item, key)
        hashable = tuple(name) if isinstance(name, list) else name
        groups.setdefault(hashable, (name, []))[1].append(item)
    return [{"name": name, "items": members, "size": len(members)} for name, members in groups.values()]


def sort_by(items: Iterable[Any], key: str | None = None, nils: str = "first") -> list[Any]:
    values = list(items or ())
    if key is None:
        return sorted(values)
    present = [item for item in values if _field(item, key) is not None]
    missing = [item for item in values if _field(item, key) is None]
    ordered = sorted(present, key=lambda item: _field(item, key))
    return missing + ordered if nils == "first" else ordered + missing


MEMO_HELD = 1024  # URLs a build's filters remember (the theme's own links, the nav, tag pages)


def memoised(function: Callable[[str], str]) -> Callable[[Any], str]:
    """`function` of a plain string remembered for the build (a filter's environment lives for one):
    every page links the same stylesheets, feed and nav entries. Bounded: a page's own URL, seen
    once or twice, is not worth holding at 4,000 posts."""
    memo: dict[str, str] = {}

    def remembered(value: Any) -> str:
        if type(value) is not str:
            return function(value)
        found = memo.get(value)
        if found is None:
            found = function(value)
            if len(memo) < MEMO_HELD:
                memo[value] = found
        return found

    return remembered


def make_filters(baseurl: str, url: str, markdownify: Callable[[str], str]) -> dict[str, Callable[..., Any]]:
    return {
        "date": date_format,
        "date_to_xmlschema": date_to_xmlschema,
        "date_to_rfc822": date_to_rfc822,
        "xml_escape": xml_escape,
        "relative_url": memoised(lambda path: relative_url(path, baseurl)),
        "absolute_url": lambda path: absolute_url(path, url, baseurl),
        "slugify": slugify,
        "markdownify": lambda text: Markup(markdownify("" if text is None else str(text))),
        "safe_url": safe_url,
        "jsonify": jsonify,
        "strip_html": strip_html,
        "truncatewords": truncatewords,
        "where": where,
        "group_by": group_by,
        "sort": sort_by,
    }
