"""Site plugins: trusted Python code that joins the build at four documented events.

A plugin is a Python module: a file in the site's `_plugins/` folder, or an installed package that
registers a module under the entry-point group `blog.plugins`. It defines any of these functions
(the idea of MkDocs' plugin events and Pelican's signals; the names and shapes are ours):

    config_loaded(config: Mapping) -> Mapping | None
        After `_config.yml` is read and checked. Return values to add to the config (your plugin's
        own defaults, say); the user's own values win over them.
    site_loaded(site: SiteContext) -> None
        After every document, data file and static file is loaded, before anything is rendered.
        Read `site.config`, `site.source` (the site folder), `site.posts`, `site.pages`, `site.data`; add files with
        `site.add_file("demos/x/data.json", bytes)` (a file under `demos/<name>/` joins that demo's
        bundle, any other path is published as a static file), data with `site.add_data(name, value)`,
        change a document with `site.replace(doc, meta=..., body=...)`.
    page_rendering(page: Mapping, site: Mapping) -> Mapping | None
        Before each post and page goes through its layouts. Return values to add to `page`.
    build_finished(build: BuildContext) -> None
        After every page rendered, before anything is written: `build.outputs` lists what will be
        written; `build.add_output("path/in/site.txt", bytes)` adds a file (checked and written with
        the rest, so a failed build still writes nothing).

Everything a plugin returns or adds flows into the same fingerprints as the site's own files, so
incremental rebuilds (`blog serve`) stay exact: added files are compared by content, added page
values are part of each page's fingerprint, and `site.memo` (kept across rebuilds of one `serve`
session) is where a plugin remembers expensive work.

Plugins are code the site owner trusts, like layouts. `blog build --safe` (or `safe: true`) loads
none of them and says which were skipped: that is how a stranger's pull request is built.
Any exception a plugin raises becomes a `path:line` error at the plugin's own line."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

from generator.errors import GeneratorError
from generator.installed import may_have_entry_points

PLUGINS_FOLDER = "_plugins"
ENTRY_POINT_GROUP = "blog.plugins"
EVENTS = ("config_loaded", "site_loaded", "page_rendering", "build_finished")


class PluginError(GeneratorError):
    """An exception raised inside a plugin, located at the plugin's own line."""


@dataclass(frozen=True)
class Plugin:
    """One loaded plugin module."""

    name: str  # shown in messages: the file relative to the site, or the entry point's name
    module: ModuleType
    origin: Path | None  # the file, for locating errors

    def handles(self, event: str) -> bool:
        return callable(getattr(self.module, event, None))


@dataclass
class PluginSet:
    """The plugins of one site, and the ones --safe skipped."""

    plugins: list[Plugin] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # found but not loaded (safe mode)
    memo: dict[str, dict[str, Any]] = field(default_factory=dict)  # per plugin, kept by `serve`

    def handling(self, event: str) -> list[Plugin]:
        return [plugin for plugin in self.plugins if plugin.handles(event)]

    def call(self, plugin: Plugin, event: str, *args: Any) -> Any:
        """Run one event handler; any exception it raises becomes a located PluginError."""
        try:
            return getattr(plugin.module, event)(*args)
        except GeneratorError:
            raise  # already located (a plugin validating a data file, say)
        except Exception as e:
            raise plugin_error(plugin, event, e) from e


def plugin_error(plugin: Plugin, event: str, error: BaseException) -> PluginError:
    import traceback  # (only for a failing plugin: a build imports it for nothing else, issue #19)

    path, line = plugin.name, None
    if plugin.origin is not None:
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if Path(frame.filename).resolve() == plugin.origin.resolve():
                line = frame.lineno
                break
    return PluginError(f"plugin failed in {event}: {type(error).__name__}: {error}", path, line)


def discover_plugins(source: Path, safe: bool) -> PluginSet:
    """`_plugins/*.py` in name order, then installed entry points in name order. In safe mode,
    nothing is imported: the names are only listed so the build can say what it skipped."""
    result = PluginSet()
    folder = source / PLUGINS_FOLDER
    files = sorted(folder.glob("*.py")) if folder.is_dir() else []
    installed: list[Any] = []
    if may_have_entry_points(ENTRY_POINT_GROUP):  # importlib.metadata only when one may be there (issue #19)
        from importlib.metadata import entry_points

        installed = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    if safe:
        result.skipped = [f"{PLUGINS_FOLDER}/{path.name}" for path in files] + [ep.name for ep in installed]
        return result
    for path in files:
        relative = f"{PLUGINS_FOLDER}/{path.name}"
        result.plugins.append(Plugin(relative, _import_file(path, relative), path))
    for entry in installed:
        try:
            module = entry.load()
        except Exception as e:
            raise PluginError(f"installed plugin {entry.name!r} ({entry.value}) failed to import: {e}") from e
        origin = getattr(module, "__file__", None)
        result.plugins.append(Plugin(entry.name, module, Path(origin) if origin else None))
    return result


def _import_file(path: Path, relative: str) -> ModuleType:
    # A private module name per site file: two sites built in one process never share a module.
    name = f"_blog_plugin_{abs(hash(str(path.resolve())))}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginError("not a Python module", relative, 1)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling inside plugins look modules up here
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        del sys.modules[name]
        raise PluginError(f"syntax error: {e.msg}", relative, e.lineno) from e
    except Exception as e:
        del sys.modules[name]
        plugin = Plugin(relative, module, path)
        raise plugin_error(plugin, "import", e) from e
    return module


class SiteContext:
    """What `site_loaded` receives: the loaded site to read, and the ways to change it."""

    def __init__(
        self,
        config: Mapping[str, Any],
        source: Path,
        posts: list[Any],
        pages: list[Any],
        data: dict[str, Any],
        memo: dict[str, Any],
    ) -> None:
        self.config = config
        self.source = source  # the site's folder, to read files of your own
        self._posts, self._pages, self._data = posts, pages, data
        self.files: dict[str, bytes] = {}
        self.memo = memo

    @property
    def posts(self) -> tuple[Any, ...]:
        return tuple(self._posts)

    @property
    def pages(self) -> tuple[Any, ...]:
        return tuple(self._pages)

    @property
    def data(self) -> Mapping[str, Any]:
        return MappingProxyType(self._data)

    def add_file(self, relative: str, data: bytes) -> None:
        if not isinstance(data, bytes):
            raise TypeError(f"add_file({relative!r}, …) needs bytes, got {type(data).__name__}")
        self.files[relative.strip("/")] = data

    def add_data(self, name: str, value: Any) -> None:
        self._data[name] = value

    def replace(self, document: Any, **changes: Any) -> Any:
        """A changed copy of a post or page (documents are immutable), put in its place."""
        for documents in (self._posts, self._pages):
            for index, candidate in enumerate(documents):
                if candidate is document:
                    documents[index] = dataclasses.replace(document, **changes)
                    return documents[index]
        raise ValueError("replace() takes a document from site.posts or site.pages")


class BuildContext:
    """What `build_finished` receives: the outputs about to be written, and a way to add one."""

    def __init__(self, config: Mapping[str, Any], outputs: list[Any], memo: dict[str, Any]) -> None:
        self.config = config
        self.outputs = tuple(outputs)
        self.added: list[tuple[str, bytes]] = []
        self.memo = memo

    def add_output(self, relative: str, data: bytes) -> None:
        if not isinstance(data, bytes):
            raise TypeError(f"add_output({relative!r}, …) needs bytes, got {type(data).__name__}")
        self.added.append((relative, data))


def merge_config_values(
    plugins: PluginSet, values: Mapping[str, Any], user_keys: set[str]
) -> tuple[dict[str, Any], bool]:
    """Run `config_loaded`; returned values fill keys the user did not set."""
    merged = dict(values)
    changed = False
    for plugin in plugins.handling("config_loaded"):
        extra = plugins.call(plugin, "config_loaded", MappingProxyType(merged))
        if extra is None:
            continue
        if not isinstance(extra, Mapping):
            raise PluginError(f"config_loaded must return a mapping or None, got {type(extra).__name__}", plugin.name)
        for key, value in extra.items():
            if key not in user_keys:
                merged[str(key)] = value
                changed = True
    return merged, changed


def page_values(plugins: PluginSet, page: Mapping[str, Any], site: Mapping[str, Any]) -> dict[str, Any]:
    """Run `page_rendering` for one page; returns the values to add to it."""
    added: dict[str, Any] = {}
    for plugin in plugins.handling("page_rendering"):
        extra = plugins.call(plugin, "page_rendering", MappingProxyType({**page, **added}), site)
        if extra is None:
            continue
        if not isinstance(extra, Mapping):
            raise PluginError(f"page_rendering must return a mapping or None, got {type(extra).__name__}", plugin.name)
        added.update(extra)
    return added


def memo_for(plugins: PluginSet, plugin: Plugin) -> dict[str, Any]:
    return plugins.memo.setdefault(plugin.name, {})
