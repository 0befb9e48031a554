"""Rendered bytes that carry their own output digest (the one the spool and the journal's
manifest compare), made once when the bytes are rendered and stored with them in the render
store: a reused page's digest is then known without hashing its bytes again (issue #19: a
1,000-post edit rebuild hashed 14.6 MB of reused pages to learn what the store could tell)."""

from __future__ import annotations

import hashlib
import sqlite3


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:24]


class Digested(bytes):
    """bytes with `.digest` (digest_of these very bytes). (A bytes subclass cannot have __slots__.)"""

    digest: str

    @classmethod
    def of(cls, data: bytes, digest: str | None = None) -> Digested:
        made = cls(data)
        made.digest = digest_of(data) if digest is None else digest
        return made


def known_digest(data: bytes | StoredPage) -> str | None:
    """The digest `data` carries, None for plain bytes."""
    return data.digest if type(data) is Digested or type(data) is StoredPage else None


class StoredPage:
    """A reused page as the render store holds it, its bytes not read yet: `blog build` publishes
    a reused page whose digest and file are unchanged without its bytes (the spool compares the
    digest with the manifest), so a no-op need not read every page's HTML from the store (14.6 MB
    at 1,000 posts). Only the spool meets one (load_renders' `lazy_pages`): `bytes_of` reads it."""

    __slots__ = ("_db", "_path", "digest")

    def __init__(self, db: sqlite3.Connection, path: str, digest: str) -> None:
        self._db = db
        self._path = path
        self.digest = digest

    def read(self) -> Digested:
        row = self._db.execute("SELECT data FROM renders WHERE path = ?", (self._path,)).fetchone()
        if row is None or not isinstance(row[0], bytes) or digest_of(row[0]) != self.digest:
            raise RuntimeError(f"the render store no longer holds {self._path} as it was (digested.py)")
        return Digested.of(row[0], self.digest)


def bytes_of(data: bytes | StoredPage) -> bytes:
    """The bytes themselves (a StoredPage read now)."""
    return data.read() if type(data) is StoredPage else data  # type: ignore[return-value]
