"""Jekyll permalink styles and placeholders -> site-relative URLs and output paths."""

from __future__ import annotations

import datetime as dt
import re
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
# Jekyll's Utils.slugify: `default` keeps letters and digits; `pretty` keeps these too.
SLUG_DEFAULT = re.compile(r"[\W_]+")
SLUG_PRETTY = re.compile(r"[^\w.~!$&'()+,;=@]+")


def post_pattern(style: str) -> str:
    return STYLES.get(style, style)


def page_pattern(style: str) -> str:
    # Custom post patterns don't apply to pages (Jekyll does the same); only `pretty` changes them.
    return PAGE_STYLES.get(style, PAGE_DEFAULT)


def post_placeholders(
    date: dt.datetime, title: str, slug: str, categories: tuple[str, ...], output_ext: str
) -> dict[str, str]:
    return {
        "year": f"{date.year:04d}",
        "month": f"{date.month:02d}",
        "day": f"{date.day:02d}",
        "i_month": str(date.month),
        "i_day": str(date.day),
        "short_year": f"{date.year % 100:02d}",
        "hour": f"{date.hour:02d}",
        "minute": f"{date.minute:02d}",
        "second": f"{date.second:02d}",
        "y_day": f"{date.timetuple().tm_yday:03d}",
        "week": f"{date.isocalendar().week:02d}",
        "short_day": date.strftime("%a"),
        "title": title,
        "slug": slug,
        "categories": "/".join(category.lower().replace(" ", "-") for category in categories),
        "output_ext": output_ext,
    }


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
    url = PLACEHOLDER.sub(
        lambda m: quote(values.get(m.group(1), m.group(0)), safe="/.~-_", errors="surrogateescape"), pattern
    )
    url = re.sub(r"/{2,}", "/", "/" + url)
    return url


def output_path_for(url: str) -> str:
    """/x/ -> x/index.html, /x.html -> x.html, / -> index.html. URLs are percent-decoded for disk.
    The result may be anything (`..`, NUL, absolute): safepath.py judges it before any write."""
    path = unquote(url, errors="surrogateescape")
    path = path[1:] if path.startswith("/") else path
    if not path or path.endswith("/"):
        path += "index.html"
    return path
