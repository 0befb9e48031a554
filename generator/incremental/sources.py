"""The stat-keyed source index: what a rebuild in a new process needs to skip reading and parsing
every unchanged post or page.

Per source file: its stat (mtime, ctime, size, inode), the sha256 of its bytes, the fingerprint of
everything else its Document depends on (config, defaults, layout names, generator version), and the
Document itself. A file whose stat is unchanged is neither opened nor parsed; a changed stat re-reads
the file and, when its bytes are the same, keeps the Document (a `touch`, a checkout).

Documents are stored as tagged JSON, never pickle: `.blog-cache/` may come with a stranger's tree
(`blog build --safe`), and decoding must not run code. Only the exact types front matter produces are
encoded; anything else (or a value that does not come back equal) is simply not indexed."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import sqlite3
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from generator.model import Document, Page, Post, Source

StatKey = tuple[int, int, int, int]


def stat_key(source: Source) -> StatKey:
    stat = os.stat(source.path)
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)


# Pages of every SQLite file in .blog-cache/ and of the temporary ones: rows are 5–20 KB (renders,
# conversions), and with SQLite's default 4 KB pages writing them cost 3–4 times the system calls
# (each one ~10–20 µs on the 2-core VM these figures come from: bench/README.md, session 4).
PAGE_SIZE = 65536


def spill_database() -> sqlite3.Connection:
    """A private temporary SQLite database (a file SQLite deletes when closed) for rows a build
    writes once and reads back rarely: with a small page cache, since its rows are what the build
    keeps out of memory (SQLite's default cache holds up to 2 MB per connection)."""
    db = sqlite3.connect("", check_same_thread=False)  # (the conversion cache uses it under its lock)
    db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    # 2 MB: rows read back soon after they were written (a build's conversions) are mostly still
    # here; with 256 KB a cold build of 1,000 posts read 12,780 pages back, with 2 MB 3,259.
    db.execute("PRAGMA cache_size = -2048")
    return db


class Unencodable(Exception):
    """A value the index does not store (the document is then loaded from its file every build)."""


def encode_value(value: Any) -> Any:
    """A value as tagged JSON data (see the module's docstring). Raises Unencodable."""
    return _encode(value)


def decode_value(data: Any) -> Any:
    return _decode(data)


def _encode(value: Any) -> Any:
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return ["f", repr(value)]  # JSON has no inf/nan; repr round-trips exactly
    if kind is list or kind is tuple:
        return ["l" if kind is list else "t", [_encode(item) for item in value]]
    if kind is dict or kind is MappingProxyType:
        return ["m" if kind is dict else "p", [[_encode(k), _encode(v)] for k, v in value.items()]]
    if kind is dt.datetime:
        if value.tzinfo is not None and type(value.tzinfo) is not dt.timezone:
            raise Unencodable(value)
        if value.tzinfo is not None and value.tzname() != dt.timezone(value.utcoffset()).tzname(None):
            raise Unencodable(value)  # a named offset: its ISO form loses the name
        return ["dt", value.isoformat(), value.fold]
    if kind is dt.date:
        return ["d", value.isoformat()]
    if kind is bytes:
        return ["b", base64.b64encode(value).decode()]
    raise Unencodable(value)


def _decode(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    tag, body = value[0], value[1]
    if tag == "l":
        return [_decode(item) for item in body]
    if tag == "t":
        return tuple(_decode(item) for item in body)
    if tag in ("m", "p"):
        mapping = {_decode(k): _decode(v) for k, v in body}
        return mapping if tag == "m" else MappingProxyType(mapping)
    if tag == "f":
        return float(body)
    if tag == "dt":
        return dt.datetime.fromisoformat(body).replace(fold=value[2])
    if tag == "d":
        return dt.date.fromisoformat(body)
    if tag == "b":
        return base64.b64decode(body)
    raise ValueError(f"unknown tag {tag!r}")


def encode_document(doc: Document, tz: dt.tzinfo) -> str:
    """JSON text for `doc` (without its Source, which discovery gives again). Raises Unencodable."""
    if type(doc) not in (Post, Page):
        raise Unencodable(doc)
    date: Any = None
    if doc.date is not None:
        if doc.date.tzinfo is not tz:  # every loaded date is in the site's zone; anything else is not indexed
            raise Unencodable(doc.date)
        date = [doc.date.replace(tzinfo=None).isoformat(), doc.date.fold]
    fields = [
        type(doc) is Post,
        _encode(dict(doc.meta)) if type(doc.meta) is dict else _encode(doc.meta),
        doc.body,
        doc.body_line,
        doc.title,
        doc.url,
        doc.output_path,
        doc.layout,
        doc.is_markdown,
        doc.render_with_jinja,
        date,
        doc.slug,
        _encode(doc.tags),
        _encode(doc.categories),
    ]
    # Exactly the same, or not indexed. The tagged encoding keeps every value's exact type (a
    # tuple stays a tuple, 1 stays an int, a mappingproxy one) or refuses it, a datetime's zone
    # name is checked above, and the fields not encoded must hold their defaults: so what is
    # indexed decodes to the same document without decoding it here to compare (that check cost
    # ~30 µs a post on the core that loads a cold build). tests/test_source_index_exact.py fails
    # when Document gains a field this function does not know.
    if doc.collection != "" or doc.output is not True or type(doc.layout) not in (str, type(None)):
        raise Unencodable(doc)
    if not all(type(v) is str for v in (doc.body, doc.title, doc.url, doc.output_path, doc.slug)):
        raise Unencodable(doc)
    if type(doc.body_line) is not int or type(doc.is_markdown) is not bool or type(doc.render_with_jinja) is not bool:
        raise Unencodable(doc)
    if doc.date is not None and type(doc.date) is not dt.datetime:
        raise Unencodable(doc)
    return json.dumps(fields, ensure_ascii=False)


def decode_document(text: str, source: Source, tz: dt.tzinfo) -> Document:
    is_post, meta, body, body_line, title, url, output_path, layout, is_md, jinja, date, slug, tags, cats = json.loads(
        text
    )
    moment = None if date is None else dt.datetime.fromisoformat(date[0]).replace(tzinfo=tz, fold=date[1])
    cls = Post if is_post else Page
    return cls(
        source=source,
        meta=_decode(meta),
        body=body,
        body_line=body_line,
        title=title,
        url=url,
        output_path=output_path,
        layout=layout,
        is_markdown=is_md,
        render_with_jinja=jinja,
        date=moment,
        slug=slug,
        tags=_decode(tags),
        categories=_decode(cats),
    )


AHEAD = 128  # stored rows read per query (at most ~0.5 MB of JSON held at once)


@dataclass(slots=True)
class IndexEntry:
    stat: StatKey
    sha: str  # of the file's bytes
    context: str  # fingerprint of what else the Document depends on
    encoded: str | None  # tagged JSON (None: not storable, or in the spill file or the store)
    doc: Document | None = None  # decoded when first used
    spilled: bool = False  # its tagged JSON is in the index's spill file
    # Its tagged JSON is the `sources` row of the store it was loaded from (`SourceIndex.store`),
    # read when decoded: a copy of every body held for the whole build was ~4 KB per post of a
    # no-op's peak (issue #19).
    stored: bool = False


@dataclass
class SourceIndex:
    """relative path -> IndexEntry; `changed`/`removed` say what `save` must write back."""

    entries: dict[str, IndexEntry] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    parsed: set[str] = field(default_factory=set)  # read and parsed afresh (new bytes) since this index was made
    # True for an index saved by `blog build` (store.py): new entries' JSON (a copy of every body)
    # goes to a private temporary SQLite file until saved, not into memory.
    spilling: bool = False
    _spill: sqlite3.Connection | None = None
    store: sqlite3.Connection | None = None  # the `.blog-cache/` database `stored` entries are rows of
    _ahead: dict[str, str] = field(default_factory=dict)  # JSON of stored rows read ahead (by path)
    _last: str | None = None  # the path last read (which way to read ahead)

    def encoded(self, path: str) -> str | None:
        """The tagged JSON of an entry (None: not storable)."""
        entry = self.entries[path]
        if entry.stored:
            return self._stored_json(path)
        if not entry.spilled:
            return entry.encoded
        assert self._spill is not None
        return self._spill.execute("SELECT doc FROM spilled WHERE path = ?", (path,)).fetchone()[0]

    def _stored_json(self, path: str) -> str | None:
        """A stored row's JSON, read with the next rows in path order (documents are loaded in
        that order, and given back in the reverse one, newest post first): one query per AHEAD
        documents, not one each (~20 µs a query)."""
        if path in self._ahead:
            self._last = path
            return self._ahead.pop(path)
        assert self.store is not None
        backwards = self._last is not None and path < self._last
        self._last = path
        query = f"SELECT path, doc FROM sources WHERE path {'<=' if backwards else '>='} ? ORDER BY path"
        rows = self.store.execute(query + (" DESC" if backwards else "") + " LIMIT ?", (path, AHEAD)).fetchall()
        self._ahead = {p: doc for p, doc in rows if p != path and p in self.entries and self.entries[p].stored}
        return next((doc for p, doc in rows if p == path), None)

    def holds(self, doc: Document) -> bool:
        """Whether `body_of` can give `doc`'s body back (it is this entry's Document, storable)."""
        entry = self.entries.get(doc.source.relative)
        return entry is not None and entry.doc is doc and (entry.stored or entry.spilled or entry.encoded is not None)

    def body_of(self, doc: Document) -> str:
        """The body of a Document the index `holds`, from its JSON: a build lets go of bodies once
        converted and gives them back to the site it returns."""
        encoded = self.encoded(doc.source.relative)
        assert encoded is not None
        return json.loads(encoded)[2]

    def lookup(self, source: Source, stat: StatKey, context: str, tz: dt.tzinfo) -> Document | None:
        """The Document of an unchanged file (same stat, same context), without opening it."""
        entry = self.entries.get(source.relative)
        if entry is None or entry.stat != stat or entry.context != context:
            return None
        return self._document(entry, source, tz)

    def same_bytes(self, source: Source, stat: StatKey, sha: str, context: str, tz: dt.tzinfo) -> Document | None:
        """After a stat change: the Document when the bytes (and context) are still the same."""
        entry = self.entries.get(source.relative)
        if entry is None or entry.sha != sha or entry.context != context:
            return None
        doc = self._document(entry, source, tz)
        if doc is not None:
            entry.stat = stat
            self.changed.add(source.relative)
        return doc

    def _document(self, entry: IndexEntry, source: Source, tz: dt.tzinfo) -> Document | None:
        if entry.doc is None or entry.doc.source != source:
            encoded = self.encoded(source.relative)
            if encoded is None:
                return None
            try:
                entry.doc = decode_document(encoded, source, tz)
            except (ValueError, TypeError, KeyError, IndexError):  # a damaged row: read the file
                return None
        return entry.doc

    def put(self, source: Source, stat: StatKey, sha: str, context: str, doc: Document, tz: dt.tzinfo) -> None:
        try:
            encoded: str | None = encode_document(doc, tz)
        except Unencodable:
            encoded = None
        entry = self.entries[source.relative] = IndexEntry(stat, sha, context, encoded, doc)
        if self.spilling and encoded is not None:
            if self._spill is None:
                self._spill = spill_database()
                self._spill.execute("CREATE TABLE spilled (path TEXT PRIMARY KEY, doc TEXT)")
            self._spill.execute("INSERT OR REPLACE INTO spilled VALUES (?, ?)", (source.relative, encoded))
            entry.encoded, entry.spilled = None, True
        self.changed.add(source.relative)
        self.parsed.add(source.relative)
        self.removed.discard(source.relative)

    def keep_only(self, relatives: set[str]) -> None:
        for gone in set(self.entries) - relatives:
            del self.entries[gone]
            self.changed.discard(gone)
            self.removed.add(gone)

    @property
    def dirty(self) -> bool:
        return bool(self.changed or self.removed)
