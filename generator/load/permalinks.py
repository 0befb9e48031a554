"""Jekyll permalink styles and placeholders -> site-relative URLs and output paths."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import quote, unquote

STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
PAGE_STYLES = {"pretty": "/:path/:basename/"}
PAGE_DEFAULT = "/:path/:basename:output_ext"

PLACEHOLDER = re.compile(
    r":(categories|year|month|day|i_month|i_day|short_year|hour|minute|second|slugified_categories|"
    r"title|slug|output_ext|y_day|week|short_day|path|basename|num|collection|name|short_month|long_month|long_day)"
)
NEEDS_NO_QUOTING = re.compile(r"[A-Za-z0-9/.~_-]*\Z")  # quote(safe="/.~-_") leaves these as they are
# Jekyll's Utils.slugify: `default` keeps letters and digits; `pretty` keeps these too.
SLUG_DEFAULT = re.compile(r"[\W_]+")
SLUG_PRETTY = re.compile(r"[^\w.~!$&'()+,;=@]+")


def post_pattern(style: str) -> str:
    return STYLES.get(style, style)


def page_pattern(style: str) -> str:
    # Custom post patterns don't apply to pages (Jekyll does the same); only `pretty` changes them.
    return PAGE_STYLES.get(style, PAGE_DEFAULT)


# A post's date placeholders, each made only when its pattern names it (`names`): most patterns
# use three of them, and making all twelve (strftime, isocalendar, timetuple) for every post cost
# a cold build's load ~10 µs a post.
_DATE_PLACEHOLDERS: dict[str, Callable[[dt.datetime], str]] = {
    "year": lambda date: f"{date.year:04d}",
    "month": lambda date: f"{date.month:02d}",
    "day": lambda date: f"{date.day:02d}",
    "i_month": lambda date: str(date.month),
    "i_day": lambda date: str(date.day),
    "short_year": lambda date: f"{date.year % 100:02d}",
    "hour": lambda date: f"{date.hour:02d}",
    "minute": lambda date: f"{date.minute:02d}",
    "second": lambda date: f"{date.second:02d}",
    "y_day": lambda date: f"{date.timetuple().tm_yday:03d}",
    "week": lambda date: f"{date.isocalendar().week:02d}",
    "short_day": lambda date: date.strftime("%a"),
}


def post_placeholders(
    date: dt.datetime,
    title: str,
    slug: str,
    categories: tuple[str, ...],
    output_ext: str,
    names: Collection[str] | None = None,
) -> dict[str, str]:
    """The values of a post's placeholders; of the date's, only `names` (None: all of them)."""
    values = {name: make(date) for name, make in _DATE_PLACEHOLDERS.items() if names is None or name in names}
    values["title"] = title
    values["slug"] = slug
    values["categories"] = "/".join(category.lower().replace(" ", "-") for category in categories)
    values["output_ext"] = output_ext
    return values


@functools.lru_cache(maxsize=64)
def placeholder_names(pattern: str) -> frozenset[str]:
    """The placeholders `pattern` names (a site has a pattern or two; a post may set its own)."""
    return frozenset(PLACEHOLDER.findall(pattern))


def jekyll_slug(text: str, pretty: bool = False, cased: bool = False) -> str:
    """Utils.slugify in its `default` (or `pretty`) mode: runs of other characters become one `-`."""
    slug = (SLUG_PRETTY if pretty else SLUG_DEFAULT).sub("-", text).strip("-")
    return slug if cased else slug.lower()


def collection_placeholders(
    label: str, inside: str, slug: Any, date: dt.datetime, categories: tuple[str, ...], output_ext: str
) -> dict[str, str]:
    """Jekyll's UrlDrop for a collection document; `inside` is its path within `_<label>/`
    (`/pasta/carbonara.md` -> `:path` `/pasta/carbonara`, `:name` `carbonara`)."""
    path = inside.rsplit(".", 1)[0] if "." in inside.rsplit("/", 1)[-1] else inside
    basename = path.rsplit("/", 1)[-1]
    given = str(slug) if slug else ""
    values = post_placeholders(date, "", "", categories, output_ext)
    values.update(
        collection=label,
        path=path.rstrip("."),
        name=jekyll_slug(basename),
        title=jekyll_slug(given or basename, pretty=True, cased=True),
        slug=jekyll_slug(given or basename),
        short_month=date.strftime("%b"),
        long_month=date.strftime("%B"),
        long_day=date.strftime("%A"),
        slugified_categories="/".join(jekyll_slug(c) for c in dict.fromkeys(categories)),
    )
    return values


def expand(pattern: str, values: dict[str, str]) -> str:
    """Fill placeholders; unknown ones stay literal; empty segments (no categories) collapse."""
    # surrogateescape: a file name that is not UTF-8 gives %XX here and a lone surrogate again on
    # disk (output_path_for), which safepath.py refuses with a clear message instead of a crash.
    url = PLACEHOLDER.sub(lambda m: _quoted(values.get(m.group(1), m.group(0))), pattern)
    url = re.sub(r"/{2,}", "/", "/" + url)
    return url


def _quoted(value: str) -> str:
    # (A value of only safe characters, most of them, is itself: quote would encode it to bytes first.)
    return value if NEEDS_NO_QUOTING.match(value) else quote(value, safe="/.~-_", errors="surrogateescape")


def output_path_for(url: str) -> str:
    """/x/ -> x/index.html, /x.html -> x.html, / -> index.html. URLs are percent-decoded for disk.
    The result may be anything (`..`, NUL, absolute): safepath.py judges it before any write."""
    path = unquote(url, errors="surrogateescape")
    path = path[1:] if path.startswith("/") else path
    if not path or path.endswith("/"):
        path += "index.html"
    return path
