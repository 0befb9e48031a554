"""Image references in markdown sources and the output paths they name (images.py), as pure
functions remembered across builds: a `serve` rebuild asks them again for every unchanged text and
every image of a long post (issue #19)."""

from __future__ import annotations

import functools
import html as htmllib
import re
from collections import deque
from pathlib import PurePosixPath
from urllib.parse import unquote, urlparse

from generator.render.imagefiles import Variant

# In the markdown source: what a later conversion will turn into an <img> (for prepare()).
# (The lookahead lets the regex engine skip to the next s, S or ] instead of trying both branches
# at every character: 3.5x faster on a 56 KB post.)
SOURCE_REFERENCE = re.compile(r"""(?=[sS\]])(?:\b(?i:src)\s*=\s*["']|\]\(\s*<?)([^"'()<>\s]+)""")
# The srcs each text named, for the last few prepare() calls (a build makes one per kind of page): a
# `serve` rebuild passes the same unchanged texts again. A pure function of the text.
SCANNED: deque[dict[str, list[str]]] = deque(maxlen=4)


def scanned_srcs(text: str) -> list[str]:
    for known in SCANNED:
        if text in known:
            return known[text]
    return [m[1] for m in SOURCE_REFERENCE.finditer(text)]


# Pure functions asked once per image reference of every build (a long post has ~100): cached.
@functools.lru_cache(maxsize=4096)
def output_path(baseurl: str, src: str) -> str | None:
    """The output path a site-local src names (root-relative, with or without the baseurl)."""
    parsed = urlparse(htmllib.unescape(src))
    if parsed.scheme or parsed.netloc or not parsed.path.startswith("/"):
        return None
    path = unquote(parsed.path)
    if baseurl and (path == baseurl or path.startswith(baseurl + "/")):
        path = path[len(baseurl) :]
    return str(PurePosixPath(path.lstrip("/")))


@functools.lru_cache(maxsize=4096)
def variant_output(path: str, variant: Variant) -> str:
    source = PurePosixPath(path)
    return str(source.with_name(f"{source.stem}-{variant.width}w-{variant.key[:10]}.{variant.format}"))
