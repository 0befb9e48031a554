"""`build(options, cache) -> BuildResult`: the one pipeline every command uses.

load config -> discover -> parse documents -> (demo bundles) -> convert (cached) -> render
(layouts, generated pages) -> check collisions -> write (only changed files, each atomically). All content errors
of a build are collected and raised together as BuildFailed; nothing is written then."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any
from collections.abc import Callable

from generator import __version__
from generator.render import generated as gen
from generator.render.cache import ConversionCache
from generator.config import Config, load_config
from generator.load.demos import DemoEmbedder
from generator.errors import BuildFailed, GeneratorError
from generator.incremental.state import BuildState
from generator.incremental.store import load_renders, save_renders, state_for_one_build
from generator.model import Document, Site
from generator.write.journal import recover
from generator.write.output import Output, WriteReport, check_destination, find_collisions, read_manifest, write_site
from generator.write.spool import Spool, spool_all
from generator.write.alongside import Alongside
from generator.plugins import PluginSet, discover_plugins, merge_config_values
from generator.write.outputcheck import unsafe_output_errors
from generator.render.documents import DocumentRenderer
from generator.render.views import TextFile, long_texts_in
from generator.render.parallel_pages import render_documents
from generator.render.edit_conversion import converting_while_loading
from generator.render.generated_set import EarlyPages, generated_pages
from generator.render.letgo import give_back_bodies, let_go_of_bodies, memory_release
from generator.assemble import RebuildMemory, load_site, run_build_plugins, run_page_plugins

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
    # False: the caller reads only counts of the returned site (`blog build`), so bodies let go of
    # during rendering are not read back (~20 ms at 1,000 posts; outputs' `staged` not re-pointed, ~10 ms).
    whole_site: bool = True


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
    images_processed: int = 0  # images whose variants were made, not found in .blog-cache/images

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
            + ("; Liquid templates (Jekyll site)" if self.config.get("template_engine") == "liquid" else "")
        )


def build(
    options: BuildOptions,
    cache: ConversionCache | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    state: BuildState | None = None,
    memory: RebuildMemory | None = None,
) -> BuildResult:
    """One build. `cache`, `state` and `memory` are owned by the caller: `blog serve` keeps them in
    memory so a rebuild re-reads, re-converts, re-renders and re-hashes only what changed."""
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
    if options.safe and not config.get("safe"):  # one switch for every later stage
        config = dataclasses.replace(config, values=MappingProxyType({**config.values, "safe": True}))
    plugins = (memory.plugin_set if memory is not None else discover_plugins)(config.source, bool(config.get("safe")))
    if plugins.handling("config_loaded"):
        values, changed = merge_config_values(plugins, config.values, set(config.values))
        if changed:
            config = dataclasses.replace(config, values=MappingProxyType(values))
    spool: Spool | None = None  # rendered bytes go to disk as they are made (write/spool.py)
    if options.write:
        check_destination(config.source, config.destination, options.force)
        # Before anything else: a build killed while writing is completed (or its litter removed).
        recovered = config.destination.is_dir() and recover(config.destination)
        same = state is not None and state.written_to == config.destination and not recovered
        known = state.written if state is not None and same else None
        where, manifest = config.destination, known if known is not None else read_manifest(config.destination)
        spool = memory.spool(where, manifest, known is not None) if memory is not None else Spool(where, manifest)
    try:
        result = _build(options, config, plugins, cache, progress, state, spool, started, memory)
    except BaseException:
        if spool is not None:
            spool.discard()  # nothing of a failed build is committed
        raise  # (a failed write empties state.written: the next build does not trust memory.written)
    if memory is not None:
        memory.remember_written(spool, result.report)  # the bytes now on disk
    return result


def _build(
    options: BuildOptions,
    config: Config,
    plugins: PluginSet,
    cache: ConversionCache | None,
    progress: Callable[[str, int, int], None] | None,
    state: BuildState | None,
    spool: Spool | None,
    started: float,
    memory: RebuildMemory | None = None,
) -> BuildResult:
    """Everything after the destination is known: render (spooling bytes), check, write."""
    owns_cache = cache is None
    if cache is None:  # (a build that owns its cache is the only one to use it: results spill to disk)
        cache = ConversionCache.load(config.source / CACHE_FOLDER, spill=True)
    cache.reset_stats()
    # A state made here is seen by no later build: nothing is remembered for one, and the views'
    # long texts (every page's HTML) wait in a file until read (render/views.py).
    once = state is None
    if state is None:
        state = state_for_one_build()
        if owns_cache:
            load_renders(state, config.source / CACHE_FOLDER, lazy_pages=spool is not None)
    plugins.memo = state.plugin_memo
    state.page_plugins = bool(plugins.handling("page_rendering"))  # (incremental/reuse.py's seal)
    # A `blog build` converts while it loads (cold: every text; a rebuild: an edited post's); prefetch finishes.
    early = converting_while_loading(config, cache, state) if once and owns_cache else None
    try:
        found = load_site(config, state, plugins, memory.load if memory else None, early.feed if early else None)
        site, bundle_files, errors, plugin_files = found
        embed = DemoEmbedder(site.demos)
        with long_texts_in(TextFile()) if once else contextlib.nullcontext():
            renderer = DocumentRenderer(site, cache, {"demo": embed}, state)
        if once:
            renderer.keep_no_conversions()
        renderer.warnings.extend(
            GeneratorError("plugin not run: --safe (or `safe: true`) builds without plugins", name, None)
            for name in plugins.skipped
        )
        documents: list[Document] = [*site.posts, *site.collection_documents(), *site.pages]
        release = memory_release(len(documents))
        release()
        # Posts and collections first, then pages (Jekyll's order): a page's Liquid or Jinja body that
        # lists `post.content` or `site.<collection>` documents' content sees them converted.
        split = len(documents) - len(site.pages)
        for start, group in ((0, documents[:split]), (split, documents[split:])):
            renderer.prefetch(group)
            for index, doc in enumerate(group, start):
                if progress:
                    progress("converting", index, len(documents))
                try:
                    renderer.fill(doc, renderer.convert(doc))
                except GeneratorError as e:
                    errors.append(e)
    finally:
        if early is not None:
            early.close()  # (nothing is left running, whatever happened)
    cache.let_go_of_keys()  # (a `blog build`'s conversions are done: the texts' keys are not kept)
    if plugins.handling("page_rendering"):
        errors.extend(run_page_plugins(plugins, renderer, documents, {e.path for e in errors}))
    released = let_go_of_bodies(renderer, documents) if once and renderer.liquid is None else []
    release()  # (what conversion freed: its workers' results, and the bodies let go of)
    renderer.seal(documents)

    def spooled(made: list[Output]) -> list[Output]:
        kept = spool_all(spool, made)
        release()  # (a home page listing every post is freed)
        return kept

    # Every document without an error and not `output: false`, on every core in a cold `blog build`;
    # the generated pages meanwhile, in the parent, while forked children render documents.
    early = EarlyPages(renderer, embed, spooled)
    outputs = render_documents(renderer, documents, errors, spool, release, alone=once, meanwhile=early.render)
    if not errors:
        try:
            sitemap = memory.sitemap if memory is not None else gen.sitemap  # (the same bytes while unchanged)
            outputs.extend(generated_outputs(renderer, embed, outputs, spooled, sitemap, early.result()))
            if renderer.liquid is not None:  # jekyll-redirect-from's pages (never in the sitemap)
                outputs.extend(spool_all(spool, renderer.liquid.redirect_pages({o.output_path for o in outputs})))
        except GeneratorError as e:
            errors.append(e)
    outputs.extend(Output(s.url, s.output_path, None, s.source.relative, s.source.path) for s in site.static_files)
    outputs.extend(renderer.images.outputs())  # resized variants the pages' <picture>s name
    outputs.extend(Output("/" + f.output_path, f.output_path, f.data, f"demos/{f.bundle_path}") for f in bundle_files)
    outputs.extend(plugin_files)
    if not errors and plugins.handling("build_finished"):
        try:
            outputs.extend(run_build_plugins(plugins, config, outputs))
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
    report, folder = None, config.source / CACHE_FOLDER
    # A `blog build`'s caches are saved while the site is written, committed once it is (write/alongside.py).
    saves = [partial(_save, cache), partial(save_renders, state, folder)] if owns_cache else []
    saving = Alongside(saves, bool(spool), folder)  # (abandoned: the folder, if they made it, is removed)
    if spool is not None:
        meta = {"generator": "blog", "version": __version__, "origins": origins}
        keep, where = list(config.get("keep_files") or []), config.destination
        try:
            report = write_site(outputs, where, keep, meta, spool.manifest, True, spool.unchanged, spool.tree)
        except BaseException:
            state.written, state.written_to = {}, None  # the disk no longer matches what we knew
            saving.abandon()  # (the saves roll back: a failed build changes nothing in .blog-cache/)
            raise
        state.written, state.written_to = report.manifest, config.destination
        if options.whole_site:  # staged bytes are now at their place (`blog build` reads no output)
            moved = set(report.written)
            outputs = [
                dataclasses.replace(o, staged=where / o.output_path) if o.staged and o.output_path in moved else o
                for o in outputs
            ]
    saving.join()
    if released and options.whole_site:  # the returned site is whole again, last
        release()
        give_back_bodies(released, state.sources)
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
        renderer.images.processed,
    )


def generated_outputs(
    renderer: DocumentRenderer,
    embed: DemoEmbedder,
    documents: list[Output],
    keep: Callable[[list[Output]], list[Output]] = lambda made: made,
    sitemap: Callable[[DocumentRenderer, list[Output]], Output] = gen.sitemap,
    pages: list[Output] | None = None,
) -> list[Output]:
    """`keep` takes each kind's outputs as soon as they are rendered (build() spools them, so a
    home page listing 10,000 posts is not held while the tag pages render). `pages`: the pages
    before the sitemap, when EarlyPages rendered them already."""
    config = renderer.site.config
    taken = {o.output_path for o in documents} | {s.output_path for s in renderer.site.static_files}
    result = generated_pages(renderer, embed, taken, keep) if pages is None else pages
    if config.generates("sitemap") and "sitemap.xml" not in taken:
        result.extend(keep([sitemap(renderer, [*documents, *result])]))
    if config.generates("robots") and "robots.txt" not in taken:
        result.extend(keep([gen.robots(renderer)]))
    return result


def _save(cache: ConversionCache, settled: Callable[[], None]) -> None:
    cache.prune_unused()
    cache.save(settled)  # (save_renders, in another thread, writes only what changed, if anything)


def _unique(errors: list[GeneratorError]) -> list[GeneratorError]:
    firsts: dict[str, GeneratorError] = {}  # (each message's first error, in the order first seen)
    for error in errors:
        firsts.setdefault(str(error), error)
    return list(firsts.values())


def print_progress(stage: str, done: int, total: int) -> None:
    if sys.stderr.isatty() and total > 50:
        sys.stderr.write(f"\r{stage} {done + 1}/{total}")
        if done + 1 == total:
            sys.stderr.write("\n")
