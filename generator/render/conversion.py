"""Markdown conversion around the cache: keeping Jinja out of code samples, giving root-relative
links the baseurl, and converting many texts on all cores (the one place with parallelism)."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from generator.render.markup import MarkdownResult, NestingTooDeep, render_markdown
from generator.load.scanning import CodeSpans, segments

ROOT_LINK = re.compile(r"""(\s(?:href|src|poster)=["'])(/(?!/)[^"']*)""")
RAW, END_RAW = "{% raw %}", "{% endraw %}"


def protect_code(text: str) -> str:
    """Wrap fenced code and code spans in `{% raw %}` so Jinja never evaluates code samples.
    Uses the same (linear) fence and code-span scanner as math, so both agree on what is code."""
    out: list[str] = []
    for segment in segments(text):
        if segment.fenced:
            body = segment.text
            if segment.closed and body.endswith("\n"):
                out.append(RAW + body[:-1] + END_RAW + "\n")
            else:
                out.append(RAW + body + END_RAW)
            continue
        copied = 0
        for start, end in CodeSpans(segment.text).spans():
            out += [segment.text[copied:start], RAW, segment.text[start:end], END_RAW]
            copied = end
        out.append(segment.text[copied:])
    return "".join(out)


PARALLEL_MINIMUM = 64  # below this, starting worker processes costs more than it saves
CHUNK_MOST = 16  # texts per chunk sent to a worker


def _convert_chunk(job: tuple[list[str], dict[str, Any]]) -> list[MarkdownResult | None]:
    texts, settings = job
    return [_convert_or_none(text, settings) for text in texts]


def _convert_or_none(text: str, settings: Mapping[str, Any]) -> MarkdownResult | None:
    """A refused text is converted again in the parent, which reports it with its file and line."""
    try:
        return render_markdown(text, settings)
    except NestingTooDeep:
        return None


def convert_in_parallel(texts: list[str], settings: Mapping[str, Any]) -> Iterator[MarkdownResult | None]:
    """Markdown conversion is pure and CPU-bound: split it over processes. Fork is cheapest, but
    forking a process that runs threads (blog serve's watcher) can deadlock the child, so then spawn.
    Results are yielded chunk by chunk as they arrive (in order), so the caller can store each and
    let it go: a list of all of them would hold every post's HTML at once (4,000 posts: ~30 MB)."""
    # Imported here, not at the top: a build that converts little (a no-op) never needs them. The
    # converters are imported before forking, so the workers do not each import them again.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from generator.render import markdown_engine  # noqa: F401

    workers = min(os.cpu_count() or 1, 8)
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    # A few chunks per worker evens out long and short posts; at most CHUNK_MOST texts each, so the
    # results in flight (pickled and unpickled) stay a few chunks' worth however big the site.
    size = min(-(-len(texts) // (workers * 4)), CHUNK_MOST)
    chunks = [(texts[i : i + size], dict(settings)) for i in range(0, len(texts), size)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        for chunk in pool.map(_convert_chunk, chunks):  # (map lets go of each chunk it yields)
            yield from chunk


def prefix_baseurl(html: str, baseurl: str) -> str:
    """Root-relative links written in markdown (`/about/`) get the baseurl, so a project site works
    under /repo/ without authors writing `relative_url` everywhere."""
    if not baseurl:
        return html

    def fix(match: re.Match[str]) -> str:
        path = match.group(2)
        return match.group(0) if path == baseurl or path.startswith(baseurl + "/") else match.group(1) + baseurl + path

    return ROOT_LINK.sub(fix, html)
