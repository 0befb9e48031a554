"""`_config.yml` plus defaults -> a frozen, type-checked Config. Unknown keys are kept so templates
can read them as `site.<key>`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from collections.abc import Mapping
from zoneinfo import ZoneInfo


from generator.config_schema import GENERATED_KINDS, SCHEMA, defaults, nested_defaults, problems
from generator.errors import ConfigError, FrontMatterError
from generator.frontmatter import decode_text, key_line, load_yaml, yaml_loader

CONFIG_NAME = "_config.yml"
DEFAULTS: dict[str, Any] = defaults()
MARKDOWN_DEFAULTS: dict[str, Any] = nested_defaults(SCHEMA["markdown"])

# Left out of every site whatever `exclude` says: what no site wants published (Jekyll's own list:
# Ruby bundler files and vendored gems, node_modules, caches) plus this generator's cache. Anything
# a particular site keeps beside its content (README, tooling, tests) goes in that site's `exclude:`.
# Entries match paths from the site root (a folder entry covers everything under it), never a
# folder of the same name deeper down: `tests` excludes `tests/`, not `docs/tests/`.
ALWAYS_EXCLUDED = [
    ".blog-cache",
    ".sass-cache",
    ".jekyll-cache",
    "gemfiles",
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor/bundle",
    "vendor/cache",
    "vendor/gems",
    "vendor/ruby",
]


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
    """The loaded `_config.yml`: the site's folders, its values and its front matter defaults."""

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
    except FrontMatterError as e:  # names the line; re-typed as a config problem (bugs stay bugs)
        raise ConfigError(e.message, _display_path(path), e.line) from e
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
    if path.exists() and not path.is_file():
        raise ConfigError("the config is not a file (a folder?); point --config at a YAML file", _display_path(path))
    raw, text = read_config_file(path)
    values: dict[str, Any] = {**DEFAULTS, **raw, **(overrides or {})}

    shown = _display_path(path)

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(f"{key}: {message}", shown, key_line(text, key) if text else None)

    found = problems(values)
    if found:
        key, message = found[0]
        raise ConfigError(f"{key}: {message}", shown, key_path_line(text, key) if text else None)
    values["baseurl"] = normalise_baseurl(values["baseurl"])
    values["url"] = values["url"].rstrip("/")
    # Without `timezone:` Jekyll uses the machine's zone; UTC keeps builds reproducible across
    # machines, which matters more for a site deployed from CI. (The schema checked the name.)
    tz: dt.tzinfo = ZoneInfo(values["timezone"]) if values["timezone"] else dt.UTC
    # A `theme:` is a Jekyll gem theme (load/theme.py): such a site is Liquid even without layouts.
    jekyll_theme = "liquid" if values.get("theme") else None
    values["template_engine"] = values["template_engine"] or jekyll_theme or detect_engine(source)
    values["template_engine_detected"] = raw.get("template_engine") is None
    markdown = markdown_settings(values)
    values["markdown"] = markdown
    if values["template_engine"] == "liquid":
        values["generate"] = {**jekyll_generated(values), **values["generate"]}
        if "paginate_path" not in raw:
            values["paginate_path"] = "/page:num/"  # jekyll-paginate's default
    values["jinja_limits"] = {**nested_defaults(SCHEMA["jinja_limits"]), **values["jinja_limits"]}
    dest = destination or Path(values["destination"])
    dest = (dest if dest.is_absolute() else source / dest).resolve()
    return Config(
        source=source,
        destination=dest,
        values=MappingProxyType(values),
        defaults=_front_matter_defaults(values["defaults"], fail, _collection_labels(values)),
        config_file=path if path.exists() else None,
        drafts=drafts,
        future=future,
        unpublished=unpublished,
        markdown=MappingProxyType(markdown),
        timezone=tz,
    )


# -- Jekyll sites --------------------------------------------------------------------------------
# Liquid that Jinja cannot parse and Jekyll themes always contain: an include of a bare file name,
# a filter argument after `:`, a `for` with `limit:`/`offset:`, `{% endif %}`-style `{% endunless %}`…
LIQUID_MARKERS = re.compile(
    r"{%-?\s*include(?:_relative)?\s+[\w./-]+\.\w+|\|\s*\w+\s*:|{%-?\s*for\s[^%]*\b(?:limit|offset):"
    r"|{%-?\s*(?:unless|endunless|capture|assign|seo|feed_meta|highlight|post_url|link)\b"
)


def detect_engine(source: Path) -> str:
    """`liquid` when the site's layouts or includes are written in Liquid (a Jekyll site)."""
    for folder in ("_layouts", "_includes"):
        root = source / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".html", ".xml", ".md", ".liquid", ".txt"):
                try:
                    if LIQUID_MARKERS.search(path.read_text("utf-8", errors="replace")[:200_000]):
                        return "liquid"
                except OSError:
                    continue
    return "jinja"


def markdown_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """`markdown: kramdown` (Jekyll's form, a string naming the engine) or this generator's mapping.
    A Liquid (Jekyll) site gets kramdown's dialect: `$$` math only, smart quotes, no heading links."""
    given = values["markdown"]
    if isinstance(given, str) or values["template_engine"] == "liquid":
        mapping = {} if isinstance(given, str) else given
        jekyll = {"smart_quotes": True, "heading_anchors": False, "dialect": "kramdown"}
        # kramdown's heading ids (render/kramdown.py): auto_ids, auto_id_prefix, and the parser's rule.
        options = values.get("kramdown") if isinstance(values.get("kramdown"), Mapping) else {}
        jekyll["kramdown_ids"] = [
            options.get("auto_ids", True) is not False,
            str(options.get("auto_id_prefix") or ""),
            str(options.get("input") or "GFM"),
        ]
        return {**MARKDOWN_DEFAULTS, **jekyll, **mapping}
    return {**MARKDOWN_DEFAULTS, **given}


def jekyll_generated(values: Mapping[str, Any]) -> dict[str, bool]:
    """What Jekyll itself makes: nothing beyond the site's files, except what its plugins add."""
    plugins = {str(p) for p in [*(values.get("plugins") or []), *(values.get("gems") or [])]}
    made = dict.fromkeys(GENERATED_KINDS, False)
    made["feed"] = "jekyll-feed" in plugins
    made["sitemap"] = made["robots"] = "jekyll-sitemap" in plugins  # it writes robots.txt too
    made["home"] = "jekyll-paginate" in plugins and bool(values.get("paginate"))
    return made


def key_path_line(text: str, dotted: str) -> int | None:
    """The line of a (possibly nested) key like `markdown.toc_depth`; the nearest enclosing key's
    line when the inner one cannot be found (a mapping written inline, say)."""
    names = dotted.split(".")
    line = key_line(text, names[0])
    if line is None or len(names) == 1:
        return line
    import yaml  # only for a message about a key's value

    try:
        node = yaml.compose(text, Loader=yaml_loader())
        for name in names:
            key_node, node = next((k, v) for k, v in node.value if getattr(k, "value", None) == name)
            line = 1 + key_node.start_mark.line
    except (yaml.YAMLError, StopIteration, AttributeError, TypeError):
        pass
    return line


def _display_path(path: Path) -> str:
    """Paths in messages are relative to the working directory when possible: clickable, short."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _collection_labels(values: Mapping[str, Any]) -> tuple[str, ...]:
    given = values.get("collections") or ()
    return tuple(str(label) for label in given)


def _front_matter_defaults(
    entries: list[Any], fail: Any, labels: tuple[str, ...] = ()
) -> tuple[FrontMatterDefault, ...]:
    result = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
            raise fail("defaults", f"entry {index + 1} needs `scope:` and a `values:` mapping")
        scope = entry.get("scope") or {}
        if not isinstance(scope, dict):
            raise fail("defaults", f"entry {index + 1}: `scope` must be a mapping with path/type")
        doc_type = scope.get("type")
        if doc_type not in (None, "posts", "pages", "drafts", *labels):
            raise fail("defaults", f"entry {index + 1}: scope type must be posts, pages, drafts or a collection")
        result.append(FrontMatterDefault(str(scope.get("path", "")), doc_type, MappingProxyType(dict(entry["values"]))))
    return tuple(result)
