"""The links of a built site: read out of its HTML, CSS, feeds and sitemap, and fetched when external.

Only reading and fetching live here; judging a link against the site is linkcheck.py's job. The
stdlib `html.parser` is enough: we only need start tags, attributes and positions, it is tolerant of
real-world HTML and adds no dependency.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag
from xml.etree import ElementTree

from generator.render.generated import ATOM as ATOM_NAMESPACE
from generator.write.safepath import MARKER

ATOM = "{" + ATOM_NAMESPACE + "}"  # ElementTree's spelling of a namespaced tag
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# Attributes holding one URL, per tag. srcset (several URLs) is handled apart.
URL_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}
# <link rel=...> values whose target the browser loads as a sub-resource (so http:// = mixed content);
# other rels (alternate, canonical, next …) are navigation like <a>.
RESOURCE_RELS = frozenset(
    {"stylesheet", "icon", "apple-touch-icon", "preload", "modulepreload", "prefetch", "manifest", "mask-icon"}
)
NOUNS = {
    "a": "link",
    "area": "link",
    "img": "image",
    "source": "image",
    "script": "script",
    "link": "link",
    "css": "reference",
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


@dataclass(frozen=True)
class Link:
    page: str  # output file relative to the site root, posix
    line: int  # line in that output file
    url: str
    noun: str  # what the reference is, for messages: link, image, script …
    resource: bool  # loaded by the browser (img, script, stylesheet), not navigated to
    written_by: str | None = None  # the page whose source wrote it, when not `page` (feed content)


class PageParser(HTMLParser):
    """Collects element ids (fragment targets) and every URL-bearing attribute with its line."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.ids: set[str] = set()
        self.links: list[Link] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        rels = set(values.get("rel", "").lower().split())
        resource = tag not in ("a", "area") and (tag != "link" or bool(rels & RESOURCE_RELS))
        noun = "stylesheet" if "stylesheet" in rels else NOUNS.get(tag, "reference")
        for attribute in URL_ATTRIBUTES.get(tag, ()):
            if attribute not in values:
                continue
            raw = values[attribute]
            urls = _srcset_urls(raw) if attribute == "srcset" else [raw.strip()]
            line = self._line_of(raw)
            self.links.extend(Link(self.page, line, url, noun, resource) for url in urls)

    def _line_of(self, value: str) -> int:
        # getpos() is the tag's first line; an attribute may sit on a later line of a long tag.
        line = self.getpos()[0]
        text = self.get_starttag_text() or ""
        offset = text.find(value)
        return line + text.count("\n", 0, offset) if offset > 0 else line


def parse_html(page: str, html: str) -> PageParser:
    """The ids and links of one HTML document (a page, or the HTML content of a feed entry)."""
    parser = PageParser(page)
    parser.feed(html)
    parser.close()
    return parser


def _srcset_urls(srcset: str) -> list[str]:
    """`a.png 1x, b.png 2x` -> [a.png, b.png]: each candidate is a URL and an optional descriptor."""
    return [candidate.split()[0] for candidate in srcset.split(",") if candidate.strip()]


def css_links(site_dir: Path, files: set[str]) -> list[Link]:
    """url(...) and @import in stylesheets: fonts and images are broken references too."""
    links: list[Link] = []
    for rel in sorted(name for name in files if name.endswith(".css")):
        text = (site_dir / rel).read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for match in CSS_URL.finditer(line):
                links.append(Link(rel, number, match.group(2) or match.group(4), "reference", True))
    return links


def index_urls(root: ElementTree.Element, noun: str) -> list[str]:
    """The page URLs a sitemap (noun "sitemap entry") or a feed names."""
    if noun == "sitemap entry":
        return [(element.text or "").strip() for element in root.iter(f"{SITEMAP}loc")]
    # Atom links, or RSS 2.0 <link>text</link>
    urls = [element.get("href", "") for element in root.iter(f"{ATOM}link")]
    return urls + [(element.text or "").strip() for element in root.iter("link")]


def first_line_containing(lines: list[str], url: str) -> int:
    """The line of an XML attribute or element whose value is exactly `url` (1 when not found)."""
    escaped = url.replace("&", "&amp;")
    needles = [f'"{escaped}"', f"'{escaped}'", f">{escaped}<"]
    return next((number for number, text in enumerate(lines, start=1) if any(n in text for n in needles)), 1)


def site_files(site_dir: Path) -> set[str]:
    """Every file of the built site, relative and posix, without the build's own marker."""
    files: set[str] = set()
    for folder, _, names in os.walk(site_dir):
        for name in names:
            rel = Path(folder, name).relative_to(site_dir).as_posix()
            if rel != MARKER:
                files.add(rel)
    return files


def read_origins(site_dir: Path) -> dict[str, str]:
    """Output path -> source path, from the marker every build writes; {} for a foreign site."""
    try:
        marker = json.loads((site_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    origins = marker.get("origins") if isinstance(marker, dict) else None
    return {str(key): str(value) for key, value in origins.items()} if isinstance(origins, dict) else {}


# --- external links ---------------------------------------------------------------------------
def fetch_failure(url: str, timeout: float = 5.0) -> str | None:
    """None when the URL answers with a success status; else a short reason. HEAD first (cheap),
    then GET, because many servers refuse or mishandle HEAD."""
    reason = "no answer"
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(
            urldefrag(url)[0], method=method, headers={"User-Agent": "blog-check/1 (link checker)"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                return None
        except urllib.error.HTTPError as error:
            reason = f"HTTP {error.code}"
        except (urllib.error.URLError, OSError, ValueError) as error:
            return str(getattr(error, "reason", error))
    return reason


def fetch_failures(urls: set[str], timeout: float = 5.0) -> dict[str, str]:
    """url -> reason for each URL that does not answer with success; requests run eight at a time."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        reasons = dict(zip(sorted(urls), pool.map(lambda url: fetch_failure(url, timeout), sorted(urls)), strict=True))
    return {url: reason for url, reason in reasons.items() if reason is not None}
