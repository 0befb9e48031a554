"""Which file in the output folder a request names: never one outside it (resolved, with symlinks
followed, and the build marker hidden), GitHub Pages' pretty URLs, and the MIME type to send."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote

from generator.write.output import MARKER

MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".avif": "image/avif",
    ".xml": "application/xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".zip": "application/zip",
}
NOT_FOUND_PAGE = b"<!DOCTYPE html><html lang=en><title>Not found</title><body><h1>Not found</h1></body></html>"


def content_type(path: Path) -> str:
    known = MIME_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def resolve_request_path(root: Path, url_path: str) -> Path | None:
    """The path under `root` that a URL path names, or None if it could name anything outside it.

    Checks every decoded segment (so `%2e%2e`, `%2f`, `%5c` and NUL are refused, not normalised)
    and then the real path, so a symlink pointing out of the folder is refused too. Nothing is
    opened here; callers open only what this returns."""
    segments = []
    for raw in url_path.split("/"):
        try:
            segment = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return None
        if segment in (".", "..") or any(c in segment for c in "/\\\0") or (segment[1:2] == ":"):
            return None
        if segment:
            segments.append(segment)
    if segments == [MARKER]:
        return None  # the build's own bookkeeping is not part of the site
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, *segments))
    if real != real_root and not real.startswith(real_root + os.sep):
        return None
    return Path(real)


def locate(root: Path, url_path: str) -> tuple[str, Path | None]:
    """GitHub Pages' rules: /x/ -> x/index.html, /x -> 301 to /x/ for a folder, /x -> x.html."""
    found = resolve_request_path(root, url_path)
    if found is None:
        return "missing", None
    if url_path.endswith("/"):
        index = resolve_request_path(root, url_path + "index.html")
        return ("file", index) if index is not None and index.is_file() else ("missing", None)
    if found.is_dir():
        return "folder", None
    if found.is_file():
        return "file", found
    html = resolve_request_path(root, url_path + ".html")
    return ("file", html) if html is not None and html.is_file() else ("missing", None)
