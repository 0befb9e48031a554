"""Every known `_config.yml` key in one place: its type, default, check and a line of help (the idea
of MkDocs' `config_options`). `config.py` validates a site's values against it; every command
reads the config through `load_config`, so a wrong value is always the same one-line error:
`_config.yml:LINE: key: expected …, got …`. Keys not listed here are kept for templates."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.styletable import is_style

GENERATED_KINDS = ("home", "archive", "tags", "feed", "sitemap", "robots", "not_found", "demos", "highlight")
TEMPLATE_ENGINES = ("jinja", "liquid")
# Jekyll's own keys: accepted so an unmodified Jekyll `_config.yml` loads. Those with no effect here
# get one warning each (render/jekyll_config.py); the others are read where they matter.
JEKYLL_KEYS: dict[str, str] = {
    "kramdown": "kramdown options (this generator converts kramdown-flavoured markdown itself)",
    "highlighter": "code is highlighted with Pygments whatever this names",
    "plugins": "jekyll-feed, -sitemap, -seo-tag, -paginate, -redirect-from, -gist and jemoji are built in",
    "gems": "the old name of `plugins:`",
    "whitelist": "GitHub Pages' plugin whitelist",
    "remote_theme": "remote themes are not fetched",
    "future": "use `blog build --future`",
    "show_drafts": "use `blog build --drafts`",
    "unpublished": "use `blog build --unpublished`",
    "relative_permalinks": "removed in Jekyll 3 too",
    "incremental": "builds here are always incremental",
    "encoding": "sources are always read as UTF-8",
    "markdown_ext": "markdown files end in .md or .markdown",
    "strict_front_matter": "front matter errors always stop the build",
    "liquid": "Liquid runs strict here: unknown filters and syntax errors stop the build",
    "lsi": "related posts are not computed",
    "limit_posts": "every post is built",
    "port": "use `blog serve --port`",
    "host": "use `blog serve --host`",
    "livereload": "`blog serve` always reloads",
    "source": "run `blog build` inside the site",
    "webrick": "the dev server is `blog serve`",
    "quiet": "a command-line switch in Jekyll",
    "verbose": "a command-line switch in Jekyll",
    "profile": "a command-line switch in Jekyll",
}
TOC_DEPTH = re.compile(r"[1-6](?:-[1-6])?")

Check = Callable[[Any], str | None]  # returns what is wrong with a value of the right type, or None


@dataclass(frozen=True)
class Option:
    """One known key: its default, accepted types, help line and check."""

    default: Any
    types: tuple[type, ...]
    help: str
    check: Check | None = None
    items: tuple[type, ...] | None = None  # for lists: the type of every entry
    keys: Mapping[str, Option] | None = None  # for mappings: their own known keys
    open_keys: bool = False  # a mapping whose other keys are allowed (kept as they are)

    def describe(self) -> str:
        names = {bool: "true or false", int: "a whole number", str: "text", list: "a list", dict: "a mapping"}
        return " or ".join(names.get(t, "nothing" if t is type(None) else t.__name__) for t in self.types)


def _non_negative(value: int) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def _positive(value: int) -> str | None:
    return None if value > 0 else "must be 1 or more"


def _time_zone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {value!r}; use an IANA name like Europe/Berlin"
    return None


def _toc_depth(value: Any) -> str | None:
    levels = str(value).split("-")
    if not TOC_DEPTH.fullmatch(str(value)) or levels[0] > levels[-1]:
        return f"must be a heading level 1-6 or a range like 2-3, got {value!r}"
    return None


def _pygments_style(value: str) -> str | None:
    return None if is_style(value) else f"unknown Pygments style {value!r}; try default, friendly, monokai or nord"


def _has_num(value: str) -> str | None:
    return None if ":num" in value else "must contain :num, e.g. /page/:num/"


def _not_empty(value: str) -> str | None:
    return None if value else 'must not be empty; the default is a blank line ("\\n\\n")'


def _engine_name(value: str | None) -> str | None:
    if value is None or value in TEMPLATE_ENGINES:
        return None
    return f"must be liquid or jinja, got {value!r}"


def _markdown_name(value: Any) -> str | None:
    known = ("kramdown", "gfm", "commonmark", "commonmarkghpages", "markdown")
    if not isinstance(value, str) or value.lower() in known:
        return None
    return f"unknown markdown engine {value!r}; use kramdown (Jekyll's) or a mapping of this generator's settings"


def _gem_name(value: str | None) -> str | None:
    if value is None or re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", value):
        return None
    return f"must be the name of an installed gem theme, like minima, got {value!r}"


def _sass_style(value: str) -> str | None:
    styles = ("compact", "expanded", "compressed", "nested")
    return None if value in styles else f"must be one of {', '.join(styles)}, got {value!r}"


def _collections(value: Any) -> str | None:
    labels = value if isinstance(value, list) else list(value)
    for label in labels:
        if not isinstance(label, str) or not re.fullmatch(r"[A-Za-z0-9_\-.]+", label) or label.strip(".") == "":
            return f"a collection's label is a folder name without `_` (letters, digits, - _ .), got {label!r}"
    if isinstance(value, dict):
        for label, settings in value.items():
            if settings is not None and not isinstance(settings, dict):
                return f"{label}: expected a mapping like {{output: true, permalink: /:collection/:path/}}"
            permalink = (settings or {}).get("permalink")
            if permalink is not None and not isinstance(permalink, str):
                return f"{label}.permalink: expected text like /:collection/:path/"
    return None


def _inside_site(value: str) -> str | None:
    parts = value.replace("\\", "/").split("/")
    if value.startswith("/") or ".." in parts or ":" in value:
        return f"must be a folder inside the site, got {value!r}"
    return None


def _flag(default: bool, help_text: str) -> Option:
    return Option(default, (bool,), help_text)


MARKDOWN_ENGINES = ("python-markdown", "cmark")


def _markdown_engine(value: str) -> str | None:
    if value in MARKDOWN_ENGINES:
        return None
    return f"must be python-markdown (the default) or cmark (faster; issue #19), got {value!r}"


MARKDOWN: dict[str, Option] = {
    "engine": Option(
        "python-markdown", (str,), "python-markdown, or cmark: cmark-gfm with the same passes, faster", _markdown_engine
    ),
    "toc_depth": Option("2-3", (str, int), "heading levels in page.toc: one level or a range", _toc_depth),
    "heading_anchors": _flag(True, "give headings ids and a link to themselves"),
    "smart_quotes": _flag(False, "typographic quotes and dashes"),
    "math": _flag(True, "TeX between $…$, \\(…\\), $$…$$ or \\[…\\] becomes MathML"),
    "highlight_style_light": Option("default", (str,), "Pygments style for light mode", _pygments_style),
    "highlight_style_dark": Option("github-dark", (str,), "Pygments style for dark mode", _pygments_style),
}

JINJA_LIMITS: dict[str, Option] = {
    "output_bytes": Option(10_000_000, (int,), "most bytes one page's Jinja may produce", _positive),
    "loop_iterations": Option(1_000_000, (int,), "most loop iterations in one page's Jinja", _positive),
    "recursion_depth": Option(50, (int,), "deepest macro/include recursion in one page's Jinja", _positive),
}


def _image_widths(value: list) -> str | None:
    return None if all(w > 0 for w in value) else "every width must be 1 or more (pixels)"


def _quality(value: int) -> str | None:
    return None if 1 <= value <= 100 else "must be between 1 and 100"


def _image_formats(value: list) -> str | None:
    unknown = [f for f in value if f not in ("webp", "avif")]
    return f"unknown format {unknown[0]!r}; use webp and/or avif" if unknown else None


IMAGES: dict[str, Option] = {
    "enabled": _flag(True, "size, lazy-load and make resized variants of images in posts and pages"),
    "widths": Option([480, 800, 1280], (list,), "widths in pixels of resized variants", _image_widths, items=(int,)),
    "quality": Option(80, (int,), "encoder quality of variants, 1-100", _quality),
    "formats": Option(
        ["webp"],
        (list,),
        "variant formats: webp, avif (each kept only where it is smaller)",
        _image_formats,
        items=(str,),
    ),
    "max_megapixels": Option(
        40, (int, float), "larger images are refused (memory)", lambda v: None if v > 0 else "must be above 0"
    ),
}


def _folders_inside_site(value: list) -> str | None:
    return next((m for entry in value if isinstance(entry, str) and (m := _inside_site(entry))), None)


# Jekyll's `sass:` (jekyll-sass-converter with sassc, which is libsass as here). Its other keys
# (`sourcemap`, `implementation`, …) are accepted and have no effect.
SASS: dict[str, Option] = {
    "style": Option("compact", (str,), "CSS output style (Jekyll's default with sassc: compact)", _sass_style),
    "sass_dir": Option("_sass", (str,), "the folder of Sass partials `@import` reads", _inside_site),
    "load_paths": Option(
        [],
        (list,),
        "partial folders (globs) in the site, searched first",
        _folders_inside_site,
        items=(str,),
    ),
}

SCHEMA: dict[str, Option] = {
    "title": Option("My blog", (str,), "the site's name"),
    "description": Option("", (str,), "one sentence about the site (feed, meta description)"),
    "author": Option("", (str, dict), "a name, or a mapping with name/email/uri"),
    "url": Option("", (str,), "where the site is published, e.g. https://example.com"),
    "baseurl": Option("", (str,), "the path the site lives under, e.g. /repo for a project site"),
    "permalink": Option("date", (str,), "a style (date, pretty, ordinal, weekdate, none) or a pattern"),
    "timezone": Option(None, (str, type(None)), "IANA zone for dates without one (default UTC)", _time_zone),
    "exclude": Option([], (list,), "paths from the site root or globs left out of the site", items=(str,)),
    "include": Option([], (list,), "paths kept although hidden or excluded", items=(str,)),
    "keep_files": Option([".git", ".svn"], (list,), "output paths a build never deletes", items=(str,)),
    "excerpt_separator": Option("\n\n", (str,), "where a post's excerpt ends", _not_empty),
    "paginate": Option(0, (int,), "posts per home page (0: all on one)", _non_negative),
    "paginate_path": Option("/page/:num/", (str,), "URL of home page 2, 3, …", _has_num),
    "render_with_jinja": _flag(False, "run Jinja in every post and page body (sandboxed)"),
    "markdown": Option(
        {}, (dict, str), "markdown settings, or the name of Jekyll's engine (kramdown)", _markdown_name, keys=MARKDOWN
    ),
    "template_engine": Option(
        None, (str, type(None)), "liquid or jinja (default: liquid for a Jekyll site, else jinja)", _engine_name
    ),
    "defaults": Option([], (list,), "front matter defaults by path and type (Jekyll's `defaults:`)"),
    "generate": Option(
        {},
        (dict,),
        "turn generated pages off",
        keys={kind: _flag(True, f"generate {kind}") for kind in GENERATED_KINDS},
    ),
    "destination": Option("_site", (str,), "the output folder"),
    "lang": Option("en", (str,), "the site's language (html lang)"),
    "toc_min_headings": Option(3, (int,), "headings a page needs before its table of contents shows", _non_negative),
    "feed_limit": Option(20, (int,), "posts in the Atom feed", _positive),
    "safe": _flag(False, "build without plugins (for untrusted trees)"),
    "jinja_limits": Option({}, (dict,), "resource limits for Jinja in posts", keys=JINJA_LIMITS),
    "images": Option({}, (dict,), "the image pipeline", keys=IMAGES),
    "theme": Option(None, (str, type(None)), "a Jekyll gem theme installed on the machine (minima)", _gem_name),
    "sass": Option({}, (dict,), "Sass: output style and partials folder", keys=SASS, open_keys=True),
    "collections": Option(
        {}, (dict, list), "Jekyll collections: a list of labels, or label -> output/permalink/sort_by", _collections
    ),
    "collections_dir": Option("", (str,), "the folder holding the collections' `_<label>` folders", _inside_site),
    "cname": Option(None, (str, type(None)), "custom domain written to CNAME by `blog deploy`"),
}


def defaults() -> dict[str, Any]:
    """The default of every top-level key (nested mappings get their keys' defaults on load)."""
    return {key: option.default for key, option in SCHEMA.items()}


def nested_defaults(option: Option) -> dict[str, Any]:
    return {key: inner.default for key, inner in (option.keys or {}).items()}


def problems(
    values: Mapping[str, Any], schema: Mapping[str, Option] = SCHEMA, prefix: str = ""
) -> list[tuple[str, str]]:
    """(key path, what is wrong) for every value that breaks the schema, in schema order."""
    found: list[tuple[str, str]] = []
    for key, option in schema.items():
        if key not in values:
            continue
        value, path = values[key], prefix + key
        if not _has_type(value, option.types):
            found.append((path, f"expected {option.describe()}, got {type(value).__name__} {value!r}"))
            continue
        if option.items is not None:
            for index, entry in enumerate(value):
                if not _has_type(entry, option.items):
                    wanted = "a file name or glob pattern in quotes" if option.items == (str,) else "a whole number"
                    found.append((path, f"entry {index + 1} must be {wanted}, got {entry!r}"))
                    break
        if option.keys is not None and isinstance(value, dict):
            unknown = sorted(str(k) for k in value if k not in option.keys)
            if unknown and not option.open_keys:
                found.append((f"{path}.{unknown[0]}", f"unknown key; known keys: {', '.join(option.keys)}"))
            found.extend(problems(value, option.keys, path + "."))
        if option.check is not None:
            message = option.check(value)
            if message:
                found.append((path, message))
    return found


def _has_type(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool):  # YAML `yes` is a bool, and bool is an int in Python: keep them apart
        return bool in types
    return isinstance(value, types)
