"""The edited page first: during an edit-rebuild, the page made from the edited file is sent to the
open pages as soon as it is rendered, before the rest of the site (feed, home, archive, tags,
sitemap) is made and written. On this blog, an edit of its longest post spent ≈ 25 ms of CPU (and
more of wall time on a busy machine) after its page was known: generated pages, checks, the write.

What keeps the dev server's promise (DESIGN.md, serve): the server never serves a preview — every
request still gets the last good build until the new one is committed whole — and a preview is
only an event (`preview`) that changes no state a (re)connecting page is told. The client shows it
in place and keeps the last good build's page: when that build then fails (or writes nothing) it
goes back to it before showing the overlay, so a failed build never leaves its page on screen;
when it succeeds, its `reload` event carries the same HTML, and the patch finds nothing to change.
Pages with scripts of their own ignore previews (they reload with the build, as before). No preview
while the last build failed (the page shows the overlay; the fix arrives with its build's event)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

from generator.serve.http_handler import client_tag, inject_client
from generator.serve.watch import ChangeSet
from generator.write import spool
from generator.write.output import Output

PREVIEW_PAGES = 4  # pages previewed per rebuild at most (an edited file makes one, a paginated page a few)
PREVIEW_BYTES = 2_000_000  # a bigger page waits for the build
# The interpreter's thread switch interval during an edit-rebuild. The preview is handed to the
# event stream's thread, which needs the GIL to write it while the build thread goes on: with the
# default 5 ms, the build kept it up to 5 ms (more under load) before the page could be told. Only
# threads that are waiting for the GIL pay for a shorter interval, and while a rebuild runs those
# are the HTTP threads: the build loses a few context switches, the page gets its preview sooner.
SWITCH_INTERVAL = 0.0005


class PagePreview:
    """The spool's listener for one edit-rebuild: passes on the changed HTML pages made from the
    files of the change set."""

    def __init__(self, changed: frozenset[str], send: Callable[[str, bytes], None]) -> None:
        self.changed = changed
        self.send = send
        self.sent = 0  # what tests count

    def __call__(self, output: Output, data: bytes) -> None:
        if (
            self.sent < PREVIEW_PAGES
            and output.origin in self.changed
            and output.output_path.endswith((".html", ".htm"))
            and len(data) <= PREVIEW_BYTES
        ):
            self.sent += 1
            self.send(output.output_path, data)


def previewing(changes: ChangeSet | None, send: Callable[[str, bytes], None] | None) -> Any:
    """The context an edit-rebuild runs in: previews on for a watcher's change set that needs no
    full rebuild (a full rebuild changes much: its pages come with its reload event)."""
    if send is None or changes is None or changes.needs_full_rebuild:
        return contextlib.nullcontext()
    return _listening(PagePreview(frozenset(relative for relative, _ in changes.kinds), send))


@contextlib.contextmanager
def _listening(preview: PagePreview) -> Iterator[None]:
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    try:
        with spool.listening(preview):
            yield
    finally:
        sys.setswitchinterval(interval)


def preview_event(build: str, baseurl: str, output_path: str, data: bytes) -> dict[str, object] | None:
    """The `preview` event's data: the page as a request would get it once the build is committed
    (the client injected), by the path events name it by; None when it is not UTF-8."""
    try:
        page = inject_client(data, client_tag(build)).decode("utf-8")
    except UnicodeDecodeError:
        return None
    path = f"{baseurl}/{output_path}"
    return {"build": build, "paths": [path], "pages": {path: page}}
