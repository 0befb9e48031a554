"""`blog serve`: build, serve the output folder as GitHub Pages would, rebuild on change, live reload.

One pipeline: every rebuild goes through SiteRebuilder, which calls the same `build()` as `blog build`
and keeps one ConversionCache in memory. A failed rebuild leaves the last good site being served and
shows its errors in every open page (and the terminal) until a good build clears them. This module
owns the build, the watcher and the server's state; http_handler.py answers requests."""

from __future__ import annotations

import contextlib
import errno
import secrets
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from generator.assemble import RebuildMemory
from generator.build import BuildOptions, BuildResult, build
from generator.render.cache import ConversionCache
from generator.incremental import fragments
from generator.render import imagememo
from generator.incremental.state import BuildState
from generator.errors import BuildFailed, GeneratorError
from generator.serve.heap import paused_collector, settle_heap
from generator.serve.guard import DevHTTPServer, DevHTTPServer6, HostCheck, host_check
from generator.serve.http_handler import EventHub, SiteState, client_tag, make_handler
from generator.serve.ahead import WARM_UP_TEXT, ConvertAhead, converting_ahead
from generator.serve.outcome import Rebuild, initial_state
from generator.serve.preview import preview_event, previewing
from generator.serve.pushed import pushed_pages
from generator.serve.watch import ChangeSet, SourceWatcher, WatchFilter


FRAGMENTS_HELD = 50_000  # code blocks and formulas kept in memory (a few KB each at most)


class SiteRebuilder:
    """The one rebuild path, shared by the watcher and the edit-sequence tests."""

    def __init__(self, options: BuildOptions, cache: ConversionCache | None = None, trace: bool = False) -> None:
        self.options = options
        self.cache = cache if cache is not None else ConversionCache()
        self.trace = trace
        self.result: BuildResult | None = None  # the last good build
        self.error_lines: list[str] | None = None  # the failing build's messages, None when good
        self.setup_error: GeneratorError | None = None  # a failure before any content was read
        # What makes rebuilds incremental: parsed sources, renders and their dependencies, the
        # on-disk manifest (see incremental.py). Dropped on config changes, kept otherwise.
        self.state = BuildState(remember=True)
        self.memory = RebuildMemory()  # what the change set lets a rebuild skip (build.py)
        # Highlighted code blocks and converted formulas by content (incremental/fragments.py), kept
        # across rebuilds and never dropped (the keys hold every input): editing a long post's prose
        # converts its markdown again but highlights none of its code blocks again. Backed by
        # .blog-cache's file when the cache has a folder (the CLI's), so the first edit of a session
        # finds what the first build's worker processes highlighted.
        self.fragments: dict[str, str] = {}  # (and the image pass's results per HTML: render/imagememo.py)
        self.images = imagememo.RewriteMemo()
        self.on_page: Callable[[str, bytes], None] | None = None  # edited pages as made (serve/preview.py)
        self.ahead: ConvertAhead | None = None  # the edited file's markdown converted meanwhile (serve/ahead.py)
        self._lock = threading.Lock()

    @property
    def building(self) -> bool:
        return self._lock.locked()

    def rebuild(self, changes: ChangeSet | None = None) -> Rebuild:
        with self._lock:
            started = time.perf_counter()
            try:
                if changes is not None and changes.needs_full_rebuild:
                    self.state, self.memory = BuildState(remember=True), RebuildMemory()
                # Only the watcher's change sets say what changed; any other rebuild looks at everything.
                self.memory.load.changed = (
                    frozenset(relative for relative, _ in changes.kinds) if changes is not None else None
                )
                if len(self.fragments) > FRAGMENTS_HELD:
                    self.fragments.clear()  # (a long session of edited code blocks: start afresh)
                with (
                    paused_collector(changes is not None and not changes.needs_full_rebuild),
                    fragments.kept_in(self.cache.folder, self.fragments),
                    imagememo.kept_in(self.images),
                    previewing(changes, self.on_page if self.error_lines is None and self.result else None),
                    converting_ahead(self.ahead, changes, self.result),
                ):
                    result = build(self.options, cache=self.cache, state=self.state, memory=self.memory)
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
            if changes is None or changes.needs_full_rebuild:
                settle_heap()
            report = result.report
            changed = sorted([*(report.written if report else []), *(report.removed if report else [])])
            css_only = (
                bool(report and report.written)
                and not report.removed
                and all(p.endswith(".css") for p in report.written)
            )
            event = "none" if not changed else "css" if css_only else "reload"
            return Rebuild(event, time.perf_counter() - started, changed, [], result)

    def warm_up(self) -> None:
        """Make the markdown engine, a Python lexer and the math converter on the calling thread (the
        watcher's, which runs every edit-rebuild; engines are per thread): the first build converted
        in worker processes or on another thread, so the first edit of a session paid ≈ 40-50 ms of
        CPU for them. Converts a sample text outside the caches; failing here costs only that time."""
        if self.result is None:
            return
        from generator.render.markup import render_markdown

        # (an optimisation: an edit meeting the same problem reports it)
        with contextlib.suppress(Exception):
            render_markdown(WARM_UP_TEXT, dict(self.result.config.markdown))

    def _failed(self, lines: list[str], started: float) -> Rebuild:
        self.error_lines = lines
        return Rebuild("error", time.perf_counter() - started, [], lines, None)


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
        convert_ahead: bool = False,
        log: Callable[[str], None] | None = None,
        cache: ConversionCache | None = None,
        allowed_hosts: tuple[str, ...] = (),
        idle_timeout: float = 30.0,
        max_connections: int = 64,
        heartbeat: float = 15.0,
    ) -> None:
        self.options = options
        self.host, self.port = host, port
        # Limits on who and how much (serve_guard.py); tests shorten them, the CLI keeps the defaults.
        self.allowed_hosts = allowed_hosts
        self.idle_timeout, self.max_connections, self.heartbeat = idle_timeout, max_connections, heartbeat
        self.host_check = HostCheck(0, frozenset(), frozenset())  # replaced once the port is known
        self._refused_hosts: set[str] = set()
        self.watch, self.livereload = watch, livereload
        self.quiet_period = quiet_period
        self.convert_ahead = convert_ahead  # a worker process converting edited files (serve/ahead.py)
        self.log = log or (lambda message: print(message, flush=True))
        self.rebuilder = SiteRebuilder(options, cache, trace)
        self.rebuilder.on_page = self._preview if livereload else None
        self.hub = EventHub()
        self.session = secrets.token_hex(3)  # build ids differ across restarts: pages catch up
        self.generation = 0
        self.state = initial_state(options)
        self.httpd: DevHTTPServer | None = None
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
        self.httpd.max_connections = self.max_connections
        self.host_check = host_check(self.host, self.httpd.server_address[1], self.allowed_hosts)
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
        if self.rebuilder.ahead is not None:
            self.rebuilder.ahead.close()
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

    def _preview(self, output_path: str, data: bytes) -> None:
        """An edited page, rendered, while its build goes on (serve/preview.py): open pages show it."""
        event = preview_event(self.state.build, self.state.baseurl, output_path, data)
        if event is not None:
            self.hub.announce("preview", event)

    def refused_host(self, header: str) -> None:
        """Say once per name why a browser got 421: a phone may use a name we could not guess."""
        if header in self._refused_hosts or len(self._refused_hosts) >= 20:
            return
        self._refused_hosts.add(header)
        print(
            f"refused a request for Host {header!r}: not this server's address "
            "(if you opened that address yourself, restart with --allowed-host NAME)",
            file=sys.stderr,
            flush=True,
        )

    def _bind(self) -> DevHTTPServer:
        server_class = DevHTTPServer6 if ":" in self.host else DevHTTPServer
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
        if self.convert_ahead and config is not None:
            self.rebuilder.ahead = ConvertAhead(dict(config.markdown))
        ahead = self.rebuilder.ahead
        self.watcher = SourceWatcher(
            watch_filter,
            self.on_changes,
            quiet=self.quiet_period,
            first=self.rebuilder.warm_up,
            on_saved=ahead.early if ahead is not None else None,
        )
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
        data: dict[str, object] = {"build": build_id, "paths": paths}
        if event == "reload" and self.livereload:
            data["pages"] = pushed_pages(
                result.destination, result.config.baseurl, outcome.changed_outputs, client_tag(build_id)
            )
        self.hub.publish(event, data, errors=None, build=build_id)
