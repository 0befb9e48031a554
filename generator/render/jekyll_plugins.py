"""GitHub Pages plugins built in for Jekyll (Liquid) sites when named in `plugins:`/`gems:`:
jekyll-redirect-from (`redirect_from:` pages, `redirect_to:`, `redirects.json`), jekyll-gist (a plain
link to the gist, never a script from GitHub) and jemoji (`:smile:` -> Unicode emoji, never images
from a CDN; code is left alone). Pure functions of text; liquid_render.py and jekyll_tags.py call them."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

# jekyll-redirect-from 0.16's redirect.html, with the target escaped for its places (attribute, script).
REDIRECT_PAGE = """<!DOCTYPE html>
<html lang="en-US">
  <meta charset="utf-8">
  <title>Redirecting&hellip;</title>
  <link rel="canonical" href="{attr}">
  <script>location={script}</script>
  <meta http-equiv="refresh" content="0; url={attr}">
  <meta name="robots" content="noindex">
  <h1>Redirecting&hellip;</h1>
  <a href="{attr}">Click here if you are not redirected.</a>
</html>
"""
ABSOLUTE = re.compile(r"^https?://")
# Text in these elements is code or not text at all: jemoji (HTML::Pipeline's EmojiFilter) skips it.
NO_EMOJI = frozenset({"pre", "code", "tt", "kbd", "samp", "script", "style", "textarea"})
MARKUP = re.compile(r"<!--.*?-->|<![^>]*>|<[^>]*>", re.S)
TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)")


def named(values: Mapping[str, Any]) -> frozenset[str]:
    """The plugins a site names (`plugins:` and its old name `gems:`)."""
    return frozenset(str(p) for key in ("plugins", "gems") for p in (values.get(key) or ()))


# -- jekyll-redirect-from -------------------------------------------------------------------------
def redirect_target(to: str, url: str, baseurl: str) -> str:
    """Where a redirect points: as given when absolute, else `absolute_url` of it (as the plugin)."""
    if ABSOLUTE.match(to):
        return to
    return url + baseurl + "/" + to.lstrip("/")


def redirect_page(target: str) -> str:
    script = json.dumps(target).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return REDIRECT_PAGE.format(attr=html.escape(target, quote=True), script=script)


def redirect_from(meta: Mapping[str, Any]) -> list[str]:
    """`redirect_from:` as a list of site paths with a leading slash (one string or a list)."""
    given = meta.get("redirect_from")
    entries = given if isinstance(given, (list, tuple)) else [given]
    return ["/" + str(entry).lstrip("/") for entry in entries if entry is not None and str(entry).strip()]


def redirect_to(meta: Mapping[str, Any]) -> str | None:
    given = meta.get("redirect_to")
    if isinstance(given, (list, tuple)):
        given = next((entry for entry in given if entry is not None), None)
    return str(given) if given else None


def redirect_output_path(url: str) -> str:
    """Jekyll's Page#destination: `/a/` -> a/index.html, `/a.html` as is, `/a` -> a.html."""
    path = url.lstrip("/")
    if not path or path.endswith("/"):
        return path + "index.html"
    return path if PurePosixPath(path).suffix else path + ".html"


def plugin_page(name: str, url: str, folder: str) -> dict[str, Any]:
    """A generated page's Liquid fields as Jekyll shows them in `site.pages` (no file, no title)."""
    return {"name": name, "path": name, "dir": folder, "url": url, "content": "", "title": None, "layout": None}


def redirects_json(redirects: Iterable[tuple[str, str]]) -> bytes:
    """`redirects.json` as the plugin writes it (Ruby's to_json: compact, UTF-8, `/` unescaped)."""
    return json.dumps(dict(redirects), separators=(",", ":"), ensure_ascii=False).encode()


# -- jekyll-gist ----------------------------------------------------------------------------------
def gist_link(gist_id: str, filename: str = "") -> str:
    """`{% gist user/id [file] %}` as a link to the gist (jekyll-gist writes a script tag from GitHub)."""
    href = "https://gist.github.com/" + gist_id.strip("/")
    text = f"View gist {gist_id}"
    if filename:
        href += "#file-" + re.sub(r"[^a-z0-9]+", "-", filename.lower()).strip("-")
        text = f"View {filename} from gist {gist_id}"
    # A block, as jekyll-gist's <script> is one: markdown leaves it unwrapped (no extra <p>).
    return f'<div class="gist-link"><a class="gist" href="{html.escape(href)}">{html.escape(text)}</a></div>'


# -- jemoji ---------------------------------------------------------------------------------------
def emojify(page: str) -> str:
    """`:alias:` -> Unicode emoji in the text of the page's body, outside code and scripts.
    Unknown names stay as written (jemoji does the same)."""
    if ":" not in page:
        return page
    import emoji  # only sites naming jemoji pay for the import

    body = page.find("<body")
    start = body if body >= 0 else 0
    pieces = [page[:start]]
    skipping = 0
    position = start
    for match in MARKUP.finditer(page, start):
        text = page[position : match.start()]
        pieces.append(emoji.emojize(text, language="alias") if not skipping and ":" in text else text)
        tag = match.group(0)
        name = TAG_NAME.match(tag)
        if name and name.group(1).lower() in NO_EMOJI and not tag.endswith("/>"):
            skipping = max(0, skipping - 1) if tag.startswith("</") else skipping + 1
        pieces.append(tag)
        position = match.end()
    rest = page[position:]
    pieces.append(emoji.emojize(rest, language="alias") if not skipping and ":" in rest else rest)
    return "".join(pieces)
