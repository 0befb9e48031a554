"""Assemble the site model for one build: load every source (reusing what `blog serve` or the last
build already parsed when the file is unchanged), run the plugins' `site_loaded`, bundle the demos;
and the two later plugin events, which hand plugin results to the render and write phases."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from stat import S_ISREG
import hashlib
from pathlib import Path
from typing import Any
from collections.abc import Callable

from generator import __version__
from generator.config import Config
from generator.load.collections import load_collections
from generator.load.content import load_document, parse_source, read_bytes, read_source
from generator.load.data import load_data
from generator.load.demos import BundleFile, DemoMemo, load_demos
from generator.load.discover import discover
from generator.load.layouts import load_layouts
from generator.load.theme import gem_theme_root, theme_problem, with_gem_theme, with_theme
from generator.errors import BuildFailed, GeneratorError
from generator.incremental.sources import StatKey, stat_key
from generator.incremental.state import BuildState, fingerprint
from generator.model import Document, Page, Post, Site, Source, StaticFile
from generator.write.output import Output, WriteReport
from generator.write.spool import Spool, SpoolMemo
from generator.plugins import (
    BuildContext,
    PluginSet,
    SiteContext,
    discover_plugins,
    memo_for,
    page_values,
)
from generator.render import generated
from generator.render.documents import DocumentRenderer


@dataclass
class LoadMemo:
    """`blog serve`: what the last load found on disk. Its caller sets `changed` (the relative paths
    of the watcher's change set since then, or None: unknown); when they are all existing post files
    the last discovery found, the tree's shape cannot have changed, so the listing is reused and only
    those files are stat'ed again (the others keep the stat they had)."""

    changed: frozenset[str] | None = None
    values: Any = None  # the config values the listing was made with
    sources: dict[str, list[Source]] | None = None
    stats: dict[str, StatKey] = field(default_factory=dict)  # relative -> stat at the last load
    discovered: int = 0  # full discoveries made: what tests count
    demos: DemoMemo = field(default_factory=DemoMemo)  # validated manifests, read files (load/demos.py)

    def listing(self, config: Config) -> dict[str, list[Source]]:
        changed, known = self.changed, self.sources
        if (
            changed is None
            or known is None
            or self.values != config.values
            or not _post_edits(config, changed, {s.relative for s in known.get("post", [])})
        ):
            self.sources, self.stats = None, {}  # (a discovery that fails leaves nothing to trust)
            known = discover(config)
            self.discovered += 1
        self.sources, self.values = known, config.values
        return known

    def stat_of(self, source: Source) -> StatKey:
        stat = self.stats.get(source.relative)
        if stat is None or (self.changed is not None and source.relative in self.changed):
            stat = self.stats[source.relative] = stat_key(source)
        return stat


@dataclass
class RebuildMemory:
    """What `blog serve` keeps between rebuilds besides BuildState, to skip whole-site passes when
    its watcher's change set proves them unnecessary. `load.changed` is set before each rebuild."""

    written: SpoolMemo = field(default_factory=dict)  # the bytes objects last written (write/spool.py)
    load: LoadMemo = field(default_factory=LoadMemo)  # the source listing and stats

    _plugins: tuple[Any, PluginSet] | None = None  # imported once per `serve` (a plugin edit resets all)

    def plugin_set(self, source: Path, safe: bool) -> PluginSet:
        """Plugins as found at the first build: a change in `_plugins/` is a config change, which
        starts a new RebuildMemory; listing installed entry points costs ~5 ms per rebuild."""
        if self._plugins is None or self._plugins[0] != (source, safe):
            self._plugins = ((source, safe), discover_plugins(source, safe))
        return self._plugins[1]

    def spool(self, destination: Path, manifest: dict[str, tuple[str, int, int]] | None, in_memory: bool) -> Spool:
        """The build's spool, remembering what it sees; `written` is trusted only together with the
        in-memory manifest it was made with (`in_memory`), never with one read from the marker."""
        return Spool(destination, manifest, self.written if in_memory else None, remember=True)

    _sitemap: tuple[Any, Output] | None = None

    def sitemap(self, renderer: DocumentRenderer, outputs: list[Output]) -> Output:
        """generated.sitemap, kept while what it shows is the same: it lists every page, and its XML
        costs more than comparing its inputs. The same bytes object again, so the spool knows it."""
        config, views = renderer.site.config, renderer.views.values()
        key = (
            config.url,
            config.baseurl,
            sorted((o.url, o.output_path) for o in outputs),
            [(v["url"], _day(v.get("date")), v.get("sitemap") is False) for v in views],
        )
        if self._sitemap is None or self._sitemap[0] != key:
            self._sitemap = (key, generated.sitemap(renderer, outputs))
        return self._sitemap[1]

    def remember_written(self, spool: Spool | None, report: WriteReport | None) -> None:
        """After a successful build: the bytes now on disk, as far as the manifest confirms them."""
        self.written.clear()
        if spool is not None and report is not None:
            on_disk = report.manifest
            self.written.update((p, seen) for p, seen in spool.seen.items() if on_disk.get(p, ("",))[0] == seen[1])


def _day(value: Any) -> dt.date | None:
    """What the sitemap shows of a page's date (its lastmod)."""
    return value.date() if isinstance(value, dt.datetime) else None


def _post_edits(config: Config, changed: frozenset[str], posts: set[str]) -> bool:
    """Every changed path is a post the last discovery found, still a regular file (edited in place
    or replaced by a rename): nothing was added, removed or turned into something else."""
    for relative in changed:
        if relative not in posts:
            return False
        try:
            if not S_ISREG(os.lstat(config.source / relative).st_mode):
                return False
        except OSError:
            return False
    return True


def load_site(
    config: Config,
    state: BuildState,
    plugins: PluginSet | None = None,
    memo: LoadMemo | None = None,
    loaded: Callable[[Document], None] | None = None,
) -> tuple[Site, list[BundleFile], list[GeneratorError], list[Output]]:
    """`loaded`: called with each post, page and draft as soon as it is loaded (a cold `blog build`
    starts converting them meanwhile: render/early_conversion.py)."""
    errors: list[GeneratorError] = []
    read = _cached_reader(state)
    sources = memo.listing(config) if memo is not None else discover(config)
    # The packaged (Jinja) theme fills in what the site lacks; a Jekyll (Liquid) site brings its own
    # layouts and gets exactly what Jekyll would publish, so no theme files are added to it.
    # `theme: minima`: Jekyll's gem theme, looked up once per build (a missing gem may mean asking Ruby).
    theme_root = gem_theme_root(config.get("theme")) if config.get("template_engine") == "liquid" else None
    if config.get("template_engine") != "liquid":
        sources = with_theme(sources)
    elif theme_root is not None:
        sources = with_gem_theme(sources, theme_root)
    layouts = {}
    try:
        layouts = load_layouts(sources.get("layout", []))
    except GeneratorError as e:
        errors.append(e)
    data, data_errors = load_data(sources.get("data", []), theme_root)  # a gem theme's _data under the site's
    errors.extend(data_errors)
    now = dt.datetime.now(config.timezone)
    posts: list[Post] = []
    pages: list[Page] = []
    kinds = ["post", "page"] + (["draft"] if config.drafts else [])
    # A document depends on its file, the config and which layouts exist; drafts are dated "now"
    # and future posts appear as time passes, so neither is served from the cache.
    context = fingerprint(
        sorted((k, repr(v)) for k, v in config.values.items()),
        config.drafts,
        config.unpublished,
        repr(config.defaults),
        sorted(layouts),
        __version__,  # a new generator may derive Documents differently
    )
    indexed: set[str] = set()
    for kind in kinds:
        for source in sources.get(kind, []):
            try:
                if kind == "draft":
                    doc = load_document(source, config, now, set(layouts), read)
                else:
                    indexed.add(source.relative)
                    stat = memo.stat_of(source) if memo is not None else stat_key(source)
                    doc = _load_indexed(state, source, config, now, set(layouts), context, stat)
            except GeneratorError as e:
                errors.append(e)
                continue
            except OSError as e:
                errors.append(GeneratorError(f"cannot read file: {e.strerror}", source.relative, None))
                continue
            if doc is None:
                continue
            if loaded is not None:
                loaded(doc)
            (posts if isinstance(doc, Post) else pages).append(doc)  # type: ignore[arg-type]
    state.sources.keep_only(indexed)
    posts.sort(key=lambda p: (p.date, p.source.relative), reverse=True)
    collections, collection_errors = load_collections(
        config, sources.get("document", []), lambda s, c: load_document(s, config, now, set(layouts), read, c)
    )
    errors.extend(collection_errors)
    if errors and (problem := theme_problem(config)) is not None:  # why layouts are missing, first
        errors.insert(0, problem)
    demo_files: dict[str, dict[str, bytes]] = {}
    plugin_outputs: list[Output] = []
    if plugins is not None and plugins.handling("site_loaded"):
        data = dict(data)
        context = SiteContext(config.values, config.source, posts, pages, data, {})
        for plugin in plugins.handling("site_loaded"):
            context.memo = memo_for(plugins, plugin)
            before = set(context.files)
            try:
                plugins.call(plugin, "site_loaded", context)
            except BuildFailed as e:  # a plugin reporting several located problems at once
                errors.extend(e.errors)
            except GeneratorError as e:
                errors.append(e)
            for relative in sorted(set(context.files) - before):
                parts = relative.split("/", 2)
                if parts[0] == "demos" and len(parts) == 3:  # joins that demo's hashed bundle
                    demo_files.setdefault(parts[1], {})[parts[2]] = context.files[relative]
                else:
                    plugin_outputs.append(Output("/" + relative, relative, context.files[relative], plugin.name))
        posts.sort(key=lambda p: (p.date, p.source.relative), reverse=True)
    static = [StaticFile(s, s.relative, "/" + s.relative) for s in sources.get("static", [])]
    demo_manifests = [
        s for s in sources.get("demo", []) if s.relative.count("/") == 2 and s.relative.endswith("/demo.yml")
    ]
    demo_set = load_demos(config.source, demo_manifests, config.baseurl, demo_files, memo.demos if memo else None)
    errors.extend(demo_set.errors)
    includes = {s.relative.split("/", 1)[1]: s for s in sources.get("include", [])}
    site = Site(
        config, tuple(posts), tuple(pages), tuple(static), layouts, includes, data, demo_set.demos, now, collections
    )
    site = replace(site, static_files=site.static_files + tuple(site.collection_files()))
    return site, demo_set.files, errors, plugin_outputs


def run_page_plugins(
    plugins: PluginSet, renderer: DocumentRenderer, documents: list[Document], failed: set[str | None]
) -> list[GeneratorError]:
    """`page_rendering`: values a plugin adds to a page join its view before the views are
    fingerprinted, so render reuse sees them like front matter."""
    errors: list[GeneratorError] = []
    for doc in documents:
        if doc.source.relative in failed:
            continue
        view = renderer.views[doc.source.relative]
        try:
            view.update(page_values(plugins, view, renderer.site_view))
        except GeneratorError as e:
            errors.append(e)
    return errors


def run_build_plugins(plugins: PluginSet, config: Config, outputs: list[Output]) -> list[Output]:
    added: list[Output] = []
    for plugin in plugins.handling("build_finished"):
        context = BuildContext(config.values, outputs + added, memo_for(plugins, plugin))
        plugins.call(plugin, "build_finished", context)
        added.extend(Output("/" + path.strip("/"), path.strip("/"), data, plugin.name) for path, data in context.added)
    return added


def _load_indexed(
    state: BuildState,
    source: Source,
    config: Config,
    now: dt.datetime,
    layouts: set[str],
    context: str,
    stat: StatKey,
) -> Document | None:
    """A post or page from the source index when its file is unchanged: same stat, or a changed stat
    but the same bytes (then only read and hashed, not parsed). Otherwise read, parse and index it."""
    index, tz = state.sources, config.timezone
    doc = index.lookup(source, stat, context, tz)
    if doc is None:
        raw = read_bytes(source)
        sha = hashlib.sha256(raw).hexdigest()
        doc = index.same_bytes(source, stat, sha, context, tz)
        if doc is None:
            edited = source.relative in index.entries  # its front matter is likely as it was
            doc = load_document(source, config, now, layouts, lambda s: parse_source(s, raw, edited))
            if doc is not None:  # left out (unpublished, future) is decided again next time
                index.put(source, stat, sha, context, doc, tz)
            return doc
    if doc.date is not None and doc.date > now and not config.future and isinstance(doc, Post):
        return None  # indexed with `future: true`, or the clock went back
    return doc


def _cached_reader(state: BuildState) -> Callable[[Source], tuple[str, Any]]:
    """Front matter parsing is the slow part of loading: reuse it for files whose stat is unchanged."""

    def read(source: Source) -> tuple[str, Any]:
        stat = source.path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        cached = state.documents.get(source.relative)
        if cached is not None and cached[0] == key:
            return cached[1]
        parsed = read_source(source)
        state.documents[source.relative] = (key, parsed)
        return parsed

    return read
