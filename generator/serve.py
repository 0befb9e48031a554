"""`blog serve`: build, serve the output folder as GitHub Pages would, rebuild on change, live reload.

One pipeline: every rebuild goes through SiteRebuilder, which calls the same `build()` as `blog build`
and keeps one ConversionCache in memory. A failed rebuild leaves the last good site being served and
shows its errors in every open page (and the terminal) until a good build clears them. The HTTP
side: path resolution that never leaves the output folder, pretty URLs, conditional GET, the client
(generator/livereload.js) injected into HTML responses only, and Server-Sent Events to drive it."""

from __future__ import annotations

import argparse
import errno
import inspect
import secrets
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from generator.build import BuildOptions, BuildResult, build
from generator.cache import ConversionCache
from generator.errors import BuildFailed, GeneratorError
from generator.watch import ChangeSet, SourceWatcher, WatchFilter

# When build() learns incremental rebuilds (previous=, changed=), serve passes them automatically.
BUILD_IS_INCREMENTAL = {"previous", "changed"} <= set(inspect.signature(build).parameters)


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
        # Paths changed since the last *good* build: a failed build's changes are not in
        # self.result yet, so an incremental build must see them again next time.
        self._unbuilt: set[Path] = set()
        self._lock = threading.Lock()

    def rebuild(self, changes: ChangeSet | None = None) -> Rebuild:
        with self._lock:
            if changes is not None:
                self._unbuilt |= changes.paths
            full = changes is None or changes.needs_full_rebuild or self.result is None
            started = time.perf_counter()
            try:
                result = build(self.options, cache=self.cache, **self._incremental_arguments(full))
            except BuildFailed as e:
                return self._failed(e.lines(), started)
            except GeneratorError as e:
                return self._failed([str(e)], started)
            except Exception as e:  # a bug in the generator must not kill the dev server
                if self.trace:
                    traceback.print_exc()
                return self._failed([f"internal error: {type(e).__name__}: {e} (rerun with --trace for details)"], started)
            self.result, self.error_lines = result, None
            self._unbuilt.clear()
            report = result.report
            changed = sorted([*(report.written if report else []), *(report.removed if report else [])])
            css_only = bool(report and report.written) and not report.removed and all(
                p.endswith(".css") for p in report.written)
            event = "none" if not changed else "css" if css_only else "reload"
            return Rebuild(event, time.perf_counter() - started, changed, [], result)

    def _incremental_arguments(self, full: bool) -> dict[str, object]:
        if not BUILD_IS_INCREMENTAL or full:
            return {}
        return {"previous": self.result, "changed": frozenset(self._unbuilt)}

    def _failed(self, lines: list[str], started: float) -> Rebuild:
        self.error_lines = lines
        return Rebuild("error", time.perf_counter() - started, [], lines, None)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # event-stream threads live until the browser goes; never wait for them


class _Server6(_Server):
    address_family = socket.AF_INET6


class DevServer:
    """Bind, build, serve in a background thread, watch. Used by the CLI and by the tests."""

    def __init__(self, options: BuildOptions, host: str = "127.0.0.1", port: int = 4000, *, watch: bool = True,
                 livereload: bool = True, quiet_period: float = 0.05, trace: bool = False,
                 log: Callable[[str], None] | None = None, cache: ConversionCache | None = None) -> None:
        self.options = options
        self.host, self.port = host, port
        self.watch, self.livereload = watch, livereload
        self.quiet_period = quiet_period
        self.log = log or (lambda message: print(message, flush=True))
        self.rebuilder = SiteRebuilder(options, cache, trace)
        self.hub = EventHub()
        self.session = secrets.token_hex(3)  # build ids differ across restarts: pages catch up
        self.generation = 0
        self.state = SiteState(Path(options.destination or "_site").resolve(), options.baseurl or "", "", time.time())
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
        self._after_build(outcome, None)
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="blog-http", daemon=True)
        self._thread.start()
        if self.watch:
            self._start_watcher()

    def stop(self) -> None:
        if self.watcher:
            self.watcher.stop()
        self.hub.close()
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
        cache_folder = self.rebuilder.cache.folder
        if cache_folder is not None:
            self.rebuilder.cache.prune_unused()
            self.rebuilder.cache.save()

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
                raise GeneratorError(f"port {self.port} on {self.host} is already in use; stop the other server "
                                     f"or choose another port, e.g. --port {self.port + 1}") from e
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
                self.log(f"{warning} (warning)")
        if not outcome.ok:
            for line in outcome.error_lines:
                print(line, file=sys.stderr, flush=True)
            print(f"build failed in {outcome.seconds:.2f} s; still serving the last good site", file=sys.stderr, flush=True)
            self.hub.publish("error", {"build": self.state.build, "errors": outcome.error_lines}, errors=outcome.error_lines)
            return
        result = outcome.result
        assert result is not None
        if outcome.event != "none" or not self.state.build:
            self.generation += 1
        build_id = f"{self.session}-{self.generation}"
        self.state = SiteState(result.destination, result.config.baseurl, build_id,
                               time.time() if outcome.event != "none" else self.state.built_at)
        if self.watcher is not None:
            self.watcher.filter.update(result.destination, result.config)
        if changes is None:
            self.log(result.summary())
        else:
            self.log(f"  rebuilt in {outcome.seconds:.2f} s: {len(outcome.changed_outputs)} output files changed"
                     + {"reload": ", reloading pages", "css": ", swapping stylesheets", "none": ""}[outcome.event])
        paths = [f"{result.config.baseurl}/{p}" for p in outcome.changed_outputs]
        event = "ok" if outcome.event == "none" else outcome.event
        self.hub.publish(event, {"build": build_id, "paths": paths}, errors=None, build=build_id)


def configure_serve_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 exposes the site to your network)")
    parser.add_argument("--port", type=int, default=4000, help="port (default 4000; 0 picks a free one)")
    parser.add_argument("--watch", action=argparse.BooleanOptionalAction, default=True,
                        help="rebuild when source files change (default on)")
    parser.add_argument("--livereload", action=argparse.BooleanOptionalAction, default=True,
                        help="reload open pages after each rebuild (default on)")
    parser.add_argument("--open", action="store_true", help="open the site in the default web browser")


def run_serve_command(args: argparse.Namespace) -> int:
    from generator.build import CACHE_FOLDER
    from generator.cli import build_options

    options = build_options(args)
    if args.host in ("0.0.0.0", "::", ""):
        print("warning: listening on every network interface: anyone on your network can read this site "
              "(and its drafts); use --host 127.0.0.1 to keep it local", file=sys.stderr)
    cache = ConversionCache.load(Path(options.source).resolve() / CACHE_FOLDER)
    server = DevServer(options, args.host or "0.0.0.0", args.port, watch=args.watch, livereload=args.livereload,
                       trace=args.trace, cache=cache, log=(lambda m: None) if args.quiet else None)
    server.start()
    print(f"serving {server.state.destination} at {server.url}"
          + (" (watching for changes)" if args.watch else "") + "; press Ctrl-C to stop", flush=True)
    if args.open:
        import webbrowser

        webbrowser.open(server.url)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopping", file=sys.stderr)
    finally:
        server.stop()
    return 0
