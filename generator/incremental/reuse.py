"""Reuse of unchanged renders: fingerprints of what each page read (documents by key, site keys,
template files) decide whether last build's bytes are still exactly right. The recording half lives
in incremental.py; this is the checking half, owned by one build's DocumentRenderer."""

from __future__ import annotations

import bisect
import contextlib
import itertools
import json
import operator
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from generator.incremental.digested import Digested
from generator.incremental.state import BuildState, Kept, RenderRecord, recording, view_key
from generator.incremental.state import fingerprint, fingerprint_mapping, fingerprint_values
from generator.load.theme import theme_file
from generator.model import Document


def _document_of(pair: Any) -> str:
    return pair[0][0]  # ((document, key, …), print)


_first = operator.itemgetter(0)
_get = dict.get
# The print of keys of a document that is gone (or never was one: `generated:/tags/`).
MISSING = fingerprint("missing")
# The view values a content token stands for (and the neighbours, fingerprinted by name).
TOKEN_SKIP = ("previous", "next", "content", "excerpt", "toc")


class RenderReuse:
    def __init__(
        self,
        state: BuildState,
        views: Mapping[str, dict[str, Any]],
        site_values: Mapping[str, Any],
        site_lists: Mapping[str, Any],
        source: Path,
        global_print: str,
    ) -> None:
        self.state = state
        self.views = views  # filled by the renderer; read here only after seal()
        self.site_values = site_values
        self._site_lists = site_lists  # site keys whose fingerprint is membership/order, not content
        self.source = source
        self.global_print = global_print  # what every render depends on without reading it
        self.document_prints: dict[str, str] = {}
        self._site_prints: dict[str, str] = {}
        self._key_prints: dict[tuple[str, ...], str] = {}  # see shared_prints
        self._share_prints = state.remember
        self._template_prints: dict[str, str] = {}
        self._unchanged_documents: set[str] = set()
        self._changed_documents: set[str] = set()  # since the last successful build, and the ones gone
        self._changed_names: tuple[str, ...] = ()  # the same, as RenderRecord.may_read looks for them
        # Site keys and templates whose print differs from the last successful build's (see _reusable).
        self._changed_dependencies: set[tuple[str, str]] = set()
        self._checked: set[str] = set()  # outputs whose record this build reused or made
        self._own_used: set[str] = set()  # keys of state.own_prints asked for in this build
        self._view_inputs: dict[str, str] = {}  # see seal
        self.reused = 0

    def seal(
        self,
        documents: list[Document],
        converted_by_document: Mapping[str, Any],
        tokens: Mapping[str, str] | None = None,
    ) -> None:
        """All views are complete: fingerprint each document as templates will see it. `tokens`:
        for a document whose content, excerpt and TOC are known by what they were made from
        (render/documents.py), that token is hashed instead of those texts."""
        tokens = tokens or {}
        memo = self.state.view_prints
        # In a new process (`blog build`): a view whose inputs are those the stored print was made
        # from keeps that print. Its Document is the one the source index made from the same bytes
        # under the same config (sha, context); content, excerpt and TOC are known by their token.
        # Not when a page_rendering plugin adds values (they are in no input), nor in `serve`.
        by_inputs = not (self.state.remember or self.state.page_plugins)
        stored_inputs = self.state.saved_view_inputs
        entries, last_prints = self.state.sources.entries, self.state.document_prints
        self._view_inputs = {}
        for gone in set(memo) - {doc.source.relative for doc in documents}:
            del memo[gone]
        for doc in documents:
            relative = doc.source.relative
            view = self.views[relative]
            previous, next_ = view["previous"], view["next"]
            neighbours = (
                view_key(previous) if previous else None,
                view_key(next_) if next_ else None,
            )
            converted = converted_by_document.get(relative)
            # A view is made only from its Document, its conversion and its neighbours: when all are
            # the same as last time, so is its fingerprint (hashing 1,000 pages is the costly part).
            known = memo.get(relative)
            if (
                known is not None
                and known[0] is doc
                and converted is not None
                and (known[1] is converted or known[1] == converted)
                and known[2] == neighbours
            ):
                self.document_prints[relative] = known[3]
                continue
            token = tokens.get(relative)
            entry = entries.get(relative) if token is not None and by_inputs else None
            if entry is not None and entry.doc is doc:
                inputs = fingerprint(entry.sha, entry.context, token, self.global_print, *neighbours)
                self._view_inputs[relative] = inputs
                last = last_prints.get(relative)
                if last is not None and stored_inputs.get(relative) == inputs:
                    self.document_prints[relative] = last
                    continue
            if token is not None:
                print_ = fingerprint(fingerprint_mapping(view, skip=TOKEN_SKIP), "content-token", token, *neighbours)
            else:
                print_ = fingerprint(fingerprint_mapping(view, skip=("previous", "next")), *neighbours)
            self.document_prints[relative] = print_
            if converted is not None:
                memo[relative] = (doc, converted, neighbours, print_)
        previous = self.state.document_prints
        self._unchanged_documents = {
            name for name, print_ in self.document_prints.items() if previous.get(name) == print_
        }
        self._changed_documents = (set(self.document_prints) - self._unchanged_documents) | (
            set(previous) - set(self.document_prints)
        )
        self._changed_names = tuple(json.dumps(name) for name in sorted(self._changed_documents))
        self._changed_dependencies = {
            (kind, name)
            for (kind, name), print_ in self.state.dependency_prints.items()
            if self._print_of(kind, name) != print_
        }

    def finish(self, produced: set[str]) -> None:
        """After a successful build: remember fingerprints, forget renders of outputs that are gone
        (so every kept record has been validated against this build)."""
        self.state.document_prints = dict(self.document_prints)
        self.state.view_inputs = self._view_inputs
        for path in set(self.state.renders) - produced:
            del self.state.renders[path]
            self.state.renders_changed = True
        for key in set(self.state.own_prints) - self._own_used:
            del self.state.own_prints[key]
        # Every print a kept record names was computed in this build: the old ones in seal() (a
        # record checked the short way reads only those), the others when a record was checked or made.
        self.state.validated = self._checked & set(self.state.renders)
        # A print per (document, keys) any page read (an archive reads three keys of every post):
        # nothing reads them once every page is made, and `.blog-cache/` is saved after this.
        self._key_prints.clear()
        self.state.dependency_prints = {
            **{("site", name): print_ for name, print_ in self._site_prints.items()},
            **{("template", name): print_ for name, print_ in self._template_prints.items()},
        }

    @contextlib.contextmanager
    def shared_prints(self) -> Iterator[None]:
        """Prints of what renders read of documents made once for all renders inside (the archive
        and each tag page read date, title and url of the same posts), then let go of."""
        self._share_prints = True
        try:
            yield
        finally:
            self._share_prints = self.state.remember
            if not self._share_prints:
                self._key_prints.clear()

    def _print_of(self, kind: str, name: str) -> str:
        if kind == "document":  # name = (document, key, …): a page that shows titles does not depend on bodies
            known = self._key_prints.get(name)
            if known is None:
                view = self.views.get(name[0])
                # (dict.get: PageValues' own get, a call more per key, only for a text it keeps aside)
                values = [_get(view, key) for key in name[1:]] if view is not None else None
                if values is not None and Kept in map(type, values):
                    values = [view.get(key) for key in name[1:]]  # type: ignore[union-attr]
                known = MISSING if values is None else fingerprint_values(values)
                # Kept by `blog serve` and in shared_prints; over a whole `blog build`: ~5 MB at 4,000 posts.
                if self._share_prints:
                    self._key_prints[name] = known
            return known
        if kind == "site":
            if name not in self._site_prints:
                value = self._site_lists[name] if name in self._site_lists else self.site_values.get(name)
                self._site_prints[name] = fingerprint(value)
            return self._site_prints[name]
        if name not in self._template_prints:
            path = self.source / name
            if not path.is_file():  # a theme file the site does not override (None: neither has it)
                path = theme_file(name) or path
            self._template_prints[name] = fingerprint(path.read_bytes() if path.is_file() else None)
        return self._template_prints[name]

    def _reusable(self, output_path: str, own: str) -> bytes | None:
        record = self.state.renders.get(output_path)
        if record is None or record.own != own:
            return None
        # Every kept record was validated by the last successful build, so a document whose whole
        # fingerprint is unchanged since then cannot invalidate it: skip its per-key checks.
        # Only a document that changed (or is gone) since then can: when the record names none of
        # them (a no-op: there are none), its thousands of (document, keys) pairs are not even decoded.
        if record.may_read(self._changed_documents, self._changed_names) and self._changed_read(record):
            return None
        if output_path in self.state.validated:
            # Checked or made by the last successful build and not made again since: its prints are
            # that build's, so it holds unless one of its site keys or templates changed since.
            changed = self._changed_dependencies
            if changed and any(
                (kind, name) in changed
                for kind, items in (("site", record.site_keys), ("template", record.templates))
                for name, _ in items
            ):
                return None
            return record.data
        for kind, items in (("site", record.site_keys), ("template", record.templates)):
            if any(self._print_of(kind, name) != print_ for name, print_ in items):
                return None
        return record.data

    def own_print(self, output_path: str, *parts: Any) -> str:
        """fingerprint(*parts), remembered under `output_path` while the parts are equal."""
        self._own_used.add(output_path)
        known = self.state.own_prints.get(output_path)
        if known is not None and known[0] == parts:
            return known[1]
        own = fingerprint(*parts)
        self.state.own_prints[output_path] = (parts, own)
        return own

    def _changed_read(self, record: RenderRecord) -> bool:
        """Whether the keys the record read of a changed (or gone) document have another print now.
        Its pairs are sorted by document (cached_render sorts them; the store keeps that order),
        so each changed document's entry is found by bisection, not by a walk of all of them
        (records of old builds: one entry per key). Names that are no document at all
        (`generated:/tags/`) have no view, so their print ("missing") never changes."""
        pairs = record.documents
        for document in self._changed_documents:
            start = bisect.bisect_left(pairs, document, key=_document_of)
            for name, print_ in itertools.islice(pairs, start, None):
                if name[0] != document:
                    break
                if self._print_of("document", tuple(name)) != print_:  # type: ignore[arg-type]
                    return True
        return False

    def page_print(self, output_path: str, *parts: Any) -> str:
        """cached_render's `own` of a document page (its print, layout, path) with `final`: both
        hashes remembered in one entry while the parts are the same."""
        self._own_used.add(output_path)
        key = (*parts, self.global_print)
        known = self.state.own_prints.get(output_path)
        if known is not None and known[0] == key:
            return known[1]
        own = fingerprint(fingerprint(*parts), self.global_print)
        self.state.own_prints[output_path] = (key, own)
        return own

    def adopt(self, output_path: str, record: RenderRecord | None) -> None:
        """What cached_render did for `output_path` in a forked renderer (render/parallel_pages.py):
        `record` is the one it made, None when it reused last build's bytes."""
        self._checked.add(output_path)
        self._own_used.add(output_path)
        if record is None:
            self.reused += 1
            return
        self.state.validated.discard(output_path)
        self.state.renders_changed = True
        self.state.renders[output_path] = record
        # The prints it names were made in the child from the same sealed values this renderer has:
        # the ones `finish` keeps (and validation.py stores) must name them as a serial build's do.
        for name, print_ in record.site_keys:
            self._site_prints.setdefault(name, print_)
        for name, print_ in record.templates:
            self._template_prints.setdefault(name, print_)

    def cached_render(
        self, output_path: str, own: str, render: Callable[[], str | bytes], final: bool = False
    ) -> bytes:
        """Last build's bytes for `output_path` when its record still holds, else render() (recorded;
        a render that streamed its output gives the UTF-8 bytes themselves, see layout_stream.py).
        `own`: what the output depends on besides what it reads (its document's print, layout…);
        `final`: made by page_print, which adds what every render depends on."""
        if not final:
            own = self.own_print(f"{output_path}\0own", own, self.global_print)
        data = self._reusable(output_path, own)
        self._checked.add(output_path)
        if data is not None:
            self.reused += 1
            return data
        self.state.validated.discard(output_path)  # (until a successful build keeps what is made now)
        with recording() as deps:
            made = render()
            # (digested once here: the spool needs the digest now, the store keeps it for reuse)
            data = Digested.of(made if isinstance(made, bytes) else made.encode("utf-8"))
            del made  # (a page's text is not kept beside its bytes)
        self.state.renders_changed = True
        read = sorted(deps.documents)
        deps.documents.clear()  # (a home page listing 4,000 posts read ~28,000 keys: not held twice)
        # One entry per document read, naming every key read of it, with one print of their values
        # (a home page reads six keys of each post: issue #19, a sixth of the hashing and the record).
        documents = tuple(
            (name, self._print_of("document", name))
            for name in ((document, *(key for _, key in pairs)) for document, pairs in itertools.groupby(read, _first))
        )
        del read
        self.state.renders[output_path] = RenderRecord(
            own,
            documents,
            tuple((name, self._print_of("site", name)) for name in sorted(deps.site_keys)),
            tuple((name, self._print_of("template", name)) for name in sorted(deps.templates)),
            data,
            # With its JSON text, `may_read` answers "did it read any changed document?" with a
            # substring search: `blog serve`'s records in memory skip their per-key checks as the
            # ones loaded from the store do (one edited post: most pages never read it).
            json.dumps(documents),
        )
        return data
