"""The Jinja side of incremental rebuilds: an environment that records which templates and view
keys a render read, and the bytecode cache adapter over BuildState's compiled templates.

Kept apart from state.py so that a build which renders nothing (a no-op rebuild) never imports
Jinja (~20 ms of start-up, issue #19); render/documents.py imports this module on first render."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import jinja2
import jinja2.bccache

from generator.incremental.state import DocumentView, Kept, MemoryBytecodeCache, SiteView, _current, _item, _recording

# `page.title` on a view: Jinja tries the attribute first and reads the item only after an
# AttributeError, which costs more than the read itself (about 100 per page). For a view (or the
# read-only mappings of frozen data), a name that is no attribute of its class can only be an
# item, so it is read as one straight away.
_VIEW_CLASSES = (DocumentView, SiteView, MappingProxyType)
_VIEW_ATTRIBUTES = frozenset(name for cls in _VIEW_CLASSES for name in dir(cls))


class RecordingEnvironment(jinja2.Environment):
    """Every layout, include and extends goes through get_template: record the file names."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        if kind is DocumentView and attribute not in _VIEW_ATTRIBUTES:
            # The read DocumentView.__getitem__ makes, without its call (~20,000 of them for the
            # generated pages of a 1,000-post site: `item.title` of every post on the home page…).
            deps = getattr(_recording, "deps", None)  # (state._current, inlined)
            if deps is not None:
                deps.documents.add((obj._key, attribute))
            data = obj._data
            try:
                value = _item(data, attribute)  # (PageValues.__getitem__ only for a text it keeps aside)
            except (TypeError, LookupError, AttributeError):
                return self.undefined(obj=obj, name=attribute)
            return data[attribute] if type(value) is Kept else value
        if kind in _VIEW_CLASSES and attribute not in _VIEW_ATTRIBUTES:
            try:
                return obj[attribute]  # as Jinja's fallback does: the read is recorded either way
            except (TypeError, LookupError, AttributeError):
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def get_template(self, name, parent=None, globals=None):  # type: ignore[override]
        # Every include of every page asks (2,000 times for a home page listing 1,000 posts): the
        # template found for a name stays the one for this environment's life (no auto_reload; a
        # build makes new environments), so it is looked up in one dict, not through Jinja's cache.
        # (Keyed by this object's id too: Jinja's overlay() copies an environment's attributes.)
        memo = self.__dict__.get("_by_name")
        if memo is None or memo[0] != id(self):
            memo = self._by_name = (id(self), {})
        known = memo[1] if globals is None and type(name) is str else None
        template = known.get((name, parent)) if known is not None else None
        if template is None:
            template = super().get_template(name, parent, globals)
            if known is not None and not self.auto_reload:
                known[(name, parent)] = template
        deps = _current()
        if deps is not None and template.filename:
            # The loader's filename is the source-relative file (`_includes/nav.html`), which is
            # what a change on disk is fingerprinted by; the requested name may be just `nav.html`.
            deps.templates.add(template.filename)
        return template


class StoredBytecode(jinja2.BytecodeCache):
    """Jinja's view of a MemoryBytecodeCache: every load and dump goes to that object, so what a
    build compiles is what store.py saves."""

    def __init__(self, memory: MemoryBytecodeCache) -> None:
        self.memory = memory

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.memory.load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.memory.dump_bytecode(bucket)
