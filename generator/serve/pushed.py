"""What a live-reload event carries besides the changed paths: the changed pages' HTML, when they
are few (one post edited: its page, perhaps the home page), so an open page patches itself with
no request (serve/livereload.js). A browser's fetch of a 100 KB page took ~15 ms on this 2-core
machine, the server's own part 1 ms: most of the wait was the browser's round trip."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from generator.serve.files import resolve_request_path
from generator.serve.http_handler import inject_client

# More changed pages than this, or bigger: the pages showing them fetch them.
PUSHED_PAGES = 4
PUSHED_BYTES = 2_000_000


def pushed_pages(destination: Path, baseurl: str, changed: list[str], tag: bytes = b"") -> dict[str, str]:
    """The changed HTML pages' text as a request would get it (the client `tag` injected), by the
    path the event names them by; none when there are more or bigger than a reload event should
    carry (one gone, or not UTF-8, is left out: a page showing it fetches)."""
    html = [p for p in changed if p.endswith((".html", ".htm"))]
    if not html or len(html) > PUSHED_PAGES:
        return {}
    pages: dict[str, str] = {}
    total = 0
    for relative in html:
        # The same containment check as a request's (a link in the output folder leading out of it
        # is never read), so the event never carries what the server would refuse to serve.
        path = resolve_request_path(destination, quote(relative))
        if path is None:
            continue
        try:
            data = path.read_bytes()
            total += len(data)
            if total > PUSHED_BYTES:
                return {}
            pages[f"{baseurl}/{relative}"] = inject_client(data, tag).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return pages
