"""The render phase for documents: Jinja inside markdown (sandboxed, opt-in), markdown conversion
through the cache, excerpts, read-only views for templates and the layout chain."""

from __future__ import annotations

import math
import multiprocessing
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable, Mapping

import jinja2  # noqa: F401
import markupsafe

from generator.cache import ConversionCache
from generator.incremental import (
    BuildState,
    DocumentView,
    RecordingEnvironment,
    RenderRecord,
    SiteView,
    fingerprint,
    fingerprint_mapping,
    recording,
)
from generator.errors import GeneratorError
from generator.filters import make_filters, strip_html, truncatewords
from generator.markdown import MarkdownResult, render_markdown, settings_fingerprint
from generator.model import Document, Post, Site
from generator.output import Output
from generator.templates import make_environments, render_layout_chain, render_string

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?:(?!\n[ \t]*\n).)+?\1", re.S)
ROOT_LINK = re.compile(r"""(\s(?:href|src|poster)=["'])(/(?!/)[^"']*)""")
WORDS_PER_MINUTE = 200


def protect_code(text: str) -> str:
    """Wrap fenced code and code spans in `{% raw %}` so Jinja never evaluates code samples."""
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if prose:
            out.append(CODE_SPAN.sub(lambda m: "{% raw %}" + m.group(0) + "{% endraw %}", "".join(prose)))
            prose.clear()

    for line in text.splitlines(keepends=True):
        marker = FENCE.match(line)
        if fence is None and marker:
            flush()
            fence = marker.group(1)[0] * len(marker.group(1))
            out.append("{% raw %}" + line)
        elif fence is not None:
            stripped = line.strip()
            closing = stripped.startswith(fence) and set(stripped) == {fence[0]}
            out.append(line.rstrip("\n") + "{% endraw %}" + ("\n" if line.endswith("\n") else "") if closing else line)
            fence = None if closing else fence
        else:
            prose.append(line)
    flush()
    if fence is not None:
        out.append("{% endraw %}")
    return "".join(out)


PARALLEL_MINIMUM = 64  # below this, starting worker processes costs more than it saves


def _convert_chunk(job: tuple[list[str], dict[str, Any]]) -> list[MarkdownResult]:
    texts, settings = job
    return [render_markdown(text, settings) for text in texts]


def convert_in_parallel(texts: list[str], settings: Mapping[str, Any]) -> list[MarkdownResult]:
    """Markdown conversion is pure and CPU-bound: split it over processes. Fork is cheapest, but
    forking a process that runs threads (blog serve's watcher) can deadlock the child, so then spawn."""
    workers = min(os.cpu_count() or 1, 8)
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    size = -(-len(texts) // (workers * 4))  # a few chunks per worker evens out long and short posts
    chunks = [(texts[i : i + size], dict(settings)) for i in range(0, len(texts), size)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        return [result for chunk in pool.map(_convert_chunk, chunks) for result in chunk]


def prefix_baseurl(html: str, baseurl: str) -> str:
    """Root-relative links written in markdown (`/about/`) get the baseurl, so a project site works
    under /repo/ without authors writing `relative_url` everywhere."""
    if not baseurl:
        return html

    def fix(match: re.Match[str]) -> str:
        path = match.group(2)
        return match.group(0) if path == baseurl or path.startswith(baseurl + "/") else match.group(1) + baseurl + path

    return ROOT_LINK.sub(fix, html)


@dataclass
class Converted:
    content: str
    excerpt: str
    toc: str
    toc_count: int


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
        filters = make_filters(config.baseurl, config.url, self.markdownify)
        self.layout_env, self.content_env = make_environments(
            config.source, filters, self.globals, RecordingEnvironment, self.state.bytecode
        )
        self.views: dict[str, dict[str, Any]] = {}
        self.document_prints: dict[str, str] = {}
        self._site_prints: dict[str, str] = {}
        self._key_prints: dict[tuple[str, str], str] = {}
        self._unchanged_documents: set[str] = set()
        self._sources: dict[str, str] = {}
        self._converted: dict[str, Converted] = {}
        self._template_prints: dict[str, str] = {}
        self.reused = 0
        self.site_view = self._site_view()
        # What every render depends on without reading it through a view: URL settings used by
        # filters, markdown settings, and the generator itself.
        self.global_print = fingerprint(config.baseurl, config.url, self.fingerprint)

    # -- conversion ---------------------------------------------------------------------------
    def markdownify(self, text: str) -> str:
        return self._convert(text).html

    def _convert(self, text: str):
        return self.cache.get_or_convert(text, self.fingerprint, lambda: render_markdown(text, self.settings))

    def source_of(self, doc: Document) -> str:
        """The text to convert: the body after Jinja (when the page opts in). Computed once per
        build, because Jinja has effects worth doing once (demo embeds number their roots)."""
        relative = doc.source.relative
        if relative not in self._sources:
            body = doc.body
            if doc.render_with_jinja:
                source = protect_code(body) if doc.is_markdown else body
                view = DocumentView(self.views[relative], relative)
                context = {"site": self.site_view, "page": view, "paginator": None}
                try:
                    body = render_string(
                        self.content_env, source, relative, doc.body_line, context, self.state.compiled
                    )
                except GeneratorError as e:
                    body = e  # type: ignore[assignment]  (re-raised by every caller)
            self._sources[relative] = body
        body = self._sources[relative]
        if isinstance(body, GeneratorError):
            raise body
        return body

    def prefetch(self, documents: list[Document]) -> None:
        """Convert every markdown text the cache lacks, on all cores when there are many (a cold
        build of a big site); the normal path then finds them all in the cache."""
        texts: list[str] = []
        for doc in documents:
            if not doc.is_markdown:
                continue
            try:
                body = self.source_of(doc)
            except GeneratorError:
                continue  # convert() reports it
            texts += [body, self._excerpt_text(doc, body)]
        missing = self.cache.missing(texts, self.fingerprint)
        if len(missing) < PARALLEL_MINIMUM or (os.cpu_count() or 1) < 2:
            return
        for text, result in zip(missing, convert_in_parallel(missing, self.settings), strict=True):
            self.cache.put(text, self.fingerprint, result)

    def convert(self, doc: Document) -> Converted:
        body = self.source_of(doc)
        if not doc.is_markdown:
            return Converted(body, self._excerpt(doc, body), "", 0)
        result = self._convert(body)
        for line, message in result.warnings:
            self.warnings.append(GeneratorError(message, doc.source.relative, doc.body_line + line - 1))
        content = prefix_baseurl(result.html, self.site.config.baseurl)
        return Converted(content, self._excerpt(doc, body), result.toc, result.toc_count)

    def _excerpt_text(self, doc: Document, body: str) -> str:
        if isinstance(doc.meta.get("excerpt"), str):
            return doc.meta["excerpt"]
        separator = doc.meta.get("excerpt_separator") or self.site.config.get("excerpt_separator")
        return next((chunk for chunk in body.strip().split(separator) if chunk.strip()), "")

    def _excerpt(self, doc: Document, body: str) -> str:
        text = self._excerpt_text(doc, body)
        if not doc.is_markdown:
            return text
        return prefix_baseurl(self._convert(text).html, self.site.config.baseurl)

    # -- views --------------------------------------------------------------------------------
    def _site_view(self) -> Mapping[str, Any]:
        site = self.site
        posts = [self._view(post) for post in site.posts]
        for index, post in enumerate(site.posts):
            view = self.views[post.source.relative]
            view["previous"] = posts[index + 1] if index + 1 < len(posts) else None
            view["next"] = posts[index - 1] if index > 0 else None
        pages = [self._view(page) for page in site.pages]
        tags: dict[str, list[Any]] = {}
        categories: dict[str, list[Any]] = {}
        for post, view in zip(site.posts, posts, strict=True):
            for tag in post.tags:
                tags.setdefault(tag, []).append(view)
            for category in post.categories:
                categories.setdefault(category, []).append(view)
        demos = [
            DocumentView(
                {
                    "name": d.name,
                    "title": d.title,
                    "description": d.description,
                    "url": f"/demos/{d.name}/",
                    "thumbnail_url": d.files.get(d.thumbnail) if d.thumbnail else None,
                },
                f"demo:{d.name}",
            )
            for d in sorted(site.demos.values(), key=lambda d: d.title.lower())
        ]
        values = dict(site.config.values)
        values.update(
            posts=posts,
            pages=pages,
            tags=dict(sorted(tags.items(), key=lambda kv: kv[0].lower())),
            categories=dict(sorted(categories.items())),
            data=site.data,
            time=site.time,
            demos=demos,
        )
        self._site_lists = {
            "posts": [p.source.relative for p in site.posts],
            "pages": [p.source.relative for p in site.pages],
            "tags": {t: [v._key for v in vs] for t, vs in tags.items()},
            "categories": {c: [v._key for v in vs] for c, vs in categories.items()},
            "demos": [(d.name, d.title, d.description, sorted(d.files.items())) for d in site.demos.values()],
        }
        return SiteView(values)

    def _view(self, doc: Document) -> Mapping[str, Any]:
        view: dict[str, Any] = dict(doc.meta)
        view.update(
            title=doc.title,
            url=doc.url,
            date=doc.date,
            slug=doc.slug,
            tags=list(doc.tags),
            categories=list(doc.categories),
            path=doc.source.relative,
            layout=doc.layout,
            kind="post" if isinstance(doc, Post) else "page",
            content="",
            excerpt="",
            toc="",
            toc_count=0,
            reading_time=1,
            previous=None,
            next=None,
            math=bool(doc.meta.get("math", False)),
            description=doc.meta.get("description") or "",
        )
        self.views[doc.source.relative] = view
        return DocumentView(view, doc.source.relative)

    def fill(self, doc: Document, converted: Converted) -> None:
        relative = doc.source.relative
        view = self.views[relative]
        self._converted[relative] = converted
        # Reading time and description need the text without tags: remembered per document and
        # recomputed only when its content changes (string equality is cheap next to the regexes).
        known = self.state.derived.setdefault("reading", {}).get(relative)
        if known is not None and known[0] == converted.content and known[1] == converted.excerpt:
            derived = known[2]
        else:
            words = len(strip_html(converted.content).split())
            derived = (max(1, math.ceil(words / WORDS_PER_MINUTE)), truncatewords(strip_html(converted.excerpt), 40))
            self.state.derived["reading"][relative] = (converted.content, converted.excerpt, derived)
        view.update(
            content=converted.content,
            excerpt=converted.excerpt,
            toc=converted.toc,
            toc_count=converted.toc_count,
            reading_time=derived[0],
        )
        if not view["description"]:
            view["description"] = derived[1]

    def seal(self, documents: list[Document]) -> None:
        """All views are complete: fingerprint each document as templates will see it."""
        memo = self.state.derived.setdefault("document-prints", {})
        for doc in documents:
            relative = doc.source.relative
            view = self.views[relative]
            neighbours = (
                view["previous"]._key if view["previous"] else None,
                view["next"]._key if view["next"] else None,
            )
            converted = self._converted.get(relative)
            # A view is made only from its Document, its conversion and its neighbours: when all are
            # the same as last time, so is its fingerprint (hashing 1,000 pages is the costly part).
            known = memo.get(relative)
            if (
                known is not None
                and known[0] is doc
                and converted is not None
                and known[1] == converted
                and known[2] == neighbours
            ):
                self.document_prints[relative] = known[3]
                continue
            print_ = fingerprint(fingerprint_mapping(view, skip=("previous", "next")), *neighbours)
            self.document_prints[relative] = print_
            if converted is not None:
                memo[relative] = (doc, converted, neighbours, print_)
        previous = self.state.document_prints
        self._unchanged_documents = {
            name for name, print_ in self.document_prints.items() if previous.get(name) == print_
        }

    def finish(self, produced: set[str]) -> None:
        """After a successful build: remember fingerprints, forget renders of outputs that are gone
        (so every kept record has been validated against this build)."""
        self.state.document_prints = dict(self.document_prints)
        for path in set(self.state.renders) - produced:
            del self.state.renders[path]
            self.state.renders_changed = True

    # -- reuse of unchanged renders -------------------------------------------------------------
    def _print_of(self, kind: str, name: str) -> str:
        if kind == "document":  # name = (document, key): a page that shows titles does not depend on bodies
            if name not in self._key_prints:
                view = self.views.get(name[0])
                self._key_prints[name] = fingerprint(view.get(name[1]) if view is not None else "missing")
            return self._key_prints[name]
        if kind == "site":
            if name not in self._site_prints:
                value = self._site_lists[name] if name in self._site_lists else self.site_view._data.get(name)
                self._site_prints[name] = fingerprint(value)
            return self._site_prints[name]
        if name not in self._template_prints:
            path = self.site.config.source / name
            self._template_prints[name] = fingerprint(path.read_bytes() if path.is_file() else None)
        return self._template_prints[name]

    def _reusable(self, output_path: str, own: str) -> bytes | None:
        record = self.state.renders.get(output_path)
        if record is None or record.own != own:
            return None
        # Every kept record was validated by the last successful build, so a document whose whole
        # fingerprint is unchanged since then cannot invalidate it: skip its per-key checks.
        unchanged = self._unchanged_documents
        if any(
            name[0] not in unchanged and self._print_of("document", name) != print_ for name, print_ in record.documents
        ):
            return None
        for kind, items in (("site", record.site_keys), ("template", record.templates)):
            if any(self._print_of(kind, name) != print_ for name, print_ in items):
                return None
        return record.data

    def cached_render(self, output_path: str, own: str, render: Callable[[], str]) -> bytes:
        own = fingerprint(own, self.global_print)
        data = self._reusable(output_path, own)
        if data is not None:
            self.reused += 1
            return data
        with recording() as deps:
            data = render().encode("utf-8")
        self.state.renders_changed = True
        self.state.renders[output_path] = RenderRecord(
            own,
            tuple((name, self._print_of("document", name)) for name in sorted(deps.documents)),
            tuple((name, self._print_of("site", name)) for name in sorted(deps.site_keys)),
            tuple((name, self._print_of("template", name)) for name in sorted(deps.templates)),
            data,
        )
        return data

    # -- layouts ------------------------------------------------------------------------------
    def render_page(self, doc: Document) -> Output:
        relative = doc.source.relative
        view = self.views[relative]
        context = {"site": self.site_view, "page": DocumentView(view, relative), "paginator": None}
        own = fingerprint(self.document_prints[relative], doc.layout, doc.output_path)
        data = self.cached_render(
            doc.output_path,
            own,
            lambda: render_layout_chain(
                self.layout_env, self.site.layouts, doc.layout, view["content"], context, relative
            ),
        )
        return Output(doc.url, doc.output_path, data, relative)

    def render_generated(self, layout: str, fallback: str, page: dict[str, Any], extra: Mapping[str, Any]) -> str:
        """Generated pages (home, archive, tags, demos) use the site's layout of that name when
        there is one, otherwise a small built-in template wrapped in `default`."""
        from generator.permalinks import output_path_for

        own = fingerprint(
            layout,
            fallback,
            sorted((k, repr(v)) for k, v in page.items()),
            sorted((k, repr(v)) for k, v in extra.items()),
        )
        data = self.cached_render(
            output_path_for(page["url"]), own, lambda: self._render_generated(layout, fallback, page, extra)
        )
        return data.decode("utf-8")

    def _render_generated(self, layout: str, fallback: str, page: dict[str, Any], extra: Mapping[str, Any]) -> str:
        context = {
            "site": self.site_view,
            "page": DocumentView(page, f"generated:{page['url']}"),
            "paginator": None,
            **extra,
        }
        if layout in self.site.layouts:
            return render_layout_chain(
                self.layout_env, self.site.layouts, layout, page.get("content", ""), context, f"generated:{layout}"
            )
        inner = self.layout_env.from_string(fallback).render(context)
        page["content"] = inner
        if "default" in self.site.layouts:
            return render_layout_chain(
                self.layout_env, self.site.layouts, "default", inner, context, f"generated:{layout}"
            )
        title = markupsafe.escape(page.get("title", ""))
        return (
            f'<!doctype html>\n<html lang="{self.site.config.get("lang")}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>'
            f"<body>{inner}</body></html>\n"
        )


def blank_view(title: str, url: str, **extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = dict(
        title=title,
        url=url,
        date=None,
        tags=[],
        categories=[],
        content="",
        excerpt="",
        toc="",
        toc_count=0,
        reading_time=0,
        previous=None,
        next=None,
        math=False,
        kind="generated",
        description="",
        layout=None,
        path=None,
    )
    view.update(extra)
    return view
