"""Posts, drafts and pages: front matter + defaults, dates and slugs from file names, permalinks,
and the publish rules (drafts, future posts, `published: false`)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import PurePosixPath
from typing import Any
from collections.abc import Callable

from slugify import slugify

from generator.config import Config
from generator.errors import FrontMatterError, PostNameError
from generator.frontmatter import ParsedText
from generator.frontmatter import as_datetime, decode_text, parse_document
from generator.model import Collection, CollectionDocument, Document, Page, Post, Source
from generator.load.permalinks import (
    collection_placeholders,
    expand,
    output_path_for,
    page_pattern,
    post_pattern,
    placeholder_names,
    post_placeholders,
)

POST_NAME = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})-(?P<title>.+)\.(?P<ext>md|markdown|html)$")
MARKDOWN_EXTENSIONS = {".md", ".markdown"}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
DEFAULTS_TYPE = {"post": "posts", "draft": "drafts", "page": "pages"}
# Dates are compared, converted and formatted in several zones (feeds use UTC); within a day of
# year 1 or 9999 those conversions overflow, so such dates are refused where they are written.
SAFE_DATES = (dt.datetime(1, 1, 2, tzinfo=dt.UTC), dt.datetime(9999, 12, 30, tzinfo=dt.UTC))
EDGE_OF_CALENDAR = SAFE_DATES[1] + dt.timedelta(days=1)
EDGE_MESSAGE = "is too close to the edge of the calendar to convert between time zones; use a year from 2 to 9998"

# A post's file name is nearly always a slug already (`2020-01-01-my-first-post.md`), which
# python-slugify returns unchanged, after its transliteration and regex passes (~13 µs a post, on
# the one core that loads a cold build). tests/test_load_fast_paths.py checks that it still does.
ALREADY_A_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


def meta_line(text: str, key: str, body_line: int) -> int:
    """The line of `key:` in the front matter, so a bad value is reported where it is written."""
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for number, line in enumerate(text.split("\n")[: body_line - 1], start=1):
        if pattern.match(line):
            return number
    return 1


def parse_date(value: Any, tz: dt.tzinfo) -> dt.datetime | None:
    """Front matter dates: YAML dates/timestamps or strings, in the site's time zone."""
    moment = as_datetime(value)
    if moment is None and isinstance(value, str):
        for fmt in DATE_FORMATS:
            try:
                moment = dt.datetime.strptime(value.strip(), fmt)
                break
            except ValueError:
                continue
        else:
            try:
                moment = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                return None
    if moment is None:
        return None
    return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)


def _shown_date(value: Any) -> str:
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value)


def _convertible(date: dt.datetime) -> bool:
    try:
        return SAFE_DATES[0] <= date.astimezone(dt.UTC) <= SAFE_DATES[1]
    except OverflowError:
        return False


def as_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, (list, tuple)):
        return tuple(str(item) for item in value if item is not None)
    return (str(value),)


def merged_meta(source: Source, front_matter: dict[str, Any], config: Config, collection: str = "") -> dict[str, Any]:
    doc_type = collection or DEFAULTS_TYPE.get(source.kind, "pages")
    meta: dict[str, Any] = {}
    for default in config.defaults:
        if default.matches(source.relative, doc_type):
            meta.update(default.values)
    meta.update(front_matter)
    return meta


# How many times a post, draft or page file was opened, by source-relative path: what the rebuild
# invariants count (a no-op rebuild opens none, one edited post opens one), instead of timing.
SOURCE_READS: Counter[str] = Counter()


def read_bytes(source: Source) -> bytes:
    SOURCE_READS[source.relative] += 1
    return source.path.read_bytes()


def parse_source(source: Source, raw: bytes, remember: bool = False) -> tuple[str, ParsedText]:
    """`remember`: parse the front matter through the YAML memo (frontmatter.py): for an edited
    file, whose front matter is most often unchanged; not for the thousand posts of a cold build."""
    text = decode_text(raw, source.relative)
    parsed = parse_document(text, source.relative, remember)
    # Later only the front matter's lines are read (meta_line, for error lines): keep those, so a
    # post's body is held once (in `parsed`), not twice, for the whole build.
    return text[: len(text) - len(parsed.body)], parsed


def read_source(source: Source) -> tuple[str, ParsedText]:
    return parse_source(source, read_bytes(source))


def load_document(
    source: Source,
    config: Config,
    now: dt.datetime,
    layouts: set[str],
    read: Callable[[Source], tuple[str, ParsedText]] = read_source,
    collection: Collection | None = None,
) -> Document | None:
    """Parse one post, draft, page or collection document. Returns None when the publish rules
    leave it out. `read` may serve unchanged files from a cache (blog serve)."""
    text, parsed = read(source)
    meta = merged_meta(source, parsed.meta, config, collection.label if collection else "")
    name = PurePosixPath(source.relative).name
    extension = PurePosixPath(name).suffix.lower()

    def bad(key: str, message: str) -> FrontMatterError:
        return FrontMatterError(f"{key}: {message}", source.relative, meta_line(text, key, parsed.body_line))

    if meta.get("published", True) is False and not config.unpublished:
        return None
    title_part, date = _name_and_date(source, name, config, now)
    if "date" in meta:
        try:
            date = parse_date(meta["date"], config.timezone)
        except OverflowError:  # the zone conversion itself left the calendar
            date = EDGE_OF_CALENDAR
        if date is None:
            raise bad("date", f"cannot read date {meta['date']!r}; write YYYY-MM-DD or YYYY-MM-DD HH:MM:SS +0000")
        if not _convertible(date):
            raise bad("date", f"date {_shown_date(meta['date'])!r} {EDGE_MESSAGE}")
    if source.kind == "post" and date is not None and date > now and not config.future:
        return None
    for key in ("title", "permalink", "layout", "excerpt", "slug"):
        if key in meta and meta[key] is not None and not isinstance(meta[key], str):
            raise bad(key, f"expected text, got {type(meta[key]).__name__}")
    for key in ("tags", "categories"):
        if key in meta and not isinstance(meta[key], (str, list, type(None))):
            raise bad(key, "expected a list like [a, b] or space-separated words")
    is_markdown = extension in MARKDOWN_EXTENSIONS
    # Nesting too deep for the converter is refused by render_markdown itself, before converting,
    # and located in this file by the renderer: checked here too, the pass cost a cold build of
    # 1,000 posts ~0.2 s in the one parent process, where conversion runs it on the worker cores.
    output_ext = ".html" if is_markdown or extension in (".html", ".htm") else extension
    if extension in (".scss", ".sass"):  # a Sass page becomes CSS (render/sass_pages.py), as in Jekyll
        output_ext = ".css"
    slug_text = str(meta.get("slug") or title_part)
    slug = slug_text if ALREADY_A_SLUG.match(slug_text) else (slugify(slug_text) or "untitled")
    tags = as_list(meta.get("tags")) + as_list(meta.get("tag"))
    categories = as_list(meta.get("categories")) + as_list(meta.get("category"))
    is_post = source.kind in ("post", "draft")
    if is_post:
        assert date is not None
        pattern = meta.get("permalink") or post_pattern(config.permalink)
        values = post_placeholders(date, slug_text, slug, categories, output_ext, placeholder_names(str(pattern)))
    elif collection is not None:  # Jekyll collections: dated "now" unless front matter says
        date = date or now
        inside = source.relative[len(collection.relative_directory) :]
        values = collection_placeholders(collection.label, inside, meta.get("slug"), date, categories, output_ext)
        pattern = meta.get("permalink") or collection.permalink
    else:
        values = _page_placeholders(source.relative, output_ext, is_markdown or output_ext == ".html")
        pattern = meta.get("permalink") or page_pattern(config.permalink if output_ext == ".html" else "")
    url = expand(pattern, values)
    jekyll = config.get("template_engine") == "liquid"  # Jekyll 4: no layout unless one is named
    layout = _layout_name(meta, is_post, is_markdown, layouts) if not jekyll or "layout" in meta else None
    if layout is not None and layout not in layouts:
        known = ", ".join(sorted(layouts)) or "none (add _layouts/)"
        raise bad("layout", f"unknown layout {layout!r}; known layouts: {known}")
    title = meta.get("title") or (_titleize(title_part) if is_post else "")
    if collection is not None and not title:  # Jekyll's Utils.titleize_slug
        title = " ".join(word.capitalize() for word in title_part.split("-"))
    render_with_jinja = bool(meta.get("render_with_jinja", config.get("render_with_jinja"))) or not is_markdown
    cls = Post if is_post else (CollectionDocument if collection else Page)
    path = output_path_for(url)
    if collection is not None and "." not in PurePosixPath(path).name:
        path += output_ext  # Jekyll's Document#destination: `/:collection/:path` still gets .html
    return cls(
        source=source,
        meta=meta,
        body=parsed.body,
        body_line=parsed.body_line,
        title=title,
        url=url,
        output_path=path,
        layout=layout,
        is_markdown=is_markdown,
        render_with_jinja=render_with_jinja,
        date=date,
        slug=slug,
        tags=tags,
        categories=categories,
        collection=collection.label if collection else "",
        output=collection.output if collection else True,
    )


def _name_and_date(source: Source, name: str, config: Config, now: dt.datetime) -> tuple[str, dt.datetime | None]:
    if source.kind == "post":
        match = POST_NAME.match(name)
        if not match:
            raise PostNameError(
                f"post file name must be YYYY-MM-DD-slug.md (or .markdown/.html); rename {name!r}",
                source.relative,
                1,
            )
        try:
            day = dt.datetime(int(match["year"]), int(match["month"]), int(match["day"]), tzinfo=config.timezone)
        except ValueError as e:
            raise PostNameError(f"the date in the file name {name!r} does not exist ({e})", source.relative, 1) from e
        if not _convertible(day):
            raise PostNameError(f"the date in the file name {name!r} {EDGE_MESSAGE}", source.relative, 1)
        return match["title"], day
    stem = PurePosixPath(name).stem
    if source.kind == "draft":
        return stem, now  # drafts are dated at build time, as Jekyll does
    return stem, None


def _page_placeholders(relative: str, output_ext: str, html_like: bool) -> dict[str, str]:
    path = PurePosixPath(relative)
    folder = "" if str(path.parent) == "." else str(path.parent)
    basename = path.stem
    if html_like and basename == "index":
        return {"path": folder, "basename": "", "output_ext": "", "title": basename}  # index.md -> /folder/
    return {"path": folder, "basename": basename, "output_ext": output_ext, "title": basename}


def _layout_name(meta: dict[str, Any], is_post: bool, is_markdown: bool, layouts: set[str]) -> str | None:
    if "layout" in meta:
        value = meta["layout"]
        return None if value in (None, "none", "null", "") else str(value)
    fallback = "post" if is_post else ("page" if is_markdown else None)
    return (
        fallback if fallback in layouts else ("default" if (is_post or is_markdown) and "default" in layouts else None)
    )


def _titleize(slug: str) -> str:
    return " ".join(word.capitalize() for word in re.split(r"[-_\s]+", slug) if word)
