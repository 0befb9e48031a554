"""jekyll-seo-tag's `{% seo %}` and jekyll-feed's `{% feed_meta %}` as built-ins: the same tags
and values the plugins write (jekyll-seo-tag 2.8's template, its title and description rules),
from the page and site of the render, never fetching anything."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from generator.render import filters

JEKYLL_VERSION = "4.3.1"  # what `jekyll.version` and the generator meta say (the version emulated)
TAG = re.compile(r"<[^>]+>")


def _text(value: Any) -> str:
    if value is None or not isinstance(value, (str, int, float)):
        return ""
    return re.sub(r"\s+", " ", TAG.sub("", str(value))).strip()


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def seo(context: Mapping[str, Any], argument: str) -> str:
    site, page = context.get("site") or {}, context.get("page") or {}
    paginator = context.get("paginator") or {}
    url, baseurl = str(site.get("url") or ""), str(site.get("baseurl") or "")
    site_title = _text(site.get("title") or site.get("name"))
    page_title = _text(page.get("title")) or site_title
    is_home = page.get("url") in ("/", "/index.html")
    title = page_title
    if site_title and page_title != site_title:
        title = f"{page_title} | {site_title}"
    elif is_home and site_title and _text(site.get("description")):
        title = f"{site_title} | {_text(site.get('tagline') or site.get('description'))}"
    if (paginator.get("page") or 1) > 1:  # jekyll-seo-tag's title of pages 2…
        title = f"Page {paginator['page']} of {paginator['total_pages']} for {title}"
    if "title=false" in argument.replace(" ", ""):
        title = ""
    description = _text(page.get("description") or page.get("excerpt") or site.get("description"))
    canonical = page.get("canonical_url") or filters.absolute_url(
        re.sub(r"/index\.html$", "/", str(page.get("url") or "/")), url, baseurl
    )
    author = page.get("author") or site.get("author")
    author_name = _text(author.get("name") if isinstance(author, Mapping) else author)
    lines = ["<!-- Begin Jekyll SEO tag v2.8.0 -->"]
    if title:
        lines.append(f"<title>{_attr(title)}</title>")
    lines.append(f'<meta name="generator" content="Jekyll v{JEKYLL_VERSION}" />')
    if page_title:
        lines.append(f'<meta property="og:title" content="{_attr(page_title)}" />')
    if author_name:
        lines.append(f'<meta name="author" content="{_attr(author_name)}" />')
    lines.append(
        f'<meta property="og:locale" content="{_attr(str(page.get("locale") or site.get("locale") or "en_US"))}" />'
    )
    if description:
        lines.append(f'<meta name="description" content="{_attr(description)}" />')
        lines.append(f'<meta property="og:description" content="{_attr(description)}" />')
    if url:
        lines.append(f'<link rel="canonical" href="{_attr(canonical)}" />')
        lines.append(f'<meta property="og:url" content="{_attr(canonical)}" />')
    if site_title:
        lines.append(f'<meta property="og:site_name" content="{_attr(site_title)}" />')
    date = page.get("date")
    if date:
        lines.append('<meta property="og:type" content="article" />')
        lines.append(f'<meta property="article:published_time" content="{filters.date_to_xmlschema(date)}" />')
    else:
        lines.append('<meta property="og:type" content="website" />')
    for rel, key in (("prev", "previous_page"), ("next", "next_page")):
        if paginator.get(key):
            href = filters.absolute_url(paginator.get(f"{key}_path"), url, baseurl)
            lines.append(f'<link rel="{rel}" href="{_attr(href)}" />')
    lines.append('<meta name="twitter:card" content="summary" />')
    if page_title:
        lines.append(f'<meta property="twitter:title" content="{_attr(page_title)}" />')
    json_ld: dict[str, Any] = {"@context": "https://schema.org"}
    json_ld["@type"] = "BlogPosting" if date else "WebSite" if is_home else "WebPage"
    if description:
        json_ld["description"] = description
    if date:
        json_ld["datePublished"] = filters.date_to_xmlschema(date)
    json_ld["headline"] = page_title
    if is_home and site_title:
        json_ld["name"] = site_title
    json_ld["url"] = canonical
    encoded = filters.jsonify(json_ld)
    lines.append(f'<script type="application/ld+json">\n{encoded}</script>')
    lines.append("<!-- End Jekyll SEO tag -->")
    return "\n".join(lines) + "\n"


def feed_meta(context: Mapping[str, Any]) -> str:
    site = context.get("site") or {}
    href = filters.absolute_url("/feed.xml", str(site.get("url") or ""), str(site.get("baseurl") or ""))
    title = _text(site.get("title") or site.get("name"))
    return f'<link type="application/atom+xml" rel="alternate" href="{_attr(href)}" title="{_attr(title)}" />'
