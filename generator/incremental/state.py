"""What makes rebuilds incremental and still exactly equal to a clean build.

Templates read the site through views that record what each render touched: which documents
(any key of a post or page view), which site keys (`site.posts`, `site.title`, …) and which
template files (layouts, includes, extends). A rendered page is reused on the next build only if
its own document and everything it touched have the same fingerprints as last time. So a theme
that lists every post on every page is still correct — it just re-renders more."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Mapping, MutableMapping, MutableSet, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from generator.incremental.sources import SourceIndex

_recording = threading.local()


@dataclass
class Dependencies:
    """What one render read."""

    documents: set[tuple[str, str]] = field(default_factory=set)  # (document, key read)
    site_keys: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)


def _current() -> Dependencies | None:
    return getattr(_recording, "deps", None)


@contextmanager
def recording() -> Iterator[Dependencies]:
    previous = _current()
    deps = Dependencies()
    _recording.deps = deps
    try:
        yield deps
    finally:
        _recording.deps = previous


class Kept(tuple):  # type: ignore[type-arg]
    """Where a view's long text sits in its TextFile (render/views.py): (offset, length, is Markup).
    Here so that readers which skip PageValues.__getitem__ (jinja_hooks, reuse) can tell it."""

    __slots__ = ()


_item = dict.__getitem__


class DocumentView(Mapping[str, Any]):
    """A read-only page/post view that notes, during a recorded render, that it was read."""

    __slots__ = ("_data", "_key")

    def __init__(self, data: dict[str, Any], key: str) -> None:
        self._data = data
        self._key = key

    def __getitem__(self, name: str) -> Any:
        deps = getattr(_recording, "deps", None)  # (_current(), inlined: read per key of every post listed)
        if deps is not None:
            deps.documents.add((self._key, name))
        return self._data[name]

    def __iter__(self) -> Iterator[str]:
        deps = _current()
        if deps is not None:
            deps.documents.update((self._key, name) for name in self._data)
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"<page {self._data.get('url')}>"


class SiteView(Mapping[str, Any]):
    """The read-only `site` variable; records which of its keys a render used."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, name: str) -> Any:
        deps = _current()
        if deps is not None:
            deps.site_keys.add(name)
        return self._data[name]

    def __iter__(self) -> Iterator[str]:
        deps = _current()
        if deps is not None:
            deps.site_keys.update(self._data)
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def view_key(view: DocumentView) -> str:
    """The document a view shows (its source path): for fingerprints, without recording a read.
    Functions, not attributes: templates may read a view's attributes, and must not see these."""
    return view._key


def unrecorded_values(view: SiteView) -> Mapping[str, Any]:
    """Everything `site` holds, read without recording (what fingerprints are computed from)."""
    return view._data


def fingerprint(*parts: Any) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        # Strings (page content) are hashed as they are: repr() would copy every page once more.
        text = part if isinstance(part, str) else repr(part)
        hasher.update(text.encode("utf-8", "surrogatepass"))
        hasher.update(b"\0" if isinstance(part, str) else b"\1")
    return hasher.hexdigest()[:24]


def fingerprint_values(values: Sequence[Any]) -> str:
    """One print of several values: what one render read of one document (reuse.py). Injective
    for a given number of values, whatever they hold: each text comes after its length and kind
    (a str; a str subclass by its name, as Markup, which a template prints unescaped; or the
    repr of anything else), so no value's text can pass for a neighbour's."""
    parts: list[str] = []
    for value in values:
        kind = type(value)
        if kind is str:
            parts += (str(len(value)), ":", value)
        elif isinstance(value, str):
            parts += (str(len(value)), kind.__module__, ".", kind.__qualname__, ":", value)
        else:
            text = repr(value)
            parts += (str(len(text)), "r:", text)
    return hashlib.sha256("".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:24]


def fingerprint_mapping(values: Mapping[str, Any], skip: tuple[str, ...] = ()) -> str:
    """Like fingerprint(sorted items) but hashes long strings (page content) without repr copies.

    The digest is that of `key \0 value \1` for each key in order; the parts are joined and
    encoded once (one sha256 update per mapping instead of three per key: a no-op rebuild
    fingerprints 1,000 views of ~25 keys each, issue #19)."""
    parts: list[str] = []
    for key in sorted(values):
        if key in skip:
            continue
        value = values[key]
        parts += (key, "\0", value if isinstance(value, str) else repr(value), "\1")
    return hashlib.sha256("".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:24]


class MemoryBytecodeCache:
    """Compiled templates kept between rebuilds; Jinja checks the source checksum itself (and its
    own and Python's version). `blog build` keeps them in .blog-cache/ too (store.py): compiling
    a post's layout chain again is a good part of a one-edit rebuild in a new process.

    Not a jinja2.BytecodeCache itself, so that this module (loaded by every build) does not import
    Jinja: a no-op rebuild renders nothing. Jinja reaches it through jinja_hooks.StoredBytecode."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}
        self.changed: set[str] = set()  # compiled since loaded or saved
        self.from_disk = False  # holds code read from .blog-cache/: never for --safe builds
        # Jinja folds filters with constant arguments at compile time (`"/x/" | relative_url` is
        # compiled to the text with the baseurl): code is valid only for the settings it was
        # compiled under, so keys carry their fingerprint (set by the renderer).
        self.salt = ""

    def load_bytecode(self, bucket: Any) -> None:  # bucket: a jinja2.bccache.Bucket
        key = f"{self.salt}:{bucket.key}"
        if key in self.store:
            bucket.bytecode_from_string(self.store[key])

    def dump_bytecode(self, bucket: Any) -> None:
        key = f"{self.salt}:{bucket.key}"
        self.store[key] = bucket.bytecode_to_string()
        self.changed.add(key)


class RenderRecord:
    """One rendered output and what it depended on, with the fingerprints at the time.

    `documents` (((document, key, …), print) pairs: one per document read, naming every key read
    of it, with one print of their values; a thousand for an archive page) may come as the
    JSON text the store keeps; it is decoded only when a check needs it, since `may_read` can
    tell from the text alone that none of a build's changed documents is named in it. The site
    keys and templates may come as JSON too (`deps_json`), decoded when first asked for: a
    record the last build validated, none of whose dependencies changed, never asks."""

    __slots__ = ("own", "_documents", "_documents_json", "_site_keys", "_templates", "_deps_json", "data")

    def __init__(
        self,
        own: str,
        documents: Sequence[tuple[Sequence[str], str]] | None,
        site_keys: tuple[tuple[str, str], ...] | None,
        templates: tuple[tuple[str, str], ...] | None,
        data: bytes,
        documents_json: str | None = None,
        deps_json: str | None = None,  # instead of site_keys and templates: [site_keys, templates]
    ) -> None:
        self.own = own
        self._documents = documents
        self._documents_json = documents_json
        self._site_keys = site_keys
        self._templates = templates
        self._deps_json = deps_json
        self.data = data

    def _decode_deps(self) -> None:
        site_keys, templates = json.loads(self._deps_json or "[[], []]")
        self._site_keys = tuple(map(tuple, site_keys))
        self._templates = tuple(map(tuple, templates))

    @property
    def site_keys(self) -> tuple[tuple[str, str], ...]:
        if self._site_keys is None:
            self._decode_deps()
        assert self._site_keys is not None
        return self._site_keys

    @property
    def templates(self) -> tuple[tuple[str, str], ...]:
        if self._templates is None:
            self._decode_deps()
        assert self._templates is not None
        return self._templates

    def deps_json(self) -> str:
        if self._deps_json is None:
            self._deps_json = json.dumps([self.site_keys, self.templates])
        return self._deps_json

    @property
    def documents(self) -> Sequence[tuple[Sequence[str], str]]:
        if self._documents is None:
            self._documents = json.loads(self._documents_json or "[]")
        return self._documents

    def documents_json(self) -> str:
        if self._documents_json is None:
            self._documents_json = json.dumps(self.documents)
        return self._documents_json

    def may_read(self, documents: set[str], dumped: Sequence[str] | None = None) -> bool:
        """False only when none of `documents` is among the ones this render read. Exact on the
        JSON text: a name is written there as json.dumps(name), quotes included (`dumped`: those
        texts, made once per build by the caller)."""
        if self._documents_json is None:
            return bool(documents)
        text = self._documents_json
        return any(name in text for name in (dumped if dumped is not None else map(json.dumps, documents)))


@dataclass
class BuildState:
    """Kept between builds by `blog serve` (and by tests): parsed documents by file stat, rendered
    outputs with their dependencies, and the fingerprints of what is on disk."""

    documents: dict[str, tuple[tuple[int, int], Any]] = field(default_factory=dict)  # parsed front matter (drafts)
    sources: SourceIndex = field(default_factory=SourceIndex)  # finished Documents by file stat (sources.py)
    document_prints: dict[str, str] = field(default_factory=dict)  # as of the last successful build
    renders_changed: bool = False  # whether `renders` differs from what was loaded (saving is then needed)
    compiled: dict[str, tuple[str, Any]] = field(default_factory=dict)  # file -> (source, Jinja code)
    renders: MutableMapping[str, RenderRecord] = field(default_factory=dict)  # a RenderStore after load_renders
    written: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # path -> (sha, size, mtime_ns)
    # Per document, replaced when it changes and dropped when it is gone (so a long `serve` session
    # stays as big as the site): fingerprint of (content, excerpt) -> (reading time, description) …
    reading: dict[str, tuple[str, tuple[int, str]]] = field(default_factory=dict)
    saved_reading: dict[str, tuple[str, tuple[int, str]]] = field(default_factory=dict)  # as in the store
    reading_texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # what `reading` was computed from
    # (document, "content"/"excerpt") -> (converted HTML, baseurl, that HTML finished) when it names no image
    finished: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # … and the inputs of its view's fingerprint -> that fingerprint (see reuse.py).
    view_prints: dict[str, tuple[Any, Any, Any, str]] = field(default_factory=dict)
    saved_prints: dict[str, str] = field(default_factory=dict)  # document prints as last saved (store.py)
    written_to: Any = None  # the destination `written` describes
    # Render reuse driven by what changed (reuse.py): the outputs whose records the last successful
    # build checked or made, and the prints of the site keys and templates those records read then.
    validated: MutableSet[str] = field(default_factory=set)  # (validation.py: as loaded from the store)
    dependency_prints: dict[tuple[str, str], str] = field(default_factory=dict)
    # A `blog build`'s view fingerprints by their inputs (validation.py): this build's, and as stored.
    view_inputs: dict[str, str] = field(default_factory=dict)
    saved_view_inputs: dict[str, str] = field(default_factory=dict)
    page_plugins: bool = True  # whether a plugin may add values to views (build.py sets it)
    own_prints: dict[str, tuple[tuple[Any, ...], str]] = field(default_factory=dict)  # see RenderReuse.page_print
    # What a rebuild in the same process (`blog serve`) takes from the last one instead of making it
    # again, each entry kept only with the very inputs it was made from (render/known.py): views
    # before filling, conversions, and generated outputs (the feed) by what they show.
    remember: bool = False  # set by `blog serve`: keep the known_* entries
    present_documents: frozenset[str] = frozenset()  # as of the last forget_gone (render/known.py)
    known_views: dict[str, tuple[Any, dict[str, Any]]] = field(default_factory=dict)
    known_conversions: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    known_fills: dict[str, tuple[Any, dict[str, Any], str]] = field(default_factory=dict)  # conversion -> view values
    known_outputs: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    plugin_memo: dict[str, dict[str, Any]] = field(default_factory=dict)  # per plugin: its own memory
    bytecode: MemoryBytecodeCache = field(default_factory=MemoryBytecodeCache)
