"""Pages the generator makes from the posts: home with pagination, archive, tag pages, the Atom
feed, sitemap, robots.txt, 404, the demos index and pages, and the highlight stylesheet. A user's
own file at the same output path always wins; each kind can be switched off in `generate:`."""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET
from types import MappingProxyType
from typing import Any
from collections.abc import Iterable

from slugify import slugify

from generator import __version__
from generator.write.output import Output
from generator.load.permalinks import output_path_for
from generator.render.documents import DocumentRenderer
from generator.render.generated_layout import render_generated
from generator.render.known import known_output
from generator.incremental.state import view_key
from generator.render.template_data import freeze
from generator.render.views import blank_view

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


# Every generated page has a layout of its kind in the packaged theme (generator/theme/_layouts),
# which a site overrides with its own `_layouts/<kind>.html`; so no template is needed here.
THEME_LAYOUT = ""


def builtin(name: str) -> str:
    """Kept for callers' signature: the template body used if no layout `name` existed at all."""
    return THEME_LAYOUT


def paginate(renderer: DocumentRenderer, taken: set[str]) -> list[Output]:
    config = renderer.site.config
    if renderer.liquid is not None:  # a Jekyll site: jekyll-paginate renders the site's index.html again
        return renderer.liquid.paginated_pages(taken)
    posts = renderer.site_view["posts"]
    per_page = config.get("paginate") or max(1, len(posts))
    total_pages = max(1, math.ceil(len(posts) / per_page))

    def page_url(number: int) -> str:
        return "/" if number == 1 else config.get("paginate_path").replace(":num", str(number))

    outputs = []
    for number in range(1, total_pages + 1):
        url = page_url(number)
        path = output_path_for(url)
        if path in taken:
            continue
        paginator = MappingProxyType(
            dict(
                posts=posts[(number - 1) * per_page : number * per_page],
                page=number,
                per_page=per_page,
                total_posts=len(posts),
                total_pages=total_pages,
                previous_page=number - 1 if number > 1 else None,
                next_page=number + 1 if number < total_pages else None,
                previous_page_path=page_url(number - 1) if number > 1 else None,
                next_page_path=page_url(number + 1) if number < total_pages else None,
            )
        )
        view = blank_view(
            config.title if number == 1 else f"{config.title} — page {number}",
            url,
            description=config.get("description"),
        )
        data = render_generated(renderer, "home", builtin("home"), view, {"paginator": paginator})
        outputs.append(Output(url, path, data, "generated:home"))
    return outputs


def archive(renderer: DocumentRenderer) -> Output:
    by_year: dict[int, list[Any]] = {}
    for post in renderer.site_view["posts"]:
        by_year.setdefault(post["date"].year, []).append(post)
    view = blank_view(
        "Archive",
        "/archive/",
        posts_by_year=(),
        description=f"All {len(renderer.site_view['posts'])} posts by year",
    )
    # Made frozen here (years, tuples of views) rather than by blank_view, item by item: the same value.
    view["posts_by_year"] = tuple((year, tuple(posts)) for year, posts in by_year.items())
    return Output(
        "/archive/",
        "archive/index.html",
        render_generated(renderer, "archive", builtin("archive"), view, {}),
        "generated:archive",
    )


def tags(renderer: DocumentRenderer) -> list[Output]:
    outputs = []
    index = blank_view("Tags", "/tags/", description="Posts by topic")
    outputs.append(
        Output(
            "/tags/",
            "tags/index.html",
            render_generated(renderer, "tags", builtin("tags"), index, {}),
            "generated:tags",
        )
    )
    for tag, posts in renderer.site_view["tags"].items():
        url = f"/tags/{slugify(tag)}/"
        view = blank_view(
            f"Posts tagged “{tag}”",
            url,
            tag=tag,
            posts=(),
            description=f"{len(posts)} post{'s' if len(posts) != 1 else ''} tagged {tag}",
        )
        view["posts"] = posts if type(posts) is tuple else freeze(posts)  # site.tags holds frozen tuples
        outputs.append(
            Output(
                url,
                output_path_for(url),
                render_generated(renderer, "tag", builtin("tag"), view, {}),
                "generated:tags",
            )
        )
    return outputs


def demo_pages(renderer: DocumentRenderer, embed: Any) -> list[Output]:
    outputs = []
    index = blank_view("Demos", "/demos/", description="Interactive demos that run in your browser, offline")
    outputs.append(
        Output(
            "/demos/",
            "demos/index.html",
            render_generated(renderer, "demos", builtin("demos"), index, {}),
            "generated:demos",
        )
    )
    for demo in renderer.site.demos.values():
        url = f"/demos/{demo.name}/"
        content = embed(demo.name, _page_url=url, _standalone=True)
        view = blank_view(demo.title, url, description=demo.description, content=content, demo=demo.name)
        data = render_generated(renderer, "demo", builtin("demo"), view, {"content": content})
        outputs.append(Output(url, output_path_for(url), data, demo.manifest.relative))
    return outputs


def not_found(renderer: DocumentRenderer) -> Output:
    view = blank_view("Page not found", "/404.html", sitemap=False)
    return Output(
        "/404.html",
        "404.html",
        render_generated(renderer, "not_found", builtin("not_found"), view, {}),
        "generated:not_found",
    )


def _absolute(renderer: DocumentRenderer, url: str) -> str:
    config = renderer.site.config
    return f"{config.url}{config.baseurl}{url}"


def _absolutize(html: str, origin: str) -> str:
    """Feed readers resolve nothing reliably: make root-relative links absolute."""
    return re.sub(r"""(\s(?:href|src)=["'])/(?!/)""", lambda m: m.group(1) + origin + "/", html) if origin else html


def feed(renderer: DocumentRenderer) -> Output:
    """Atom 1.0 with full content and absolute URLs (RFC 4287), built with the stdlib's ElementTree.
    `blog serve` keeps it while what it shows is the same: the settings below and the listed posts,
    each by its view's fingerprint (every key the feed reads; previous/next it does not)."""
    config = renderer.site.config
    posts = renderer.site_view["posts"][: config.get("feed_limit")]
    prints = renderer.reuse.document_prints
    inputs = (
        config.url,
        config.baseurl,
        config.title,
        repr(config.get("description")),
        repr(config.get("author")),
        tuple((view_key(post), prints.get(view_key(post))) for post in posts),
        None if posts else renderer.site.time,
    )
    data = known_output(renderer.state, "feed", inputs, lambda: _feed(renderer, posts))
    return Output("/feed.xml", "feed.xml", data, "generated:feed")


def _feed(renderer: DocumentRenderer, posts: Any) -> bytes:
    config = renderer.site.config
    home = _absolute(renderer, "/")
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    sub(root, "title", config.title)
    if config.get("description"):
        sub(root, "subtitle", config.get("description"))
    sub(root, "link", href=_absolute(renderer, "/feed.xml"), rel="self", type="application/atom+xml")
    sub(root, "link", href=home, rel="alternate", type="text/html")
    newest = max((p["date"] for p in posts), default=renderer.site.time)
    sub(root, "updated", newest.isoformat())
    sub(root, "id", _feed_id(renderer, "/"))
    author = config.get("author")
    author_name = author.get("name") if isinstance(author, dict) else author
    sub(sub(root, "author"), "name", author_name or config.title)
    sub(root, "generator", "blog-generator", version=__version__)
    base = config.url  # content links already carry the baseurl
    for post in posts:
        entry = sub(root, "entry")
        sub(entry, "title", post["title"])
        sub(entry, "link", href=_absolute(renderer, post["url"]), rel="alternate", type="text/html")
        sub(entry, "id", _feed_id(renderer, post["url"]))
        sub(entry, "published", post["date"].isoformat())
        updated = post.get("last_modified_at") or post["date"]
        sub(entry, "updated", updated.isoformat() if isinstance(updated, dt.datetime) else post["date"].isoformat())
        for tag in post["tags"]:
            sub(entry, "category", term=tag)
        sub(entry, "summary", _absolutize(post["excerpt"], base), type="html")
        sub(entry, "content", _absolutize(post["content"], base), type="html")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def _feed_id(renderer: DocumentRenderer, url: str) -> str:
    config = renderer.site.config
    if config.url:
        return _absolute(renderer, url)
    # Without `url:` there is no absolute address; a tag: URI is still a valid, stable Atom id.
    return f"tag:{slugify(config.title) or 'blog'},2000:{config.baseurl}{url}"


def sitemap(renderer: DocumentRenderer, outputs: Iterable[Output]) -> Output:
    """The very bytes ElementTree wrote (tests/test_sitemap_text.py compares), made as text:
    building and serialising ~3 elements per page cost ~15 ms of every no-op at 1,000 posts."""
    dates = {view["url"]: view.get("date") for view in renderer.views.values()}
    excluded = {view["url"] for view in renderer.views.values() if view.get("sitemap") is False}
    entries: list[str] = []
    for output in sorted(outputs, key=lambda o: o.url):
        if not output.output_path.endswith(".html") or output.output_path == "404.html" or output.url in excluded:
            continue
        date = dates.get(output.url)
        lastmod = f"<lastmod>{date.date().isoformat()}</lastmod>" if isinstance(date, dt.datetime) else ""
        entries.append(f"<url><loc>{_xml_text(_absolute(renderer, output.url))}</loc>{lastmod}</url>")
    body = f'<urlset xmlns="{SITEMAP}">{"".join(entries)}</urlset>' if entries else f'<urlset xmlns="{SITEMAP}" />'
    data = b'<?xml version="1.0" encoding="utf-8"?>\n' + body.encode("utf-8", "xmlcharrefreplace") + b"\n"
    return Output("/sitemap.xml", "sitemap.xml", data, "generated:sitemap")


def _xml_text(text: str) -> str:
    """Character data escaped as ElementTree escapes it (&, <, >; quotes left alone)."""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def robots(renderer: DocumentRenderer) -> Output:
    lines = ["User-agent: *", "Disallow:"]
    if renderer.site.config.url:
        lines.append(f"Sitemap: {_absolute(renderer, '/sitemap.xml')}")
    return Output("/robots.txt", "robots.txt", ("\n".join(lines) + "\n").encode(), "generated:robots")


def highlight_stylesheet(renderer: DocumentRenderer) -> Output:
    settings = renderer.site.config.markdown
    styles = (settings["highlight_style_light"], settings["highlight_style_dark"])
    css = known_output(renderer.state, "highlight", styles, lambda: _stored_highlight_css(*styles).encode())
    return Output("/assets/css/highlight.css", "assets/css/highlight.css", css, "generated:highlight")


# Part of the key of a stylesheet kept in .blog-cache/: bump when scheme_highlight_css changes.
HIGHLIGHT_CSS_RULES = "scheme-highlight-css-1"


def _stored_highlight_css(light_style: str, dark_style: str) -> str:
    """scheme_highlight_css, kept in .blog-cache/ (fragments.py) by style names and Pygments'
    version: making it imports Pygments' formatter and style registry (which scans every installed
    package for plugin styles) and builds both style tables, ~15 ms of every `blog build` (issue #19).
    A plugin style (not one of Pygments' own) may change without Pygments: made every time."""
    from generator.incremental import fragments
    from generator.styletable import builtin_style_names

    if not {light_style, dark_style} <= builtin_style_names():
        return scheme_highlight_css(light_style, dark_style)
    key = "css:" + fragments.key(
        "highlight-css", HIGHLIGHT_CSS_RULES, __version__, fragments.version("pygments"), light_style, dark_style
    )
    css = fragments.lookup(key)
    if css is None:
        css = scheme_highlight_css(light_style, dark_style)
        fragments.remember(key, css)
    return css


def scheme_highlight_css(light_style: str, dark_style: str) -> str:
    """The light style by default; the dark one when the reader's system prefers dark (unless the
    theme's toggle chose light) or when the toggle chose dark (`data-theme` on <html>)."""
    from pygments.formatters import HtmlFormatter

    def rules(style: str, prefix: str) -> str:  # tokens and background only, no line-number rules
        formatter = HtmlFormatter(style=style)
        return "\n".join(formatter.get_background_style_defs(prefix) + formatter.get_token_style_defs(prefix))

    light = HtmlFormatter(style=light_style).get_style_defs(".highlight")
    system = rules(dark_style, ':root:not([data-theme="light"]) .highlight')
    chosen = rules(dark_style, ':root[data-theme="dark"] .highlight')
    indented = "\n".join("  " + line for line in system.splitlines())
    header = f"/* Pygments {light_style} (light) and {dark_style} (dark) */"
    return f"{header}\n{light}\n@media (prefers-color-scheme: dark) {{\n{indented}\n}}\n{chosen}\n"
