"""Normalised views of a built site for comparing this generator with Jekyll: the set of output
paths, and per HTML/XML page its text (whitespace collapsed, scripts and styles left out) and its
links. Used by tests/test_jekyll_differential.py and handy by hand:
`python tests/jekyll_compare.py ours/ jekyll/`."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

SKIPPED = {".blog-build.json"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: set[str] = set()
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.add(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.text.append(data)


def paths(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name not in SKIPPED}


def page(path: Path) -> tuple[str, frozenset[str]]:
    reader = _Reader()
    reader.feed(path.read_text("utf-8"))
    text = re.sub(r"\s+", " ", " ".join(reader.text)).strip()
    return text, frozenset(reader.links)


def compare(ours: Path, theirs: Path) -> list[str]:
    """Every difference as one line."""
    found = [f"only ours: {p}" for p in sorted(paths(ours) - paths(theirs))]
    found += [f"only Jekyll: {p}" for p in sorted(paths(theirs) - paths(ours))]
    for relative in sorted(paths(ours) & paths(theirs)):
        if not relative.endswith((".html", ".xml")):
            continue
        our_text, our_links = page(ours / relative)
        their_text, their_links = page(theirs / relative)
        if our_text != their_text:
            found.append(f"text differs: {relative}\n  ours:   {our_text[:2000]}\n  Jekyll: {their_text[:2000]}")
        if our_links != their_links:
            found.append(
                f"links differ: {relative}: only ours {sorted(our_links - their_links)}, "
                f"only Jekyll {sorted(their_links - our_links)}"
            )
    return found


if __name__ == "__main__":
    print("\n".join(compare(Path(sys.argv[1]), Path(sys.argv[2]))))
