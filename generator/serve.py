"""`blog serve`: build, serve the output folder as GitHub Pages would, rebuild on change, live reload.

One pipeline: every rebuild goes through SiteRebuilder, which calls the same `build()` as `blog build`
and keeps one ConversionCache in memory. A failed rebuild leaves the last good site being served and
shows its errors in every open page (and the terminal) until a good build clears them. The HTTP
side: path resolution that never leaves the output folder, pretty URLs, conditional GET, the client
(generator/livereload.js) injected into HTML responses only, and Server-Sent Events to drive it."""

from __future__ import annotations

import argparse
import errno
import json
import mimetypes
import os
import queue
import secrets
import select
import shutil
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.build import BuildOptions, BuildResult, build
from generator.cache import ConversionCache
from generator.incremental import BuildState
from generator.config import load_config, normalise_baseurl
from generator.errors import BuildFailed, GeneratorError
from generator.output import MARKER
from generator.watch import ChangeSet, SourceWatcher, WatchFilter


@dataclass(frozen=True)
class Rebuild:
    """The outcome of one rebuild, as the browser and the terminal need it."""

    event: str  # "reload" (HTML or other files), "css" (only stylesheets), "none", "error"
    seconds: float
    changed_outputs: list[str] = field(default_factory=list)  # written + removed, relative paths
    error_lines: list[str] = field(default_factory=list)
    result: BuildResult | None = None

    @property
    def ok(self) -> bool:
        return self.event != "error"


class SiteRebuilder:
    """The one rebuild path, shared by the watcher and the edit-sequence tests."""

    def __init__(self, options: BuildOptions, cache: ConversionCache | None = None, trace: bool = False) -> None:
        self.options = options
        self.cache = cache if cache is not None else ConversionCache()
        self.trace = trace
        self.result: BuildResult | None = None  # the last good build
        self.error_lines: list[str] | None = None  # the failing build's messages, None when good
        self.setup_error: GeneratorError | None = None  # a failure before any content was read
        # Paths changed since the last *good* build: a failed build's changes are not in
        # self.result yet, so an incremental build must see them again next time.
        self._unbuilt: set[Path] = set()
        # What makes rebuilds incremental: parsed sources, renders and their dependencies, the
        # on-disk manifest (see incremental.py). Dropped on config changes, kept otherwise.
        self.state = BuildState()
        self._lock = threading.Lock()

    @property
    def building(self) -> bool:
        return self._lock.locked()

    def rebuild(self, changes: ChangeSet | None = None) -> Rebuild:
        with self._lock:
            if changes is not None:
                self._unbuilt |= changes.paths
            started = time.perf_counter()
            try:
                if changes is not None and changes.needs_full_rebuild:
                    self.state = BuildState()
                result = build(self.options, cache=self.cache, state=self.state)
            except BuildFailed as e:
                return self._failed(e.lines(), started)
            except GeneratorError as e:  # config or destination trouble: nothing was built
                self.setup_error = e
                return self._failed([str(e)], started)
            except Exception as e:  # noqa: BLE001 (a bug in the generator must not kill the dev server)
                if self.trace:
                    traceback.print_exc()
                return self._failed(
                    [f"internal error: {type(e).__name__}: {e} (rerun with --trace for details)"], started
                )
            self.result, self.error_lines, self.setup_error = result, None, None
            self._unbuilt.clear()
            report = result.report
            changed = sorted([*(report.written if report else []), *(report.removed if report else [])])
            css_only = (
                bool(report and report.written)
                and not report.removed
                and all(p.endswith(".css") for p in report.written)
            )
            event = "none" if not changed else "css" if css_only else "reload"
            return Rebuild(event, time.perf_counter() - started, changed, [], result)

    def _failed(self, lines: list[str], started: float) -> Rebuild:
        self.error_lines = lines
        return Rebuild("error", time.perf_counter() - started, [], lines, None)


# ---- HTTP: paths, files, events ------------------------------------------------------------------

EVENTS_PATH = "/__blog/events"
CLIENT_SCRIPT = (Path(__file__).with_name("livereload.js")).read_text("utf-8")
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
    dev: DevServer

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def log_message(self, format: str, *args: object) -> None:
        pass  # a dev server that prints every asset request drowns the rebuild messages

    def _respond(self, head: bool) -> None:
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
        # write_site swaps the whole folder with two renames; in between it briefly does not exist.
        for _ in range(50):
            if destination.is_dir():
                break
            time.sleep(0.01)
        return destination

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
        tag = (f'<script data-build="{state.build}" data-events="{EVENTS_PATH}">\n{CLIENT_SCRIPT}</script>\n').encode()
        return inject_client(html, tag)

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
        idle = 0
        try:
            while True:
                try:
                    message = client.get(timeout=1)
                    idle = 0
                except queue.Empty:
                    # A reloading page drops its stream: notice within a second, not at the next write.
                    if self._client_gone():
                        break
                    idle += 1
                    message = b": ping\n\n" if idle % 15 == 0 else b""
                if message is None:
                    break
                if message:
                    self.wfile.write(message)
                    self.wfile.flush()
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


def make_handler(dev: DevServer) -> type[DevRequestHandler]:
    return type("BoundDevRequestHandler", (DevRequestHandler,), {"dev": dev})


def initial_state(options: BuildOptions) -> SiteState:
    """Where to serve from before any build succeeded (the first one may fail: then the previous
    output, if any, is served with the error overlay on top)."""
    try:
        config = load_config(
            Path(options.source),
            destination=options.destination,
            config_file=options.config_file,
            overrides={} if options.baseurl is None else {"baseurl": options.baseurl},
        )
        return SiteState(config.destination, config.baseurl, "", time.time())
    except GeneratorError:
        destination = options.destination or Path(options.source) / "_site"
        return SiteState(destination.resolve(), normalise_baseurl(options.baseurl or ""), "", time.time())


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # event-stream threads live until the browser goes; never wait for them

    def handle_error(self, request: object, client_address: object) -> None:
        # Browsers drop connections all the time (navigation, reload); that is not worth a traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class DevServer:
    """Bind, build, serve in a background thread, watch. Used by the CLI and by the tests."""

    def __init__(
        self,
        options: BuildOptions,
        host: str = "127.0.0.1",
        port: int = 4000,
        *,
        watch: bool = True,
        livereload: bool = True,
        quiet_period: float = 0.05,
        trace: bool = False,
        log: Callable[[str], None] | None = None,
        cache: ConversionCache | None = None,
    ) -> None:
        self.options = options
        self.host, self.port = host, port
        self.watch, self.livereload = watch, livereload
        self.quiet_period = quiet_period
        self.log = log or (lambda message: print(message, flush=True))
        self.rebuilder = SiteRebuilder(options, cache, trace)
        self.hub = EventHub()
        self.session = secrets.token_hex(3)  # build ids differ across restarts: pages catch up
        self.generation = 0
        self.state = initial_state(options)
        self.httpd: _Server | None = None
        self.watcher: SourceWatcher | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self.httpd is not None
        host = self.httpd.server_address[0]
        host = "127.0.0.1" if host == "0.0.0.0" else "[::1]" if host == "::" else host
        host = f"[{host}]" if ":" in host and not host.startswith("[") else host
        return f"http://{host}:{self.httpd.server_address[1]}{self.state.baseurl}/"

    def start(self) -> None:
        self.httpd = self._bind()  # before building: a busy port should fail fast, not after a build
        self.httpd.dev = self  # type: ignore[attr-defined]
        outcome = self.rebuilder.rebuild()
        if self.rebuilder.setup_error is not None:
            # A bad config or a destination we may not write to: there is no site to show, and
            # serving a folder we refused to build into would be wrong. Content errors, though, get
            # the overlay while the author fixes them.
            self.httpd.server_close()
            raise self.rebuilder.setup_error
        self._after_build(outcome, None)
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.1,), name="blog-http", daemon=True)
        self._thread.start()
        if self.watch:
            self._start_watcher()

    def stop(self) -> None:
        if self.watcher:
            self.watcher.stop()
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
        self.hub.close()  # after the listener: no page can subscribe to a server that is going away
        cache_folder = self.rebuilder.cache.folder
        if cache_folder is not None:
            self.rebuilder.cache.prune_unused()
            try:
                self.rebuilder.cache.save()
            except OSError as e:  # a read-only checkout: the next start is just slower
                print(f"warning: could not save the markdown cache: {e}", file=sys.stderr)

    def on_changes(self, changes: ChangeSet) -> None:
        """Called by the watcher with each debounced change set (one at a time)."""
        what = "config changed, full rebuild" if changes.needs_full_rebuild else "changed"
        self.log(f"{time.strftime('%H:%M:%S')} {what}: {changes.describe()}")
        self._after_build(self.rebuilder.rebuild(changes), changes)

    def _bind(self) -> _Server:
        server_class = _Server6 if ":" in self.host else _Server
        try:
            return server_class((self.host, self.port), make_handler(self))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise GeneratorError(
                    f"port {self.port} on {self.host} is already in use; stop the other server "
                    f"or choose another port, e.g. --port {self.port + 1}"
                ) from e
            raise GeneratorError(f"cannot listen on {self.host}:{self.port}: {e.strerror}") from e

    def _start_watcher(self) -> None:
        result = self.rebuilder.result
        config = result.config if result else None
        watch_filter = WatchFilter(Path(self.options.source), self.state.destination, config, self.options.config_file)
        self.watcher = SourceWatcher(watch_filter, self.on_changes, quiet=self.quiet_period)
        self.watcher.start()

    def _after_build(self, outcome: Rebuild, changes: ChangeSet | None) -> None:
        if outcome.result is not None:
            for warning in outcome.result.warnings:
                print(f"{warning} (warning)", file=sys.stderr, flush=True)
        if not outcome.ok:
            for line in outcome.error_lines:
                print(line, file=sys.stderr, flush=True)
            print(
                f"build failed in {outcome.seconds:.2f} s; still serving the last good site",
                file=sys.stderr,
                flush=True,
            )
            self.hub.publish(
                "error", {"build": self.state.build, "errors": outcome.error_lines}, errors=outcome.error_lines
            )
            return
        result = outcome.result
        assert result is not None
        if outcome.event != "none" or not self.state.build:
            self.generation += 1
        build_id = f"{self.session}-{self.generation}"
        self.state = SiteState(
            result.destination,
            result.config.baseurl,
            build_id,
            time.time() if outcome.event != "none" else self.state.built_at,
        )
        if self.watcher is not None:
            self.watcher.filter.update(result.destination, result.config)
        if changes is None:
            self.log(result.summary())
        else:
            self.log(
                f"  rebuilt in {outcome.seconds:.2f} s: {len(outcome.changed_outputs)} output files changed"
                + {"reload": ", reloading pages", "css": ", swapping stylesheets", "none": ""}[outcome.event]
            )
        paths = [f"{result.config.baseurl}/{p}" for p in outcome.changed_outputs]
        event = "ok" if outcome.event == "none" else outcome.event
        self.hub.publish(event, {"build": build_id, "paths": paths}, errors=None, build=build_id)


def wait_until_interrupted() -> None:
    while True:
        time.sleep(3600)  # Ctrl-C raises KeyboardInterrupt here, in the main thread


def configure_serve_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 exposes the site to your network)",
    )
    parser.add_argument("--port", type=int, default=4000, help="port (default 4000; 0 picks a free one)")
    parser.add_argument(
        "--watch",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="rebuild when source files change (default on)",
    )
    parser.add_argument(
        "--livereload",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="reload open pages after each rebuild (default on)",
    )
    parser.add_argument("--open", action="store_true", help="open the site in the default web browser")


def run_serve_command(args: argparse.Namespace) -> int:
    from generator.build import CACHE_FOLDER
    from generator.cli import build_options

    options = build_options(args)
    if args.host in ("0.0.0.0", "::", ""):
        print(
            "warning: listening on every network interface: anyone on your network can read this site "
            "(and its drafts); use --host 127.0.0.1 to keep it local",
            file=sys.stderr,
        )
    cache = ConversionCache.load(Path(options.source).resolve() / CACHE_FOLDER)
    server = DevServer(
        options,
        args.host or "0.0.0.0",
        args.port,
        watch=args.watch,
        livereload=args.livereload,
        trace=args.trace,
        cache=cache,
        log=(lambda m: None) if args.quiet else None,
    )
    server.start()
    print(
        f"serving {server.state.destination} at {server.url}"
        + (" (watching for changes)" if args.watch else "")
        + "; press Ctrl-C to stop",
        flush=True,
    )
    if args.open:
        import webbrowser

        webbrowser.open(server.url)
    try:
        wait_until_interrupted()
    except KeyboardInterrupt:
        print("stopping", file=sys.stderr)
    finally:
        server.stop()
    return 0
