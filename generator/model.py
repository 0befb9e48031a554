"""The immutable model the load phase produces and the render phase reads. Nothing mutates a
document after it is assembled; render-time facts (previous/next, paginators) live in views."""

from __future__ import annotations

import datetime as dt
from dataclasses import FrozenInstanceError, dataclass, field
from pathlib import Path
from typing import Any, Literal
from collections.abc import Mapping

from generator.config import Config

SourceKind = Literal["post", "draft", "page", "layout", "include", "data", "static", "demo", "document"]


@dataclass(frozen=True)
class Source:
    """A file of the site: where it is, and what kind of file the loader took it for."""

    path: Path  # absolute
    relative: str  # posix path relative to the source root: what messages and origins show
    kind: SourceKind


@dataclass(frozen=True)
class Document:
    """A post or a page: front matter merged with defaults, plus everything derived from it."""

    source: Source
    meta: Mapping[str, Any]
    body: str
    body_line: int
    title: str
    url: str  # site-relative, without baseurl, e.g. /2015/05/21/rnn/
    output_path: str  # relative to the destination, e.g. 2015/05/21/rnn/index.html
    layout: str | None
    is_markdown: bool
    render_with_jinja: bool
    date: dt.datetime | None = None
    slug: str = ""
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    collection: str = ""  # the Jekyll collection of a CollectionDocument ("" for posts and pages)
    output: bool = True  # False: converted for templates (site.<label>) but not written

    @property
    def kind(self) -> str:
        return self.source.kind


# The kinds of Document are not dataclasses of their own: they inherit Document's fields and
# generated methods (its __eq__ and __repr__ look at the instance's class), where a @dataclass per
# kind compiled all sixteen fields' methods again, ~1 ms of every process's start each (issue #19).
# Frozen for any attribute, as a frozen dataclass of their own would be:
def _refuse_assignment(self: Document, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_deletion(self: Document, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


class Post(Document):
    """A dated post (`_posts/`, or `_drafts/` with --drafts)."""

    __setattr__ = _refuse_assignment
    __delattr__ = _refuse_deletion


class Page(Document):
    """Any other document with front matter that is written (`about.md`, `index.html`)."""

    __setattr__ = _refuse_assignment
    __delattr__ = _refuse_deletion


class CollectionDocument(Document):
    """A document of a Jekyll collection (`_<label>/` files with front matter)."""

    __setattr__ = _refuse_assignment
    __delattr__ = _refuse_deletion


@dataclass(frozen=True)
class Collection:
    """Jekyll's `collections:` entry: its settings and its documents in Jekyll's order."""

    label: str
    output: bool
    permalink: str  # the URL pattern of its documents (`:collection/:path` …)
    relative_directory: str  # e.g. `_recipes`, or `my_collections/_recipes` with collections_dir
    metadata: Mapping[str, Any]  # the user's own keys (`sort_by`, anything templates read)
    docs: tuple[Document, ...] = ()
    files: tuple[StaticFile, ...] = ()  # its files without front matter (published when `output`)


@dataclass(frozen=True)
class StaticFile:
    """A file copied to the output as it is."""

    source: Source
    output_path: str
    url: str


@dataclass(frozen=True)
class Layout:
    """A layout template (`_layouts/`, or the theme's)."""

    name: str  # file name without extension: what `layout:` refers to
    source: Source
    meta: Mapping[str, Any]
    parent: str | None  # the layout this one chains into (Jekyll's `layout:` in a layout)


@dataclass(frozen=True)
class DemoOption:
    """One option a demo's manifest declares."""

    name: str
    type: str  # string, integer, number, boolean
    default: Any
    choices: tuple[Any, ...] | None = None
    description: str = ""


@dataclass(frozen=True)
class Demo:
    """An interactive demo bundle (`demos/<name>/` with its manifest)."""

    name: str
    manifest: Source
    title: str
    description: str
    entry_html: str
    scripts: tuple[str, ...]
    styles: tuple[str, ...]
    data: tuple[str, ...]
    thumbnail: str | None
    options: Mapping[str, DemoOption]
    files: Mapping[str, str] = field(default_factory=dict)  # bundle-relative path -> output url


@dataclass(frozen=True)
class Site:
    """Everything the load phase made: what the render phase reads."""

    config: Config
    posts: tuple[Post, ...]  # newest first
    pages: tuple[Page, ...]
    static_files: tuple[StaticFile, ...]
    layouts: Mapping[str, Layout]
    includes: Mapping[str, Source]
    data: Mapping[str, Any]
    demos: Mapping[str, Demo]
    time: dt.datetime
    collections: Mapping[str, Collection] = field(default_factory=dict)  # Jekyll's, without posts

    def collection_files(self) -> list[StaticFile]:
        """Files of collections that are written (`output: true`), copied as they are."""
        return [file for collection in self.collections.values() if collection.output for file in collection.files]

    def collection_documents(self) -> list[Document]:
        return [doc for collection in self.collections.values() for doc in collection.docs]
