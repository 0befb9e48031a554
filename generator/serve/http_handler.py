"""The HTTP side of `blog serve`: what a request gets back from the output folder.

Path resolution that never leaves the output folder (`resolve_request_path`), GitHub Pages' pretty
URLs (`locate`), MIME types, conditional GET, the live-reload client (serve/livereload.js)
injected into HTML responses only, and the Server-Sent Events hub (`EventHub`) that drives it.
Which file a URL names lives in files.py. The DevServer (server.py) owns the build and the state;
this module only answers requests."""

from __future__ import annotations

import json
import os
import queue
import select
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from generator.serve.guard import HostCheck
from generator.serve.files import NOT_FOUND_PAGE, content_type, locate, resolve_request_path


class Rebuilding(Protocol):
    building: bool


class ServedSite(Protocol):
    """What a request handler reads from the dev server (server.py's DevServer provides it): the
    handler depends on this narrow view, never on the server module, so the two never import each other."""

    url: str
    state: SiteState
    hub: EventHub
    livereload: bool
    heartbeat: float
    idle_timeout: float
    rebuilder: Rebuilding
    host_check: HostCheck

    def refused_host(self, host: str) -> None: ...


EVENTS_PATH = "/__blog/events"
CLIENT_SCRIPT = (Path(__file__).with_name("livereload.js")).read_text("utf-8")


def client_tag(build: str) -> bytes:
    """The live-reload client as a page gets it: its build id and where to listen."""
    return f'<script data-build="{build}" data-events="{EVENTS_PATH}">\n{CLIENT_SCRIPT}</script>\n'.encode()


def inject_client(html: bytes, tag: bytes) -> bytes:
    """Insert the live-reload script before the last </body> (or at the end when there is none)."""
    at = html.lower().rfind(b"</body")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


@dataclass(frozen=True)
class SiteState:
    """What the server serves right now; replaced as a whole after each good build."""

    destination: Path
    baseurl: str
    build: str
    built_at: float


class EventHub:
    """Server-Sent Events fan-out. Keeps the current state so every (re)connecting page is told at
    once whether the last build failed (overlay) and which build is current (catch-up reload)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: list[queue.Queue[bytes | None]] = []
        self.errors: list[str] | None = None
        self.build = ""
        self._closed = False

    def subscribe(self) -> queue.Queue[bytes | None]:
        client: queue.Queue[bytes | None] = queue.Queue()
        with self._lock:
            if self._closed:  # shutting down: end the stream at once so the page reconnects elsewhere
                client.put(None)
                return client
            client.put(b"retry: 500\n\n" + self._message("hello", {"build": self.build, "errors": self.errors}))
            self._clients.append(client)
        return client

    def unsubscribe(self, client: queue.Queue[bytes | None]) -> None:
        with self._lock:
            if client in self._clients:
                self._clients.remove(client)

    def publish(self, event: str, data: dict[str, object], errors: list[str] | None, build: str | None = None) -> None:
        with self._lock:
            self.errors = errors
            self.build = build if build is not None else self.build
            message = self._message(event, data)
            for client in self._clients:
                client.put(message)

    def announce(self, event: str, data: dict[str, object]) -> None:
        """Send an event without changing the state a (re)connecting page is told (a preview)."""
        with self._lock:
            message = self._message(event, data)
            for client in self._clients:
                client.put(message)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for client in self._clients:
                client.put(None)

    @property
    def client_count(self) -> int:
        with self._lock:
            return len(self._clients)

    @staticmethod
    def _message(event: str, data: dict[str, object]) -> bytes:
        return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


class DevRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a page and its assets share one connection
    dev: ServedSite
    # Socket timeout (set from DevServer.idle_timeout): a connection that sends no request for this
    # long is closed by http.server itself. The event stream never reads, so for it this bounds
    # only a write the page stopped reading; its heartbeats keep the stream itself alive.
    timeout: float | None = 30.0

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def log_message(self, format: str, *args: object) -> None:
        pass  # a dev server that prints every asset request drowns the rebuild messages

    def _respond(self, head: bool) -> None:
        if not self.dev.host_check.allows(self.headers.get("Host")):
            return self._misdirected(head)
        url = urlsplit(self.path)
        path = url.path or "/"
        if path == EVENTS_PATH and self.dev.livereload:
            return self._events(head)
        state = self.dev.state
        base = state.baseurl
        if base:
            if path == "/" or path == base:
                return self._redirect(base + "/" + (f"?{url.query}" if url.query else ""))
            if not path.startswith(base + "/"):
                return self._not_found(state, head)
            path = path[len(base) :]
        root = state.destination
        if not root.is_dir() and self.dev.rebuilder.building:
            root = self._wait_for(root)
        kind, target = locate(root, path)
        if kind == "folder":
            return self._redirect(base + path + "/" + (f"?{url.query}" if url.query else ""), 301)
        if kind == "file" and target is not None and self._send_file(target, state, 200, head):
            return
        self._not_found(state, head)

    @staticmethod
    def _wait_for(destination: Path) -> Path:
        # Only the very first build creates the output folder; a request racing it waits briefly.
        for _ in range(50):
            if destination.is_dir():
                break
            time.sleep(0.01)
        return destination

    def _misdirected(self, head: bool) -> None:
        """421: the request names another host (DNS rebinding, or a name we could not know)."""
        self.dev.refused_host(self.headers.get("Host") or "")
        self.close_connection = True
        body = (
            f"blog serve: this server does not answer to Host {self.headers.get('Host')!r}; "
            f"open {self.dev.url}, or start blog serve with --allowed-host NAME\n"
        ).encode()
        self._send_bytes(421, "text/plain; charset=utf-8", body, head, {"Connection": "close"})

    def _redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _not_found(self, state: SiteState, head: bool) -> None:
        page = resolve_request_path(state.destination, "/404.html")
        if page is not None and page.is_file() and self._send_file(page, state, 404, head):
            return
        self._send_bytes(404, "text/html; charset=utf-8", self._with_client(NOT_FOUND_PAGE, state), head)

    def _send_file(self, path: Path, state: SiteState, status: int, head: bool) -> bool:
        try:
            handle = open(path, "rb")  # noqa: SIM115 (closed below, after the fstat)
        except OSError:
            return False
        with handle:
            info = os.fstat(handle.fileno())
            kind = content_type(path)
            inject = self.dev.livereload and kind.startswith("text/html")
            # Unchanged outputs are never rewritten by a build, so inode+size+mtime is stable.
            etag = f'"{info.st_ino:x}-{info.st_size:x}-{info.st_mtime_ns:x}' + (f'-{state.build}"' if inject else '"')
            modified = max(info.st_mtime, state.built_at) if inject else info.st_mtime
            headers = {"ETag": etag, "Last-Modified": formatdate(modified, usegmt=True)}
            if status == 200 and self._not_modified(etag, modified):
                self.send_response(304)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                return True
            if inject:
                self._send_bytes(status, kind, self._with_client(handle.read(), state), head, headers)
                return True
            self._start(status, kind, info.st_size, headers)
            if not head:
                shutil.copyfileobj(handle, self.wfile)
        return True

    def _not_modified(self, etag: str, modified: float) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            tags = [t.strip().removeprefix("W/") for t in match.split(",")]
            return "*" in tags or etag in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return int(modified) <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _with_client(self, html: bytes, state: SiteState) -> bytes:
        if not self.dev.livereload:
            return html
        return inject_client(html, client_tag(state.build))

    def _send_bytes(
        self, status: int, kind: str, body: bytes, head: bool, headers: dict[str, str] | None = None
    ) -> None:
        self._start(status, kind, len(body), headers or {})
        if not head:
            self.wfile.write(body)

    def _start(self, status: int, kind: str, length: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _events(self, head: bool) -> None:
        self.close_connection = True  # the stream ends only when one side goes away
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        if head:
            return
        client = self.dev.hub.subscribe()
        heartbeat = self.dev.heartbeat
        last_write = time.monotonic()
        try:
            while True:
                try:
                    message = client.get(timeout=min(1.0, heartbeat))
                except queue.Empty:
                    # A reloading page drops its stream: notice within a second, not at the next write.
                    if self._client_gone():
                        break
                    # A comment line now and then: proxies and browsers keep a stream that talks.
                    message = b": ping\n\n" if time.monotonic() - last_write >= heartbeat else b""
                if message is None:
                    break
                if message:
                    self.wfile.write(message)
                    self.wfile.flush()
                    last_write = time.monotonic()
        except OSError:
            pass  # the page went away mid-write
        finally:
            self.dev.hub.unsubscribe(client)

    def _client_gone(self) -> bool:
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True


def make_handler(dev: ServedSite) -> type[DevRequestHandler]:
    return type("BoundDevRequestHandler", (DevRequestHandler,), {"dev": dev, "timeout": dev.idle_timeout})
