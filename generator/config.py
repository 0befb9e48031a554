"""`_config.yml` plus defaults -> a frozen, type-checked Config. Unknown keys are kept so templates
can read them as `site.<key>`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.errors import ConfigError
from generator.frontmatter import decode_text, key_line, load_yaml

CONFIG_NAME = "_config.yml"

GENERATED_KINDS = ("home", "archive", "tags", "feed", "sitemap", "robots", "not_found", "demos")

DEFAULTS: dict[str, Any] = {
    "title": "My blog",
    "description": "",
    "author": "",
    "url": "",
    "baseurl": "",
    "permalink": "date",
    "timezone": None,
    "exclude": [],
    "include": [],
    "keep_files": [".git", ".svn"],
    "excerpt_separator": "\n\n",
    "paginate": 0,
    "paginate_path": "/page/:num/",
    "render_with_jinja": False,
    "markdown": {},
    "defaults": [],
    "generate": {},
    "destination": "_site",
    "lang": "en",
    "toc_min_headings": 3,
}

# Always left out of the output, whatever `exclude` says; users add to this list, not replace it.
ALWAYS_EXCLUDED = [
    "_site",
    ".blog-cache",
    "node_modules",
    "vendor",
    "Gemfile",
    "Gemfile.lock",
    "pyproject.toml",
    "requirements.txt",  # what the Pages workflow installs (blog init writes it)
    "requirements",  # the generator's own lock file folder
    "CHANGELOG.md",
    "README.md",
    "LICENSE",
    "tests",
    "bench",
    "scripts",
    "generator",
    "build",
    "dist",
    "__pycache__",
    "*.egg-info",
    "venv",
    ".venv",
]

MARKDOWN_DEFAULTS: dict[str, Any] = {
    "toc_depth": "2-3",
    "heading_anchors": True,
    "smart_quotes": False,
    "math": True,
    "highlight_style_light": "default",
    "highlight_style_dark": "monokai",
}

TYPES: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "description": str,
    "author": (str, dict),
    "url": str,
    "baseurl": str,
    "permalink": str,
    "timezone": (str, type(None)),
    "exclude": list,
    "include": list,
    "keep_files": list,
    "excerpt_separator": str,
    "paginate": int,
    "paginate_path": str,
    "render_with_jinja": bool,
    "markdown": dict,
    "defaults": list,
    "generate": dict,
    "destination": str,
    "lang": str,
    "toc_min_headings": int,
}


@dataclass(frozen=True)
class FrontMatterDefault:
    """One entry of Jekyll's `defaults:` — values applied to documents matching path and type."""

    path: str
    type: str | None
    values: Mapping[str, Any]

    def matches(self, relative_path: str, doc_type: str) -> bool:
        if self.type and self.type != doc_type:
            return False
        prefix = self.path.strip("/")
        return not prefix or relative_path == prefix or relative_path.startswith(prefix + "/")


@dataclass(frozen=True)
class Config:
    source: Path
    destination: Path
    values: Mapping[str, Any]
    defaults: tuple[FrontMatterDefault, ...] = ()
    config_file: Path | None = None
    drafts: bool = False
    future: bool = False
    unpublished: bool = False
    markdown: Mapping[str, Any] = field(default_factory=dict)
    timezone: dt.tzinfo = dt.UTC

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    @property
    def title(self) -> str:
        return self.values["title"]

    @property
    def url(self) -> str:
        return self.values["url"]

    @property
    def baseurl(self) -> str:
        return self.values["baseurl"]

    @property
    def permalink(self) -> str:
        return self.values["permalink"]

    def generates(self, kind: str) -> bool:
        return bool(self.values["generate"].get(kind, True))

    def excluded_patterns(self) -> list[str]:
        return ALWAYS_EXCLUDED + list(self.values["exclude"])


def normalise_baseurl(value: str) -> str:
    """'' or '/repo' — never a trailing slash, always a leading one, so joins are simple."""
    value = value.strip().strip("/")
    return f"/{value}" if value else ""


def read_config_file(path: Path) -> tuple[dict[str, Any], str]:
    if not path.exists():
        return {}, ""
    text = decode_text(path.read_bytes(), path)
    try:
        data = load_yaml(text, path) if text.strip() else {}
    except Exception as e:  # FrontMatterError names the line; re-type it as a config problem
        raise ConfigError(getattr(e, "message", str(e)), _display_path(path), getattr(e, "line", None)) from e
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("the config must be a YAML mapping of `key: value` lines", _display_path(path), 1)
    return {str(k): v for k, v in data.items()}, text


def load_config(
    source: Path,
    *,
    destination: Path | None = None,
    config_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    drafts: bool = False,
    future: bool = False,
    unpublished: bool = False,
) -> Config:
    source = source.resolve()
    path = (config_file or source / CONFIG_NAME).resolve()
    if config_file is not None and not path.exists():
        raise ConfigError("config file not found; check the --config path", _display_path(path))
    raw, text = read_config_file(path)
    values: dict[str, Any] = {**DEFAULTS, **raw, **(overrides or {})}

    shown = _display_path(path)

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(f"{key}: {message}", shown, key_line(text, key) if text else None)

    for key, expected in TYPES.items():
        if not isinstance(values[key], expected) or (expected is int and isinstance(values[key], bool)):
            names = expected.__name__ if isinstance(expected, type) else " or ".join(t.__name__ for t in expected)
            raise fail(key, f"expected {names}, got {type(values[key]).__name__} {values[key]!r}")
    if values["paginate"] < 0:
        raise fail("paginate", "must be 0 (off) or a positive number of posts per page")
    if ":num" not in values["paginate_path"]:
        raise fail("paginate_path", "must contain :num, e.g. /page/:num/")
    values["baseurl"] = normalise_baseurl(values["baseurl"])
    values["url"] = values["url"].rstrip("/")
    # Without `timezone:` Jekyll uses the machine's zone; UTC keeps builds reproducible across
    # machines, which matters more for a site deployed from CI.
    try:
        tz: dt.tzinfo = ZoneInfo(values["timezone"]) if values["timezone"] else dt.UTC
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise fail("timezone", f"unknown time zone {values['timezone']!r}; use an IANA name like Europe/Berlin") from e
    markdown = {**MARKDOWN_DEFAULTS, **values["markdown"]}
    values["markdown"] = markdown
    dest = destination or Path(values["destination"])
    dest = (dest if dest.is_absolute() else source / dest).resolve()
    return Config(
        source=source,
        destination=dest,
        values=MappingProxyType(values),
        defaults=_front_matter_defaults(values["defaults"], fail),
        config_file=path if path.exists() else None,
        drafts=drafts,
        future=future,
        unpublished=unpublished,
        markdown=MappingProxyType(markdown),
        timezone=tz,
    )


def _display_path(path: Path) -> str:
    """Paths in messages are relative to the working directory when possible: clickable, short."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _front_matter_defaults(entries: list[Any], fail: Any) -> tuple[FrontMatterDefault, ...]:
    result = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
            raise fail("defaults", f"entry {index + 1} needs `scope:` and a `values:` mapping")
        scope = entry.get("scope") or {}
        if not isinstance(scope, dict):
            raise fail("defaults", f"entry {index + 1}: `scope` must be a mapping with path/type")
        doc_type = scope.get("type")
        if doc_type not in (None, "posts", "pages", "drafts"):
            raise fail("defaults", f"entry {index + 1}: scope type must be posts, pages or drafts")
        result.append(FrontMatterDefault(str(scope.get("path", "")), doc_type, MappingProxyType(dict(entry["values"]))))
    return tuple(result)
