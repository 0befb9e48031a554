"""Rendered bytes that carry their own output digest (the one the spool and the journal's
manifest compare), made once when the bytes are rendered and stored with them in the render
store: a reused page's digest is then known without hashing its bytes again (issue #19: a
1,000-post edit rebuild hashed 14.6 MB of reused pages to learn what the store could tell)."""

from __future__ import annotations

import hashlib


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


def known_digest(data: bytes) -> str | None:
    """The digest `data` carries, None for plain bytes."""
    return data.digest if type(data) is Digested else None
