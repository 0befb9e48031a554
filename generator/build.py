"""`build(options, cache) -> BuildResult`: the one pipeline every command uses.

load config -> discover -> parse documents -> (demo bundles) -> convert (cached) -> render
(layouts, generated pages) -> check collisions -> write (only changed files, each atomically). All content errors
of a build are collected and raised together as BuildFailed; nothing is written then."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from collections.abc import Callable

from generator import __version__
from generator.render import generated as gen
from generator.render.cache import ConversionCache
from generator.config import Config, load_config
from generator.load.content import load_document, read_source
from generator.load.data import load_data
from generator.load.demos import BundleFile, DemoEmbedder, load_demos
from generator.load.discover import discover
from generator.errors import BuildFailed, GeneratorError
from generator.incremental.state import BuildState, fingerprint, load_renders, save_renders
from generator.model import Document, Page, Post, Site, Source, StaticFile
from generator.write.journal import recover
from generator.write.output import Output, WriteReport, check_destination, find_collisions, write_site
from generator.plugins import (
    BuildContext,
    PluginSet,
    SiteContext,
    discover_plugins,
    memo_for,
    merge_config_values,
    page_values,
)
from generator.write.outputcheck import unsafe_output_errors
from generator.render.documents import DocumentRenderer
from generator.render.templates import load_layouts

CACHE_FOLDER = ".blog-cache"


@dataclass(frozen=True)
class BuildOptions:
    source: Path = Path(".")
    destination: Path | None = None
    config_file: Path | None = None
    drafts: bool = False
    future: bool = False
    unpublished: bool = False
    baseurl: str | None = None
    force: bool = False
    safe: bool = False  # build a stranger's tree: no plugins (see plugins.py)
    quiet: bool = True
    write: bool = True


@dataclass
class BuildResult:
    config: Config
    site: Site
    outputs: list[Output]
    destination: Path
    warnings: list[GeneratorError]
    report: WriteReport | None
    seconds: float
    origins: dict[str, str] = field(default_factory=dict)
    converted: int = 0
    cached: int = 0
    reused: int = 0

    def summary(self) -> str:
        site = self.site

        def count(number: int, noun: str) -> str:
            return f"{number} {noun}" if number == 1 else f"{number} {noun}s"

        written = f", {len(self.report.written)} written, {len(self.report.removed)} removed" if self.report else ""
        return (
            f"built {count(len(site.posts), 'post')}, {count(len(site.pages), 'page')}, "
            f"{count(len(site.static_files), 'static file')}, {count(len(site.demos), 'demo')} "
            f"-> {count(len(self.outputs), 'file')}{written} "
            f"({self.converted} converted, {self.cached} from cache) in {self.seconds:.2f} s"
        )


def build(
    options: BuildOptions,
    cache: ConversionCache | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    state: BuildState | None = None,
) -> BuildResult:
    """One build. `cache` and `state` are owned by the caller: `blog serve` keeps both in memory so
    a rebuild re-reads, re-converts and re-renders only what changed (see incremental.py)."""
    started = time.perf_counter()
    overrides: dict[str, Any] = {} if options.baseurl is None else {"baseurl": options.baseurl}
    config = load_config(
        options.source,
        destination=options.destination,
        config_file=options.config_file,
        overrides=overrides,
        drafts=options.drafts,
        future=options.future,
        unpublished=options.unpublished,
    )
    plugins = discover_plugins(config.source, options.safe or bool(config.get("safe")))
    if plugins.handling("config_loaded"):
        values, changed = merge_config_values(plugins, config.values, set(config.values))
        if changed:
            config = dataclasses.replace(config, values=MappingProxyType(values))
    recovered = False
    if options.write:
        check_destination(config.source, config.destination, options.force)
        # Before anything else: a build killed while writing is completed (or its litter removed).
        recovered = config.destination.is_dir() and recover(config.destination)
    owns_cache = cache is None
    if cache is None:
        cache = ConversionCache.load(config.source / CACHE_FOLDER)
    cache.reset_stats()
    if state is None:
        state = BuildState()
        if owns_cache:
            load_renders(state, config.source / CACHE_FOLDER)
    plugins.memo = state.plugin_memo
    site, bundle_files, errors, plugin_files = load_site(config, state, plugins)
    embed = DemoEmbedder(site.demos)
    renderer = DocumentRenderer(site, cache, {"demo": embed}, state)
    renderer.warnings.extend(
        GeneratorError("plugin not run: --safe (or `safe: true`) builds without plugins", name, None)
        for name in plugins.skipped
    )
    documents: list[Document] = [*site.posts, *site.pages]
    outputs: list[Output] = []
    renderer.prefetch(documents)
    for index, doc in enumerate(documents):
        if progress:
            progress("converting", index, len(documents))
        try:
            renderer.fill(doc, renderer.convert(doc))
        except GeneratorError as e:
            errors.append(e)
    if plugins.handling("page_rendering"):
        errors.extend(_run_page_plugins(plugins, renderer, documents, {e.path for e in errors}))
    renderer.seal(documents)
    failed = {e.path for e in errors}
    for doc in documents:
        if doc.source.relative in failed:
            continue
        try:
            outputs.append(renderer.render_page(doc))
        except GeneratorError as e:
            errors.append(e)
    if not errors:
        try:
            outputs.extend(generated_outputs(renderer, embed, outputs))
        except GeneratorError as e:
            errors.append(e)
    outputs.extend(Output(s.url, s.output_path, None, s.source.relative, s.source.path) for s in site.static_files)
    outputs.extend(Output("/" + f.output_path, f.output_path, f.data, f"demos/{f.bundle_path}") for f in bundle_files)
    outputs.extend(plugin_files)
    if not errors and plugins.handling("build_finished"):
        try:
            outputs.extend(_run_build_plugins(plugins, config, outputs))
        except GeneratorError as e:
            errors.append(e)
    # The choke point: every output path, whatever made it, is proven safe before any write.
    errors.extend(unsafe_output_errors(outputs, site))
    errors.extend(find_collisions(outputs))
    if errors:
        state.document_prints = {}  # renders made during a failed build were never validated
        raise BuildFailed(_unique(errors))
    renderer.finish({o.output_path for o in outputs})
    outputs.sort(key=lambda o: o.output_path)
    origins = {o.output_path: o.origin for o in outputs}
    report = None
    if options.write:
        meta = {"generator": "blog", "version": __version__, "origins": origins}
        known = state.written if state.written_to == config.destination and not recovered else None
        try:
            report = write_site(outputs, config.destination, list(config.get("keep_files") or []), meta, known)
        except BaseException:
            state.written, state.written_to = {}, None  # the disk no longer matches what we knew
            raise
        state.written, state.written_to = report.manifest, config.destination
    if owns_cache:
        cache.prune_unused()
        cache.save()
        if state.renders_changed:
            save_renders(state, config.source / CACHE_FOLDER)
    return BuildResult(
        config,
        site,
        outputs,
        config.destination,
        renderer.warnings,
        report,
        time.perf_counter() - started,
        origins,
        cache.misses,
        cache.hits,
        renderer.reused,
    )


def load_site(
    config: Config, state: BuildState, plugins: PluginSet | None = None
) -> tuple[Site, list[BundleFile], list[GeneratorError], list[Output]]:
    errors: list[GeneratorError] = []
    read = _cached_reader(state)
    sources = discover(config)
    layouts = {}
    try:
        layouts = load_layouts(sources.get("layout", []))
    except GeneratorError as e:
        errors.append(e)
    data, data_errors = load_data(sources.get("data", []))
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
    )
    for kind in kinds:
        for source in sources.get(kind, []):
            try:
                doc = _load_cached(state, source, context) if state is not None and kind != "draft" else None
                if doc is None:
                    doc = load_document(source, config, now, set(layouts), read)
                    if state is not None and doc is not None and kind != "draft":
                        state.loaded[source.relative] = (_stat_key(source), context, doc)
                elif doc.date is not None and doc.date > now and not config.future and isinstance(doc, Post):
                    doc = None
            except GeneratorError as e:
                errors.append(e)
                continue
            except OSError as e:
                errors.append(GeneratorError(f"cannot read file: {e.strerror}", source.relative, None))
                continue
            if doc is None:
                continue
            (posts if isinstance(doc, Post) else pages).append(doc)  # type: ignore[arg-type]
    posts.sort(key=lambda p: (p.date, p.source.relative), reverse=True)
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
    demo_set = load_demos(config.source, demo_manifests, config.baseurl, demo_files)
    errors.extend(demo_set.errors)
    includes = {s.relative.split("/", 1)[1]: s for s in sources.get("include", [])}
    site = Site(config, tuple(posts), tuple(pages), tuple(static), layouts, includes, data, demo_set.demos, now)
    return site, demo_set.files, errors, plugin_outputs


def _run_page_plugins(
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


def _run_build_plugins(plugins: PluginSet, config: Config, outputs: list[Output]) -> list[Output]:
    added: list[Output] = []
    for plugin in plugins.handling("build_finished"):
        context = BuildContext(config.values, outputs + added, memo_for(plugins, plugin))
        plugins.call(plugin, "build_finished", context)
        added.extend(Output("/" + path.strip("/"), path.strip("/"), data, plugin.name) for path, data in context.added)
    return added


def _stat_key(source: Source) -> tuple[int, int]:
    stat = source.path.stat()
    return (stat.st_mtime_ns, stat.st_size)


def _load_cached(state: BuildState, source: Source, context: str) -> Document | None:
    cached = state.loaded.get(source.relative)
    if cached is None or cached[1] != context or cached[0] != _stat_key(source):
        return None
    return cached[2]


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


def generated_outputs(renderer: DocumentRenderer, embed: DemoEmbedder, documents: list[Output]) -> list[Output]:
    config = renderer.site.config
    taken = {o.output_path for o in documents} | {s.output_path for s in renderer.site.static_files}
    result: list[Output] = []
    if config.generates("home"):
        result.extend(gen.paginate(renderer, taken))
    if config.generates("archive"):
        result.append(gen.archive(renderer))
    if config.generates("tags"):
        result.extend(gen.tags(renderer))
    if config.generates("demos") and renderer.site.demos:
        result.extend(gen.demo_pages(renderer, embed))
    if config.generates("not_found"):
        result.append(gen.not_found(renderer))
    result.append(gen.highlight_stylesheet(renderer))
    if config.generates("feed"):
        result.append(gen.feed(renderer))
    result = [o for o in result if o.output_path not in taken]
    if config.generates("sitemap") and "sitemap.xml" not in taken:
        result.append(gen.sitemap(renderer, [*documents, *result]))
    if config.generates("robots") and "robots.txt" not in taken:
        result.append(gen.robots(renderer))
    return result


def _unique(errors: list[GeneratorError]) -> list[GeneratorError]:
    seen: set[str] = set()
    unique = []
    for error in errors:
        if str(error) not in seen:
            seen.add(str(error))
            unique.append(error)
    return unique


def print_progress(stage: str, done: int, total: int) -> None:
    if sys.stderr.isatty() and total > 50:
        sys.stderr.write(f"\r{stage} {done + 1}/{total}")
        if done + 1 == total:
            sys.stderr.write("\n")
