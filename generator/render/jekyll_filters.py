"""Jekyll's Liquid filters (Jekyll::Filters and jekyll's URL filters) as plain functions over frozen
template data, registered on the Liquid environment by liquid_env.py. The shared ones (dates,
URLs, slugify, where, group_by) are the Jinja filters of filters.py; the rest follow Jekyll 4."""

from __future__ import annotations

import datetime as dt
import html
import json
import random
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from liquid import Environment
from liquid.filter import with_context
from liquid.undefined import Undefined

from generator.render import filters as jinja_filters

WORD = re.compile(r"\S+")
SMART = (("---", "\u2014"), ("--", "\u2013"), ("...", "\u2026"))


def _plain(value: Any) -> Any:
    return None if isinstance(value, Undefined) else value


def _items(value: Any) -> list[Any]:
    value = _plain(value)
    if value is None:
        return []
    if isinstance(value, Mapping):
        return list(value.values())
    if isinstance(value, (str, bytes)):
        return [value]
    return list(value) if isinstance(value, Iterable) else [value]


def _dig(item: Any, path: str) -> Any:
    for name in path.split("."):
        item = item.get(name) if isinstance(item, Mapping) else None
    return item


def _date(value: Any) -> dt.datetime | None:
    value = _plain(value)
    if value == "now" or value == "today":
        return dt.datetime.now(dt.UTC)
    return jinja_filters.to_datetime(value)


def date_to_string(value: Any, style: str = "", order: str = "") -> str:
    moment = _date(value)
    if moment is None:
        return ""
    month = moment.strftime("%b")
    day = _ordinal(moment.day) if style == "ordinal" else str(moment.day).zfill(2)
    if order == "US":
        return f"{month} {day}, {moment.year}"
    return f"{day} {month} {moment.year}"


def date_to_long_string(value: Any, style: str = "", order: str = "") -> str:
    moment = _date(value)
    if moment is None:
        return ""
    month = moment.strftime("%B")
    day = _ordinal(moment.day) if style == "ordinal" else str(moment.day).zfill(2)
    return f"{month} {day}, {moment.year}" if order == "US" else f"{day} {month} {moment.year}"


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def xml_escape(value: Any) -> str:
    # Ruby's CGI.escapeHTML / REXML: & < > " ' all escaped, as jekyll-feed's output shows.
    return html.escape("" if _plain(value) is None else str(value), quote=True).replace("&#x27;", "&#39;")


def cgi_escape(value: Any) -> str:
    return urllib.parse.quote_plus(str(_plain(value) or ""))


def uri_escape(value: Any) -> str:
    # Addressable::URI.normalize_component keeps the reserved characters of a URI.
    return urllib.parse.quote(str(_plain(value) or ""), safe="!#$&'()*+,/:;=?@[]~%")


def number_of_words(value: Any, mode: str = "") -> int:
    return len(WORD.findall(str(_plain(value) or "")))


def array_to_sentence_string(value: Any, connector: str = "and") -> str:
    words = [str(item) for item in _items(value)]
    if len(words) <= 1:
        return "".join(words)
    if len(words) == 2:
        return f"{words[0]} {connector} {words[1]}"
    return f"{', '.join(words[:-1])}, {connector} {words[-1]}"


def smartify(value: Any) -> str:
    text = str(_plain(value) or "")
    for plain, typographic in SMART:
        text = text.replace(plain, typographic)
    text = re.sub(r'(^|[\s(\[{])"', "\\1\u201c", text)
    text = re.sub(r"(^|[\s(\[{])'", "\\1\u2018", text)
    return text.replace('"', "\u201d").replace("'", "\u2019")


def normalize_whitespace(value: Any) -> str:
    return re.sub(r"\s+", " ", str(_plain(value) or "")).strip()


def jsonify(value: Any) -> str:
    return json.dumps(jinja_filters.jsonable(_plain(value)), ensure_ascii=False, separators=(",", ":"))


def where(value: Any, key: str, target: Any) -> list[Any]:
    wanted = "" if _plain(target) is None else str(target)

    def matches(item: Any) -> bool:
        found = _dig(item, str(key))
        if isinstance(found, (list, tuple)):
            return wanted in [str(x) for x in found]
        return ("" if found is None else str(found)) == wanted

    return [item for item in _items(value) if matches(item)]


@with_context
def where_exp(value: Any, variable: str, expression: str, *, context: Any) -> list[Any]:
    """Jekyll evaluates the expression as a Liquid condition with the item bound to `variable`."""
    test = _compiled(context.env, "{% if " + str(expression) + " %}1{% endif %}")
    return [item for item in _items(value) if _with(context, test, str(variable), item) == "1"]


def _compiled(env: Environment, source: str) -> Any:
    cache = env.__dict__.setdefault("_jekyll_expressions", {})
    if source not in cache:
        cache[source] = env.from_string(source)
    return cache[source]


def _with(context: Any, template: Any, variable: str, item: Any) -> str:
    namespace = {name: context.resolve(name) for name in ("site", "page", "layout", "include", "paginator")}
    return template.render(**{k: v for k, v in namespace.items() if not isinstance(v, Undefined)}, **{variable: item})


def find(value: Any, key: str, target: Any) -> Any:
    found = where(value, key, target)
    return found[0] if found else None


@with_context
def find_exp(value: Any, variable: str, expression: str, *, context: Any) -> Any:
    found = where_exp(value, variable, expression, context=context)
    return found[0] if found else None


def group_by(value: Any, key: str) -> list[dict[str, Any]]:
    # Jekyll's groups: `name` is the value as text, in order of first appearance.
    result: dict[str, list[Any]] = {}
    for item in _items(value):
        found = _dig(item, str(key))
        result.setdefault("" if found is None else str(found), []).append(item)
    return [{"name": name, "items": items, "size": len(items)} for name, items in result.items()]


@with_context
def group_by_exp(value: Any, variable: str, expression: str, *, context: Any) -> list[dict[str, Any]]:
    template = _compiled(context.env, "{{ " + str(expression) + " }}")
    result: dict[str, list[Any]] = {}
    for item in _items(value):
        result.setdefault(_with(context, template, str(variable), item), []).append(item)
    return [{"name": name, "items": items, "size": len(items)} for name, items in result.items()]


def sort(value: Any, key: Any = None, nils: str = "first") -> list[Any]:
    items = _items(value)
    if _plain(key) is None:
        return sorted(items, key=lambda x: (str(type(x)), x))
    present = [item for item in items if _dig(item, str(key)) is not None]
    missing = [item for item in items if _dig(item, str(key)) is None]
    ordered = sorted(present, key=lambda item: _dig(item, str(key)))
    return missing + ordered if nils == "first" else ordered + missing


def sample(value: Any, count: Any = None) -> Any:
    # Jekyll samples at random; a build here is reproducible, so the random source is seeded.
    items = _items(value)
    chooser = random.Random(len(items))
    if _plain(count) is None:
        return chooser.choice(items) if items else None
    return chooser.sample(items, min(int(count), len(items)))


def jekyll_filters(baseurl: str, url: str, markdownify: Callable[[str], str]) -> dict[str, Callable[..., Any]]:
    return {
        "relative_url": lambda path: jinja_filters.relative_url(_plain(path) or "", baseurl),
        "absolute_url": lambda path: jinja_filters.absolute_url(_plain(path) or "", url, baseurl),
        "date_to_xmlschema": lambda v: jinja_filters.date_to_xmlschema(_plain(v)),
        "date_to_rfc822": lambda v: jinja_filters.date_to_rfc822(_plain(v)),
        "date_to_string": date_to_string,
        "date_to_long_string": date_to_long_string,
        "xml_escape": xml_escape,
        "cgi_escape": cgi_escape,
        "uri_escape": uri_escape,
        "number_of_words": number_of_words,
        "array_to_sentence_string": array_to_sentence_string,
        "markdownify": lambda text: markdownify(str(_plain(text) or "")),
        "smartify": smartify,
        "slugify": lambda v, mode="default": jinja_filters.slugify(_plain(v)),
        "jsonify": jsonify,
        "where": where,
        "where_exp": where_exp,
        "find": find,
        "find_exp": find_exp,
        "group_by": group_by,
        "group_by_exp": group_by_exp,
        "sort": sort,
        "sample": sample,
        "normalize_whitespace": normalize_whitespace,
        "inspect": lambda v: repr(_plain(v)),
    }


def register(env: Environment, baseurl: str, url: str, markdownify: Callable[[str], str]) -> None:
    env.filters.update(jekyll_filters(baseurl, url, markdownify))
