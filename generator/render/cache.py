"""The content-keyed markdown conversion cache. Key = sha256(text + settings fingerprint), so an
edited post, a changed setting or a new converter version misses, and nothing else does. The
caller owns it: `blog build` loads/saves `.blog-cache/`, `blog serve` keeps one in memory.

The file is versioned by its name (`markdown-v{CACHE_FORMAT}.json`) and a `format` field: a file of
another format is never read, it is deleted and the cache rebuilt, with one line saying so. Bump
CACHE_FORMAT whenever what is stored changes shape (and say so in CHANGELOG.md)."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from pathlib import Path
from collections.abc import Callable

from generator.render.markup import MarkdownResult

CACHE_FORMAT = 2  # 1: a bare {key: entry} mapping; 2: {"format": 2, "entries": {key: entry}}
CACHE_FILE = f"markdown-v{CACHE_FORMAT}.json"


class ConversionCache:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._entries: dict[str, MarkdownResult] = {}
        self._used: set[str] = set()
        self._prefetched: set[str] = set()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self._dirty = False

    @staticmethod
    def key(text: str, fingerprint: str) -> str:
        return hashlib.sha256(f"{fingerprint}\0{text}".encode()).hexdigest()

    def get_or_convert(self, text: str, fingerprint: str, convert: Callable[[], MarkdownResult]) -> MarkdownResult:
        key = self.key(text, fingerprint)
        with self._lock:
            self._used.add(key)
            found = self._entries.get(key)
            if found is not None:
                if key not in self._prefetched:
                    self.hits += 1
                self._prefetched.discard(key)
                return found
        result = convert()
        with self._lock:
            self.misses += 1
            self._entries[key] = result
            self._dirty = True
        return result

    def missing(self, texts: list[str], fingerprint: str) -> list[str]:
        """The distinct texts not yet converted with these settings, in order."""
        with self._lock:
            return [t for t in dict.fromkeys(texts) if self.key(t, fingerprint) not in self._entries]

    def put(self, text: str, fingerprint: str, result: MarkdownResult) -> None:
        """Store a result converted elsewhere (the parallel path); counted as a conversion."""
        with self._lock:
            key = self.key(text, fingerprint)
            self._entries[key] = result
            self._prefetched.add(key)  # its first lookup is not a cache hit: it was converted now
            self.misses += 1
            self._dirty = True

    def reset_stats(self) -> None:
        self.hits = self.misses = 0
        self._used.clear()
        self._prefetched.clear()

    def prune_unused(self) -> None:
        """Drop entries the last build did not use, so the cache does not grow forever."""
        with self._lock:
            stale = set(self._entries) - self._used
            for key in stale:
                del self._entries[key]
            self._dirty = self._dirty or bool(stale)

    @classmethod
    def load(cls, folder: Path) -> ConversionCache:
        cache = cls(folder)
        _remove_other_formats(folder)
        try:
            raw = json.loads((folder / CACHE_FILE).read_text("utf-8"))
            if raw.get("format") != CACHE_FORMAT:
                raise ValueError("another cache format")
            for key, (html, toc, toc_count, warnings) in raw["entries"].items():
                cache._entries[key] = MarkdownResult(html, toc, toc_count, tuple(tuple(w) for w in warnings))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass  # a missing or corrupt cache is just a cold cache
        return cache

    def save(self) -> None:
        if self.folder is None or not self._dirty:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        entries = {k: [r.html, r.toc, r.toc_count, [list(w) for w in r.warnings]] for k, r in self._entries.items()}
        data = {"format": CACHE_FORMAT, "entries": entries}
        temporary = self.folder / f".{CACHE_FILE}.{os.getpid()}"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(data, handle)  # streamed: no second copy of a big cache in memory
        os.replace(temporary, self.folder / CACHE_FILE)
        self._dirty = False


def _remove_other_formats(folder: Path) -> None:
    """A cache written by another version of blog is deleted, with one line: its entries could
    only be misread, and converting the site again is all it costs."""
    old = sorted(p for p in folder.glob("markdown-v*.json") if p.name != CACHE_FILE)
    if not old:
        return
    for path in old:
        path.unlink(missing_ok=True)
    names = ", ".join(p.name for p in old)
    message = f"note: {folder.name}/{names} is from another version of blog; rebuilding the markdown cache"
    print(message, file=sys.stderr)
