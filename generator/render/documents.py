"""The render phase for documents: Jinja inside markdown (sandboxed, opt-in), markdown conversion
through the cache, excerpts, read-only views for templates and the layout chain."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Mapping

from generator.render.cache import ConversionCache
from generator.render.conversion import PARALLEL_MINIMUM, convert_in_parallel, prefix_baseurl, protect_code
from generator.incremental.state import BuildState, DocumentView, SiteView, fingerprint, unrecorded_values
from generator.incremental.reuse import RenderReuse
from generator.incremental.store import Unkept
from generator.errors import GeneratorError
from generator.render.reading import reading_of
from generator.render.images import ImagePipeline
from generator.render.markup import NestingTooDeep, render_markdown, settings_fingerprint
from generator.model import Document, Site
from generator.write.output import Output
from generator.render.template_data import html
from generator.render.jekyll_config import config_warnings as jekyll_config_warnings
from generator.render.views import site_values
from generator.render.sass_pages import SassSettings, compile_page, is_sass, settings_for
from generator.load.theme import gem_theme_root
from generator.render.lazy_parts import content_token, intact_tokens, make_jinja_environments, stored_texts
from generator.render.lazy_parts import render_layout_chain, render_string  # (Jinja imported when called)
from generator.render.known import Converted, forget_gone, known_conversion, remember_conversion
from generator.render.excerpts import first_chunk

# Part of every render's fingerprint: renders saved under other template rules (before layouts
# autoescaped) must not be reused.
TEMPLATE_RULES = "autoescaped-layouts-1"
# What ImagePipeline.prepare could probe (raster and vector images).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".svg", ".avif", ".ico")


@dataclass
class DocumentRenderer:
    site: Site
    cache: ConversionCache
    globals: Mapping[str, Any]
    state: BuildState = field(default_factory=BuildState)
    warnings: list[GeneratorError] = field(default_factory=list)

    def __post_init__(self) -> None:
        config = self.site.config
        self.settings = dict(config.markdown)
        self.fingerprint = settings_fingerprint(self.settings)
        self.state.bytecode.salt = fingerprint(sorted((k, repr(v)) for k, v in config.values.items()), self.fingerprint)
        self._environments: tuple[Any, Any] | None = None  # made on first use: see environments()
        self.views: dict[str, dict[str, Any]] = {}
        self.images = ImagePipeline(self.site)  # sizes and variants of <img> in content (images.py)
        self._sources: dict[str, str] = {}
        self._converted: dict[str, Converted] = {}
        # Documents whose content, excerpt and TOC are known by a short token (see _convert): their
        # reading time and view fingerprint need not hash their HTML (issue #19).
        self._tokens: dict[str, tuple[int, str]] = {}  # (id of the conversion, its token) until fill()
        self._plain: set[str] = set()  # "document\0part" finished from the converted HTML alone
        self._filled: dict[str, tuple[str, tuple[Any, ...]]] = {}  # token, the view's texts as fill() left them
        self.site_view = self._site_view()
        # What every render depends on without reading it through a view: URL settings used by
        # filters, markdown settings, and the generator itself.
        # Safe mode renders layouts in the sandbox: a render made outside it must not be reused there.
        global_print = fingerprint(
            config.baseurl, config.url, self.fingerprint, TEMPLATE_RULES, bool(config.get("safe"))
        )
        self.reuse = RenderReuse(
            self.state, self.views, unrecorded_values(self.site_view), self._site_lists, config.source, global_print
        )
        self.liquid = self._liquid() if config.get("template_engine") == "liquid" else None
        self.warnings.extend(jekyll_config_warnings(config))

    # -- templates ----------------------------------------------------------------------------
    def environments(self) -> tuple[Any, Any]:
        """(layouts, content) Jinja environments, made the first time a template is rendered: a
        rebuild that reuses every render never imports Jinja (issue #19; tests/test_noop_imports.py)."""
        if self._environments is None:
            config, bytecode = self.site.config, self.state.bytecode
            self._environments = make_jinja_environments(config, bytecode, self.globals, self.markdownify)
        return self._environments

    @property
    def layout_env(self) -> Any:
        return self.environments()[0]

    @property
    def content_env(self) -> Any:
        return self.environments()[1]

    def _liquid(self) -> Any:
        """The Liquid side of a Jekyll site (render/liquid_render.py), imported only when used."""
        from generator.render.liquid_render import LiquidRenderer
        from generator.render.sandbox import limits_from_config

        limits = limits_from_config(self.site.config.values)
        return LiquidRenderer(self.site, self.site_view, self.views, self.markdownify, limits)

    # -- conversion ---------------------------------------------------------------------------
    def markdownify(self, text: str) -> str:
        return self._converted_text(text).html

    def _converted_text(self, text: str, key: str | None = None):
        convert = lambda: render_markdown(text, self.settings)  # noqa: E731
        return self.cache.get_or_convert(text, self.fingerprint, convert, key)

    def source_of(self, doc: Document) -> str:
        """The text to convert: the body after Jinja (when the page opts in). Computed once per
        build, because Jinja has effects worth doing once (demo embeds number their roots)."""
        relative = doc.source.relative
        if relative not in self._sources and self.liquid is not None:  # a Jekyll site: Liquid first
            try:
                self._sources[relative] = self.liquid.body(doc, DocumentView(self.views[relative], relative))
            except GeneratorError as e:
                self._sources[relative] = e  # type: ignore[assignment]  (re-raised below)
        if relative not in self._sources:
            body = doc.body
            if doc.render_with_jinja:
                source = protect_code(body) if doc.is_markdown else body
                view = DocumentView(self.views[relative], relative)
                context = {"site": self.site_view, "page": view, "paginator": None}
                # The page's own `demo`: embeds are numbered per page, in order, so their ids stay the
                # same when another page changes.
                embed = self.globals.get("demo")
                functions = {"demo": functools.partial(embed, _page_url=doc.url)} if embed else {}
                try:
                    body = render_string(
                        self.content_env, source, relative, doc.body_line, context, self.state.compiled, functions
                    )
                except GeneratorError as e:
                    body = e  # type: ignore[assignment]  (re-raised by every caller)
            self._sources[relative] = body
        body = self._sources[relative]
        if isinstance(body, GeneratorError):
            raise body
        return body

    def forget_sources(self) -> None:
        """The bodies after Jinja are converted and never read again (render/letgo.py)."""
        self._sources.clear()

    def keep_no_conversions(self) -> None:
        """For a build no later one sees: what view fingerprints were made from is a memo for the next."""
        self._converted = Unkept()

    def prefetch(self, documents: list[Document]) -> None:
        """Convert the texts the cache lacks, on all cores when there are many; convert() finds them."""
        texts: list[str] = []
        for doc in documents:
            if not doc.is_markdown or known_conversion(self, doc, count=False) is not None:
                continue
            try:
                body = self.source_of(doc)
            except GeneratorError:
                continue  # convert() reports it
            texts += [body, self._excerpt_text(doc, body)]
        if any(path.lower().endswith(IMAGE_SUFFIXES) for path in self.images.files):
            # Probe every image and make missing variants, in parallel. Only an optimisation
            # (rewrite() prepares what it misses), and its scan of every text is costly: skipped
            # when the site has no image file to probe.
            self.images.prepare(texts)
        missing = self.cache.missing(texts, self.fingerprint)
        if self.cache.converting is not None:  # started while the site loaded (early_conversion.py)
            return self.cache.converting.finish(missing)
        if len(missing) < PARALLEL_MINIMUM or (os.cpu_count() or 1) < 2:
            return
        for index, result in convert_in_parallel(missing, self.settings):
            if result is not None:  # (None: refused, too deep: convert() reports it with its path)
                self.cache.put(missing[index], self.fingerprint, result)  # (Markup: the view shares it)

    def convert(self, doc: Document) -> Converted:
        """The document converted (content, excerpt, table of contents). `blog serve` takes an
        unchanged document's result from the last rebuild (render/known.py)."""
        converted = known_conversion(self, doc)
        if converted is not None:
            return converted
        warned = len(self.warnings)
        converted = self._convert(doc)
        remember_conversion(self, doc, converted, self.warnings[warned:])
        return converted

    def _convert(self, doc: Document) -> Converted:
        body = self.source_of(doc)
        if is_sass(doc.source.relative):  # a Sass page: CSS, no layout (render/sass_pages.py)
            return Converted(compile_page(body, doc.source.relative, doc.body_line, self._sass()), "", "", 0)
        if not doc.is_markdown:
            return Converted(self.images.rewrite(body, doc), self._excerpt(doc, body), "", 0)
        key = self.cache.key_of(body, self.fingerprint)
        try:
            result = self._converted_text(body, key)
        except NestingTooDeep as e:  # too deep: found by the converting worker or here
            raise NestingTooDeep(e.message, doc.source.relative, doc.body_line + (e.line or 1) - 1) from e
        for line, message in result.warnings:
            self.warnings.append(GeneratorError(message, doc.source.relative, doc.body_line + line - 1))
        content = self._finished(doc, "content", result.html)
        excerpt = self._excerpt(doc, body)
        converted = Converted(content, excerpt, result.toc, result.toc_count)
        relative = doc.source.relative
        plain = self._plain >= (parts := {f"{relative}\0content", f"{relative}\0excerpt"})
        self._plain -= parts  # (read only here: not held until the build ends, 8,000 keys at 4,000 posts)
        if plain:
            # What the content, excerpt and table of contents are made from, as a short text: the
            # cached conversions (by key) with the baseurl added and no image named.
            excerpt_key = self.cache.key_of(self._excerpt_text(doc, body), self.fingerprint)
            # (By id: holding the conversion would hold its HTML, which a build lets go of.)
            self._tokens[relative] = (id(converted), content_token(key, excerpt_key, self.site.config.baseurl))
        return converted

    def _finished(self, doc: Document, part: str, html: str) -> str:
        """Converted HTML with images sized and the baseurl added. `blog serve` gets the very same
        HTML object from its cache while a text is unchanged: when it named no image (nothing that
        depends on image files), last build's result is still exact, without scanning it again."""
        key, baseurl = f"{doc.source.relative}\0{part}", self.site.config.baseurl
        known = self.state.finished.get(key)
        if known is not None and known[0] is html and known[1] == baseurl:
            self._plain.add(key)
            return known[2]
        rewritten = self.images.rewrite(html, doc)
        out = prefix_baseurl(rewritten, baseurl)
        if rewritten is html:  # no image named: `out` is made from `html` and the baseurl alone
            self._plain.add(key)
        else:
            self._plain.discard(key)
        if rewritten is html and self.images.enabled:  # it names no image (enabled: it was looked at)
            self.state.finished[key] = (html, baseurl, out)
        else:
            self.state.finished.pop(key, None)
        return out

    def _excerpt_text(self, doc: Document, body: str) -> str:
        if isinstance(doc.meta.get("excerpt"), str):
            return doc.meta["excerpt"]
        separator = doc.meta.get("excerpt_separator") or self.site.config.get("excerpt_separator")
        # The same object while the body is (`blog serve`): its cache key is not hashed again.
        key = f"{doc.source.relative}\0excerpt-text"
        known = self.state.finished.get(key)
        if known is not None and known[0] is body and known[1] == separator:
            return known[2]
        self.state.finished[key] = (body, separator, text := first_chunk(body, separator))
        return text

    def _excerpt(self, doc: Document, body: str) -> str:
        text = self._excerpt_text(doc, body)
        if not doc.is_markdown:
            return text
        return self._finished(doc, "excerpt", self._converted_text(text).html)

    # -- views --------------------------------------------------------------------------------
    def _site_view(self) -> Mapping[str, Any]:
        known = self.state.known_views if self.state.remember else None
        values, self._site_lists = site_values(self.site, self.views, known)
        return SiteView(values)

    def seal(self, documents: list[Document]) -> None:
        """All views are complete: fingerprint them for render reuse."""
        forget_gone(self.state, {doc.source.relative for doc in documents})
        self.reuse.seal(documents, self._converted, intact_tokens(self._filled, self.views))

    def finish(self, produced: set[str]) -> None:
        self.reuse.finish(produced)

    @property
    def reused(self) -> int:
        return self.reuse.reused

    def fill(self, doc: Document, converted: Converted) -> None:
        relative = doc.source.relative
        view = self.views[relative]
        self._converted[relative] = converted
        known = self.state.known_fills.get(relative)  # (`blog serve`: the same conversion, the same values)
        made = self._tokens.pop(relative, None)  # (made by _convert for this very object, alive since)
        token = made[1] if made is not None and made[0] == id(converted) else None
        if known is None or known[0] is not converted:
            derived = reading_of(self.state, relative, converted.content, converted.excerpt, token)
            values = dict(
                content=html(converted.content),
                excerpt=html(converted.excerpt),
                toc=html(converted.toc),
                toc_count=converted.toc_count,
                reading_time=derived[0],
            )
            known = (converted, values, derived[1])
            if self.state.remember:
                self.state.known_fills[relative] = known
        view.update(known[1])
        if not view["description"]:
            view["description"] = known[2]
        if token is not None:  # (lazy_parts.py)
            self._filled[relative] = (token, stored_texts(view))
        else:
            self._filled.pop(relative, None)

    def _sass(self) -> SassSettings:
        if not hasattr(self, "_sass_settings"):  # looked up once per build, and only for a Sass page
            config = self.site.config
            self._sass_settings = settings_for(config.source, dict(config.values), gem_theme_root(config.get("theme")))
        return self._sass_settings

    def render_page(self, doc: Document) -> Output:
        relative = doc.source.relative
        view = self.views[relative]
        if is_sass(relative):  # CSS is never placed in a layout (Jekyll: an asset file)
            return Output(doc.url, doc.output_path, str(view["content"]).encode(), relative)
        if self.liquid is not None:  # a Jekyll site: Liquid layouts (no render reuse: includes are not recorded)
            page = DocumentView(view, relative)
            html_text = self.liquid.layout_chain(doc, str(view["content"]), page)
            return Output(doc.url, doc.output_path, html_text.encode(), relative)
        own = self.reuse.page_print(doc.output_path, self.reuse.document_prints[relative], doc.layout, doc.output_path)

        def render() -> str:  # only when last build's bytes cannot be reused
            context = {"site": self.site_view, "page": DocumentView(view, relative), "paginator": None}
            return render_layout_chain(
                self.layout_env, self.site.layouts, doc.layout, view["content"], context, relative
            )

        return Output(
            doc.url, doc.output_path, self.reuse.cached_render(doc.output_path, own, render, final=True), relative
        )
