"""What templates see: read-only views of documents and of the site, made of frozen template data
(a post's Jinja cannot change what other pages see, nor reach a Path through a value). Views record
what each render reads (incremental/state.py), which is what makes render reuse exact."""

from __future__ import annotations

import contextlib
import os
import tempfile
import weakref
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

import markupsafe

from generator.incremental.state import DocumentView, Kept, view_key
from generator.model import Document, Post, Site
from generator.render.template_data import freeze, html

# `blog serve`: per document, the Document a view was made from and its values before filling.
KnownViews = dict[str, tuple[Document, dict[str, Any]]]


def site_values(
    site: Site, views: dict[str, dict[str, Any]], known: KnownViews | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`site.*` for templates, and the plain lists render reuse fingerprints (which posts, tags…).
    `known`: `blog serve`'s views of the last rebuild (see document_view)."""
    posts = tuple(document_view(views, post, known) for post in site.posts)
    for index, post in enumerate(site.posts):
        view = views[post.source.relative]
        view["previous"] = posts[index + 1] if index + 1 < len(posts) else None
        view["next"] = posts[index - 1] if index > 0 else None
    pages = tuple(document_view(views, page, known) for page in site.pages)
    collections = collection_views(site, views, posts, known)
    tags: dict[str, list[Any]] = {}
    categories: dict[str, list[Any]] = {}
    for post, view in zip(site.posts, posts, strict=True):
        for tag in post.tags:
            tags.setdefault(tag, []).append(view)
        for category in post.categories:
            categories.setdefault(category, []).append(view)
    demos = tuple(
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
    )
    # Everything `site` holds is frozen template data: a post's Jinja cannot change what
    # other pages see (`site.posts.clear()`) nor reach a Path through a value.
    values = {key: freeze(value) for key, value in site.config.values.items()}
    values.update(
        posts=posts,
        pages=pages,
        tags=freeze(dict(sorted(tags.items(), key=lambda kv: kv[0].lower()))),
        categories=freeze(dict(sorted(categories.items()))),
        data=freeze(site.data),
        time=site.time,
        demos=demos,
        collections=tuple(collections[label] for label in sorted(collections)),  # Jekyll sorts by label
        documents=tuple(doc for label in collections for doc in collections[label]["docs"]),
    )
    values.update({label: c["docs"] for label, c in collections.items() if label != "posts"})
    site_lists = {
        "posts": [p.source.relative for p in site.posts],
        "pages": [p.source.relative for p in site.pages],
        "tags": {t: [view_key(v) for v in vs] for t, vs in tags.items()},
        "categories": {c: [view_key(v) for v in vs] for c, vs in categories.items()},
        "collections": [(c.label, [d.source.relative for d in c.docs]) for c in site.collections.values()],
        "demos": [(d.name, d.title, d.description, sorted(d.files.items())) for d in site.demos.values()],
    }
    return values, site_lists


def collection_views(
    site: Site, views: dict[str, dict[str, Any]], posts: tuple[Any, ...], known: KnownViews | None = None
) -> dict[str, Mapping[str, Any]]:
    """Jekyll's collection drops (label, docs, output, relative_directory, the user's own keys),
    `posts` first with its documents oldest first, as Jekyll lists them."""
    found = {"posts": freeze(dict(label="posts", docs=posts[::-1], output=True, relative_directory="_posts"))}
    for label, collection in site.collections.items():
        docs = tuple(document_view(views, doc, known) for doc in collection.docs)
        for index, doc in enumerate(collection.docs):  # next/previous within the collection
            views[doc.source.relative].update(
                previous=docs[index - 1] if index > 0 else None, next=docs[index + 1] if index + 1 < len(docs) else None
            )
        values = {**collection.metadata, "label": label, "docs": docs, "files": ()}
        values.update(output=collection.output, relative_directory=collection.relative_directory)
        found[label] = freeze(values)
    return found


class TextFile:
    """Long texts of views in a temporary file (deleted when closed), read back when asked for."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 (closed with the views)
        # Closed (and so deleted) as soon as the build's views let go of it, or at exit: never left
        # for the garbage collector to find open.
        weakref.finalize(self, self._file.close)
        self._end = 0
        self.reads = 0  # what tests count

    # pwrite/pread at known offsets: one system call per text where seek + write (read) took two,
    # and a forked renderer (render/parallel_pages.py) shares the file offset with its parent.
    def keep(self, text: str) -> tuple[int, int, bool]:
        data = text.encode("utf-8", "surrogatepass")
        if not hasattr(os, "pwrite"):  # (Windows)
            self._file.seek(self._end)
            self._file.write(data)
            self._end += len(data)
            return (self._end - len(data), len(data), type(text) is markupsafe.Markup)
        start, view = self._end, memoryview(data)
        while view:
            view = view[os.pwrite(self._file.fileno(), view, self._end) :]
            self._end = start + len(data) - len(view)
        return (start, len(data), type(text) is markupsafe.Markup)

    def read(self, where: tuple[int, int, bool]) -> str:
        self.reads += 1
        if hasattr(os, "pread"):
            data = os.pread(self._file.fileno(), where[1], where[0])
        else:  # (Windows)
            self._file.seek(where[0])
            data = self._file.read(where[1])
        if len(data) < where[1]:  # (never for a regular file we wrote; a short read is not a text)
            raise OSError(f"short read of a kept text: {len(data)} of {where[1]} bytes")
        text = data.decode("utf-8", "surrogatepass")
        return markupsafe.Markup(text) if where[2] else text


_item = dict.__getitem__
LONG_KEYS = frozenset(("content", "excerpt", "toc"))
LONG = 512  # characters: shorter texts stay in memory (a file read costs more than they weigh)


class PageValues(dict):  # type: ignore[type-arg]
    """A document's view values whose long texts (converted content, excerpt, table of contents)
    live in a TextFile, not in memory: a build holds every view until its last generated page, and
    their HTML is most of a big site's memory (4,000 posts: ~30 MB). Every read goes through
    `__getitem__` (and `get`, `items`, `values`; `__iter__` is overridden so that `dict(view)` and
    `{**view}` take the path that reads items one by one), so templates, fingerprints and plugins
    see the very same text as when it is held."""

    __slots__ = ("_texts",)

    def __init__(self, texts: TextFile) -> None:
        super().__init__()
        self._texts = texts

    def __setitem__(self, key: str, value: Any) -> None:
        if key in LONG_KEYS and type(value) in (str, markupsafe.Markup) and len(value) >= LONG:
            value = Kept(self._texts.keep(value))
        super().__setitem__(key, value)

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        # All at once, then the long texts again through __setitem__ (a key keeps its place):
        # one call per key cost ~30,000 calls per no-op at 1,000 posts.
        values = dict(*args, **kwargs)
        super().update(values)
        for key in [key for key in values if key in LONG_KEYS]:  # (in order: the file's offsets too)
            self[key] = values[key]

    def __getitem__(self, key: str) -> Any:
        value = _item(self, key)  # (not super(): ~100 reads per rendered page)
        return self._texts.read(value) if type(value) is Kept else value

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[key] if key in self else default  # noqa: SIM401 (dict.get would skip __getitem__)

    def pop(self, key: str, *default: Any) -> Any:  # type: ignore[override]
        value = self[key] if key in self or not default else default[0]
        super().pop(key, None)
        return value

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return [(key, self[key]) for key in self]

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self[key] for key in self]

    def copy(self) -> dict[str, Any]:  # type: ignore[override]
        return dict(self.items())

    def __iter__(self) -> Iterator[str]:
        return super().__iter__()


_TEXTS: ContextVar[TextFile | None] = ContextVar("view_texts", default=None)


@contextlib.contextmanager
def long_texts_in(texts: TextFile) -> Iterator[TextFile]:
    """Views made inside keep their long texts in `texts` (build.py: a build nobody reuses)."""
    token = _TEXTS.set(texts)
    try:
        yield texts
    finally:
        _TEXTS.reset(token)


def document_view(
    views: dict[str, dict[str, Any]], doc: Document, known: KnownViews | None = None
) -> Mapping[str, Any]:
    """A document's template view, registered in `views` (filled in later: content, toc…).
    With `known` (kept by `blog serve`): a Document that is the very object of the last rebuild
    (unchanged file) gets a copy of the values made then instead of freezing its front matter again."""
    entry = known.get(doc.source.relative) if known is not None else None
    if entry is not None and entry[0] is doc:
        copied = dict(entry[1])  # a copy: the view is filled in (content, neighbours) per build
        views[doc.source.relative] = copied
        return DocumentView(copied, doc.source.relative)
    texts = _TEXTS.get()
    view: dict[str, Any] = {} if texts is None else PageValues(texts)
    view.update((key, freeze(value)) for key, value in doc.meta.items())
    view.update(
        title=freeze(doc.title),
        url=doc.url,
        date=doc.date,
        slug=doc.slug,
        tags=freeze(doc.tags),
        categories=freeze(doc.categories),
        path=doc.source.relative,
        layout=doc.layout,
        kind="post" if isinstance(doc, Post) else "page",
        collection=doc.collection or ("posts" if isinstance(doc, Post) else None),
        content="",
        excerpt="",
        toc="",
        toc_count=0,
        reading_time=1,
        previous=None,
        next=None,
        math=bool(doc.meta.get("math", False)),
        description=freeze(doc.meta.get("description")) or "",
    )
    if known is not None:
        known[doc.source.relative] = (doc, dict(view))
    views[doc.source.relative] = view
    return DocumentView(view, doc.source.relative)


def blank_view(title: str, url: str, **extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = dict(
        title=title,
        url=url,
        date=None,
        tags=(),
        categories=(),
        content=html(""),
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
    view.update({key: html(value) if key == "content" else freeze(value) for key, value in extra.items()})
    return view


def jekyll_nils(site_data: dict[str, Any], site: Site, views: dict[str, dict[str, Any]]) -> None:
    """Liquid sees nil where Jekyll has no value: a page without `title:`, a site without `author:`
    (this generator's defaults are ""; an empty string is true in Liquid, so themes like minima
    would show an empty nav link or author)."""
    for key in ("author", "description"):
        if site_data.get(key) == "":
            site_data[key] = None
    for doc in site.pages:
        view = views[doc.source.relative]
        for key in ("title", "description"):
            if view.get(key) == "" and key not in doc.meta:
                view[key] = None
