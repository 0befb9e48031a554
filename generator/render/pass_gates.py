"""Two of Python-Markdown's tree passes skip work a text cannot need (issue #19): `gate_passes`
tells them, before each conversion, from substring tests on the text.

The toc pass, without its `[TOC]` marker search when the text cannot hold one.

After collecting the headings, the stock pass walks every element of the document and joins its
text (`itertext`) looking for a paragraph that reads exactly `[TOC]`: once per post, for a marker
almost no post has. Every text in the tree comes from the converted text (placeholders, footnote
arrows and permalinks hold no "TOC"), and kramdown's `{:toc}` becomes `[TOC]` from a text that
says "toc": so a text holding neither "TOC" nor "toc" has no marker, and the walk is skipped. The
headings, ids and table of contents are made exactly as before.

The attr_list pass, only when the text holds a `{`: it walks every element of the tree and tries
a regular expression on its text or tail, and each of its three expressions needs a `{` — which a
tree text holds only if the converted text did (an escaped `\\{` is one too)."""

from __future__ import annotations

from typing import Any

from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.extensions.toc import TocExtension, TocTreeprocessor


class Walks:
    """Marker walks and attr_list passes run: counted by the tests."""

    count = 0
    attr_lists = 0


class MarkerAwareToc(TocTreeprocessor):
    marker_possible = True  # set for each text by `gate_passes`

    def replace_marker(self, root: Any, elem: Any) -> None:
        if self.marker_possible:
            Walks.count += 1
            super().replace_marker(root, elem)


class MarkerAwareTocExtension(TocExtension):
    TreeProcessorClass = MarkerAwareToc


def gate_passes(md: Any, text: str) -> None:
    """Before converting `text` with `md`: which of the gated passes' work it can need."""
    toc = _registered(md, "toc")
    if isinstance(toc, MarkerAwareToc):
        toc.marker_possible = "TOC" in text or "toc" in text
    attr_list = _registered(md, "attr_list")
    if type(attr_list) is AttrListTreeprocessor:
        gate = vars(attr_list).get("gate")
        if gate is None:
            gate = attr_list.gate = AttrListGate(attr_list.run)
            attr_list.run = gate  # (the instance's run: the class and other instances untouched)
        gate.needed = "{" in text


def _registered(md: Any, name: str) -> Any:
    try:
        return md.treeprocessors[name]  # (a Registry: no .get)
    except KeyError:
        return None


class AttrListGate:
    """Stands in for one attr_list processor's `run`: calls it only when the text holds a `{`."""

    def __init__(self, run: Any) -> None:
        self.run, self.needed = run, True

    def __call__(self, doc: Any) -> None:
        if self.needed:
            Walks.attr_lists += 1
            self.run(doc)
