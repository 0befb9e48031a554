"""Rendering a Jekyll site with Liquid: bodies before markdown (as Jekyll does), the `layout:` chain
(`layout.*`, `content`), `jekyll.*`, and jekyll-paginate's `paginator` on the home page. Called by
documents.py only when the site's engine is Liquid; everything templates see is frozen data."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import liquid

from generator.errors import TemplateError
from generator.incremental.state import SiteView
from generator.load.permalinks import output_path_for
from generator.load.theme import gem_theme_root
from generator.model import Document, Post, Site
from generator.render import jekyll_plugins, liquid_env
from generator.render.sandbox import JinjaLimits
from generator.render.template_data import freeze
from generator.render.views import jekyll_nils
from generator.write.output import Output

JEKYLL = MappingProxyType({"version": "4.3.1", "environment": os.environ.get("JEKYLL_ENV", "development")})


@dataclass
class LiquidRenderer:
    site: Site
    site_view: Mapping[str, Any]
    views: dict[str, dict[str, Any]]
    markdownify: Any
    limits: JinjaLimits
    env: liquid.Environment = field(init=False)

    def __post_init__(self) -> None:
        config = self.site.config
        links: dict[str, str] = {}
        for doc in [*self.site.posts, *self.site.pages]:
            links[doc.source.relative] = doc.url
            if isinstance(doc, Post):
                links["post:" + doc.source.relative.rsplit("/", 1)[-1].rsplit(".", 1)[0]] = doc.url
        for static in self.site.static_files:
            links[static.source.relative] = static.url
        self.env = liquid_env.make_liquid(
            config.source,
            config.baseurl,
            config.url,
            self.markdownify,
            links,
            lambda: self.site_view,
            self.limits,
            theme=gem_theme_root(config.get("theme")),  # a gem theme's _includes (load/theme.py)
        )
        # Jekyll lists tags and categories in the order posts first use them, oldest post first.
        data = dict(getattr(self.site_view, "_data", self.site_view))
        for key in ("tags", "categories"):
            ordered: dict[str, Any] = {}
            for post in reversed(data["posts"]):
                for name in post[key]:
                    ordered.setdefault(name, data[key][name])
            data[key] = freeze(ordered)
        jekyll_nils(data, self.site, self.views)  # nil, not "", where Jekyll has no value (views.py)
        self.plugins = jekyll_plugins.named(config.values)
        if "jekyll-redirect-from" in self.plugins:
            data["pages"] = (*data["pages"], *self._redirect_views())
        self.site_view = SiteView(data)

    def _documents(self) -> list[Document]:
        """Jekyll's order: posts (oldest first), the other collections, then pages."""
        return [*reversed(self.site.posts), *self.site.collection_documents(), *self.site.pages]

    def _context(self, page: Mapping[str, Any], paginator: Mapping[str, Any] | None) -> dict[str, Any]:
        return {"site": self.site_view, "page": page, "paginator": paginator, "jekyll": JEKYLL}

    def body(self, doc: Document, page: Mapping[str, Any]) -> str:
        """Liquid in a post or page body, rendered before markdown (Jekyll's order)."""
        context = self._context(page, self.paginator(1) if self.paginates(doc) else None)
        return liquid_env.render(self.env, doc.body, doc.source.relative, doc.body_line, context)

    def layout_chain(self, doc: Document, content: str, page: Mapping[str, Any], number: int = 1) -> str:
        """Wrap `content` in the document's layout, that one in its own … (`layout: none`: as is);
        then the post-render plugins (jekyll-redirect-from's `redirect_to`, jemoji)."""
        target = jekyll_plugins.redirect_to(doc.meta) if "jekyll-redirect-from" in self.plugins else None
        if target is not None:  # the page itself becomes the redirect
            config = self.site.config
            return self._redirect_html(doc.url, jekyll_plugins.redirect_target(target, config.url, config.baseurl))
        content = self._layouts(doc, content, page, number)
        if doc.layout is None and doc.is_markdown and not content.endswith("\n"):
            content += "\n"  # kramdown ends its HTML with a newline; with no layout that is the file
        if "jemoji" in self.plugins and doc.output_path.endswith(".html"):
            content = jekyll_plugins.emojify(content)
        return content

    def _layouts(self, doc: Document, content: str, page: Mapping[str, Any], number: int) -> str:
        paginator = self.paginator(number) if self.paginates(doc) else None
        context = self._context(page, paginator)
        seen: list[str] = []
        merged: dict[str, Any] = {}
        name = doc.layout
        while name:
            layout = self.site.layouts.get(name)
            if layout is None:
                known = ", ".join(sorted(self.site.layouts)) or "none"
                where = self.site.layouts[seen[-1]].source.relative if seen else doc.source.relative
                raise TemplateError(f"unknown layout {name!r}; known layouts: {known}", where, 1)
            if name in seen:
                raise TemplateError(f"layout loop: {' -> '.join([*seen, name])}", layout.source.relative, 1)
            seen.append(name)
            relative = layout.source.relative
            source = liquid_env.body_text(layout.source.path, relative)
            # Jekyll merges: an outer layout sees the inner layouts' values over its own.
            merged = {**layout.meta, **merged}
            values = {**context, "content": content, "layout": freeze(merged)}
            content = liquid_env.render(self.env, source, relative, 1, values)
            name = layout.parent
        return content

    # -- jekyll-redirect-from ---------------------------------------------------------------------
    def _redirects(self) -> tuple[list[tuple[str, str, Document]], list[tuple[str, str]]]:
        """(`redirect_from:` source, target, its document) per redirect page, and every redirect
        (those and `redirect_to:`) in the plugin's order, for `redirects.json`."""
        config = self.site.config
        pages: list[tuple[str, str, Document]] = []
        redirects: list[tuple[str, str]] = []
        for doc in self._documents():
            if not doc.output:
                continue
            for source in jekyll_plugins.redirect_from(doc.meta):
                target = jekyll_plugins.redirect_target(doc.url, config.url, config.baseurl)
                redirects.append((source, target))
                pages.append((source, target, doc))
            to = jekyll_plugins.redirect_to(doc.meta)
            if to is not None:
                redirects.append((doc.url, jekyll_plugins.redirect_target(to, config.url, config.baseurl)))
        return pages, redirects

    def _writes_json(self, taken: set[str]) -> bool:
        settings = self.site.config.get("redirect_from")
        return "redirects.json" not in taken and not (isinstance(settings, Mapping) and settings.get("json") is False)

    def _redirect_views(self) -> list[Mapping[str, Any]]:
        """The plugin's pages as `site.pages` lists them in Jekyll 4.3.1 (after the site's pages):
        one `redirect.html` per `redirect_from:` entry, then `redirects.json`. Each has
        `sitemap: false`, as has a `redirect_to:` page, so a Liquid sitemap skips them."""
        pages, redirects = self._redirects()
        for doc in self._documents():
            to = jekyll_plugins.redirect_to(doc.meta)
            if to is not None:
                config = self.site.config
                target = jekyll_plugins.redirect_target(to, config.url, config.baseurl)
                self.views[doc.source.relative].update(sitemap=False, redirect=freeze({"from": doc.url, "to": target}))
        found: list[Mapping[str, Any]] = []
        for source, target, _doc in pages:
            folder = source if source.endswith("/") else source.rsplit("/", 1)[0] + "/"
            found.append(
                freeze(
                    {
                        **jekyll_plugins.plugin_page("redirect.html", source, folder),
                        "layout": "redirect",
                        "sitemap": False,
                        "redirect": {"from": source, "to": target},
                    }
                )
            )
        taken = {doc.output_path for doc in self.site.pages} | {s.url.lstrip("/") for s in self.site.static_files}
        if self._writes_json(taken):
            content = jekyll_plugins.redirects_json(redirects).decode()
            json_page = jekyll_plugins.plugin_page("redirects.json", "/redirects.json", "/")
            found.append(freeze({**json_page, "content": content}))
        return found

    def redirect_pages(self, taken: set[str]) -> list[Output]:
        """A small redirect page for every `redirect_from:` entry, and `redirects.json` (unless
        `redirect_from: {json: false}` or the site has its own), as jekyll-redirect-from writes."""
        if "jekyll-redirect-from" not in self.plugins:
            return []
        pages, redirects = self._redirects()
        outputs: list[Output] = []
        for source, target, doc in pages:
            html = self._redirect_html(source, target).encode()
            outputs.append(Output(source, jekyll_plugins.redirect_output_path(source), html, doc.source.relative))
        if self._writes_json(taken):
            data = jekyll_plugins.redirects_json(redirects)
            outputs.append(Output("/redirects.json", "redirects.json", data, "jekyll-redirect-from"))
        return outputs

    def _redirect_html(self, origin: str, target: str) -> str:
        """The plugin's redirect page, or the site's own `_layouts/redirect.html` (`page.redirect.to`)."""
        layout = self.site.layouts.get("redirect")
        if layout is None:
            return jekyll_plugins.redirect_page(target)
        page = freeze({"redirect": {"from": origin, "to": target}, "url": origin, "sitemap": False})
        source = liquid_env.body_text(layout.source.path, layout.source.relative)
        values = {**self._context(page, None), "content": "", "layout": freeze(dict(layout.meta))}
        return liquid_env.render(self.env, source, layout.source.relative, 1, values)

    # -- jekyll-paginate ----------------------------------------------------------------------
    def paginates(self, doc: Document) -> bool:
        """jekyll-paginate paginates the site's `index.html` (at the site root) only."""
        config = self.site.config
        return config.generates("home") and doc.source.relative in ("index.html", "index.md")

    def page_count(self) -> int:
        per_page = int(self.site.config.get("paginate") or 1)
        return max(1, math.ceil(len(self.site.posts) / per_page))

    def page_url(self, number: int) -> str:
        if number == 1:
            return "/"
        # jekyll-paginate's paths have no trailing slash (`/page2`); the file is page2/index.html.
        return "/" + str(self.site.config.get("paginate_path")).replace(":num", str(number)).strip("/")

    def paginator(self, number: int) -> Mapping[str, Any]:
        posts = self.site_view["posts"]
        per_page = int(self.site.config.get("paginate") or max(1, len(posts)))
        total = self.page_count()
        return freeze(
            dict(
                page=number,
                per_page=per_page,
                posts=posts[(number - 1) * per_page : number * per_page],
                total_posts=len(posts),
                total_pages=total,
                previous_page=number - 1 if number > 1 else None,
                previous_page_path=self.page_url(number - 1) if number > 1 else None,
                next_page=number + 1 if number < total else None,
                next_page_path=self.page_url(number + 1) if number < total else None,
            )
        )

    def paginated_pages(self, taken: set[str]) -> list[Output]:
        """Pages 2… of the home page: the same `index.html`, rendered with the next paginator."""
        index = next((doc for doc in self.site.pages if self.paginates(doc)), None)
        if index is None:
            return []
        outputs = []
        for number in range(2, self.page_count() + 1):
            url = self.page_url(number)
            path = output_path_for(url + "/")
            if path in taken:
                continue
            page = {**self.views[index.source.relative], "url": url + "/"}
            context = self._context(freeze(page), self.paginator(number))
            body = liquid_env.render(self.env, index.body, index.source.relative, index.body_line, context)
            if index.is_markdown:
                body = self.markdownify(body)
            html = self.layout_chain(index, body, freeze({**page, "content": body}), number)
            outputs.append(Output(url + "/", path, html.encode(), index.source.relative))
        return outputs
