"""Privacy by construction: no built page makes the browser fetch anything from another host.

Every resource a page loads (scripts, stylesheets, icons, preloads, images, frames, media,
objects, CSS url() and @import, JS module imports and workers) must be a file of the site itself.
Plain <a href> links to other sites are fine: following them is the reader's choice."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# A URL that leaves the site: a scheme with a host, or protocol-relative "//host".
OFF_SITE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
# link rel values that make the browser fetch the href.
LOADING_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "preload",
    "modulepreload",
    "prefetch",
    "prerender",
    "manifest",
    "mask-icon",
    "dns-prefetch",
    "preconnect",
}
# element -> attributes whose URL is fetched when the page loads.
LOADING_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "feimage": ("href", "xlink:href"),
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE | re.DOTALL)
JS_IMPORT = re.compile(
    r"""(?:\bimport\s*(?:[\w*{}\s,]+\s*from\s*)?|\bimport\s*\(\s*|\bnew\s+(?:Shared)?Worker\s*\(\s*|"""
    r"""\bimportScripts\s*\(\s*)(['"`])(.*?)\1"""
)


def urls_in_srcset(value: str) -> list[str]:
    return [candidate.strip().split()[0] for candidate in value.split(",") if candidate.strip()]


def urls_in_css(css: str) -> list[str]:
    return [m[2] or m[4] for m in CSS_URL.finditer(css)]


def urls_in_js(js: str) -> list[str]:
    return [m[2] for m in JS_IMPORT.finditer(js)]


class LoadedResources(HTMLParser):
    """Collects every URL a browser would fetch while loading the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []  # (what, url)
        self._in: str | None = None  # "style" or "script" while inside one
        self._script_is_inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k.lower(): v or "" for k, v in attrs}
        if tag == "link":
            rels = set(attributes.get("rel", "").lower().split())
            if rels & LOADING_RELS:
                self.urls.append((f"<link rel={attributes.get('rel')}>", attributes.get("href", "")))
            if "imagesrcset" in attributes:
                self.urls += [("<link imagesrcset>", u) for u in urls_in_srcset(attributes["imagesrcset"])]
        for attribute in LOADING_ATTRS.get(tag, ()):
            if attribute in attributes:
                values = urls_in_srcset(attributes[attribute]) if "srcset" in attribute else [attributes[attribute]]
                self.urls += [(f"<{tag} {attribute}>", v) for v in values]
        if "style" in attributes:
            self.urls += [(f"<{tag} style>", u) for u in urls_in_css(attributes["style"])]
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            self.urls.append(("<meta refresh>", attributes.get("content", "").partition("url=")[2]))
        if tag in ("style", "script"):
            self._in = tag
            self._script_is_inline = tag == "script" and "src" not in attributes

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.urls += [("<style> url()", u) for u in urls_in_css(data)]
        elif self._in == "script" and self._script_is_inline:
            self.urls += [("inline script import", u) for u in urls_in_js(data)]


def off_site(found: list[tuple[str, str]]) -> list[str]:
    return [f"{what}: {url}" for what, url in found if OFF_SITE.match(url)]


# ---- the detector itself: it must catch what it claims to catch -------------------------------


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.example.com/x.js"></script>',
        '<link rel="stylesheet" href="//fonts.example.com/css">',
        '<link rel="preload" as="font" href="http://example.com/f.woff2">',
        '<img alt="" srcset="/a.png 1x, https://example.com/b.png 2x">',
        '<iframe src="https://www.example.com/embed"></iframe>',
        '<video poster="https://example.com/p.jpg"></video>',
        "<div style=\"background: url('https://example.com/bg.png')\"></div>",
        '<style>@import "https://example.com/theme.css";</style>',
        '<script type="module">import {mount} from "https://example.com/m.js"; mount();</script>',
        '<object data="//example.com/thing.svg"></object>',
    ],
)
def test_detector_flags_off_site_loads(html: str) -> None:
    parser = LoadedResources()
    parser.feed(html)
    assert off_site(parser.urls), html


def test_detector_allows_links_and_own_files() -> None:
    parser = LoadedResources()
    parser.feed(
        '<a href="https://example.com/">a link</a><link rel="canonical" href="https://blog.example/x/">'
        '<script type="module">import {mount} from "/demos/x/main.1234.js";</script>'
        '<img src="/assets/a.png" alt=""><link rel="icon" href="data:image/svg+xml,%3Csvg%3E">'
    )
    assert parser.urls and not off_site(parser.urls)


# ---- the real site ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_site(repo_site: Path) -> Path:
    """The repository's own site, built once per session by tests/conftest.py."""
    return repo_site


def test_no_page_loads_anything_from_another_site(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= 10
    problems = []
    loads = 0
    for page in pages:
        parser = LoadedResources()
        parser.feed(page.read_text(encoding="utf-8"))
        loads += len(parser.urls)
        problems += [f"{page.relative_to(built_site)}: {p}" for p in off_site(parser.urls)]
    assert loads > len(pages), "found almost no loaded resources: the parser is not seeing the pages"
    assert not problems, "\n".join(problems)


def test_no_stylesheet_or_script_fetches_from_another_site(built_site: Path) -> None:
    problems = []
    styles = sorted(built_site.rglob("*.css"))
    assert styles, "the site has no stylesheet"
    for css in styles:
        problems += [
            f"{css.relative_to(built_site)}: url({u})" for u in urls_in_css(css.read_text("utf-8")) if OFF_SITE.match(u)
        ]
    for js in sorted(built_site.rglob("*.js")) + sorted(built_site.rglob("*.mjs")):
        problems += [
            f"{js.relative_to(built_site)}: import {u}" for u in urls_in_js(js.read_text("utf-8")) if OFF_SITE.match(u)
        ]
    assert not problems, "\n".join(problems)


def test_every_loaded_own_file_exists(built_site: Path) -> None:
    """A site-relative resource that is missing would 404 in the reader's browser."""
    missing = []
    for page in sorted(built_site.rglob("*.html")):
        parser = LoadedResources()
        parser.feed(page.read_text(encoding="utf-8"))
        for what, url in parser.urls:
            if OFF_SITE.match(url) or url.startswith(("data:", "#")) or not url.startswith("/"):
                continue
            target = built_site / url.split("?")[0].split("#")[0].lstrip("/")
            if url.endswith("/"):
                target = target / "index.html"
            if not target.exists():
                missing.append(f"{page.relative_to(built_site)}: {what} {url}")
    assert not missing, "\n".join(missing)
