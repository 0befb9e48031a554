"""Markdown conversion around the cache: keeping Jinja out of code samples, giving root-relative
links the baseurl, and converting many texts on all cores (the one place with parallelism)."""

from __future__ import annotations

import collections
import dataclasses
import itertools
import os
import re
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from generator.render.markup import MarkdownResult, NestingTooDeep, render_markdown
from generator.render.reading import SentFacts, forget_facts, remember_facts, sent_facts
from generator.render.template_data import html
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
# Texts go in chunks: a few per worker at least, to even out the end; at most CHUNK_MOST texts each, so
# the results in flight (pickled and unpickled) stay a few chunks' worth however big the site (with
# 2 workers, from 128 texts on every chunk has CHUNK_MOST: tests/test_build_memory.py compares two such builds).
CHUNKS_PER_WORKER = 4
CHUNK_MOST = 16
IN_FLIGHT_PER_WORKER = 2  # chunks sent ahead per worker


Converted = tuple[MarkdownResult, SentFacts] | None


def _convert_chunk(job: tuple[list[str], dict[str, Any]]) -> list[Converted]:
    """In a worker: each text's conversion, and what the reading time and description need of its
    HTML (the tag stripping is pure and costly: done here, where the cores are, not in the parent;
    so is the digest the parent files the facts under)."""
    texts, settings = job
    results: list[Converted] = []
    for text in texts:
        result = _convert_or_none(text, settings)
        results.append(None if result is None else (result, sent_facts(result.html)))
    return results


def _convert_or_none(text: str, settings: Mapping[str, Any]) -> MarkdownResult | None:
    """A refused text is converted again in the parent, which reports it with its file and line."""
    try:
        return render_markdown(text, settings)
    except NestingTooDeep:
        return None


def convert_in_parallel(texts: list[str], settings: Mapping[str, Any]) -> Iterator[tuple[int, MarkdownResult | None]]:
    """Markdown conversion is pure and CPU-bound: split it over processes. Fork is cheapest, but
    forking a process that runs threads (blog serve's watcher) can deadlock the child, so then spawn.
    Yields (index in `texts`, result) chunk by chunk as they arrive, longest texts first, so the
    caller can store each and let it go: a list of all of them would hold every post's HTML at once
    (4,000 posts: ~30 MB). The HTML comes back as Markup (what the renderer keeps), and its facts for
    reading.py are remembered by its digest, so the parent strips no tags when the HTML is used as it is."""
    # Imported here, not at the top: a build that converts little (a no-op) never needs them. The
    # converters are imported before forking, so the workers do not each import them again.
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    from generator.incremental import fragments
    from generator.render import markdown_engine

    fragments.open_before_forking()

    workers = min(os.cpu_count() or 1, 8)
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "fork":  # (spawned workers make everything again, whatever the parent made)
        markdown_engine.warm_up(texts, settings)  # (what each worker would make for itself, made once)
    # Longest texts first, in many small chunks: the workers then end on short ones, together,
    # instead of one idling while the other finishes a chunk of long posts.
    order = sorted(range(len(texts)), key=lambda index: -len(texts[index]))
    size = min(-(-len(texts) // (workers * CHUNKS_PER_WORKER)), CHUNK_MOST)
    chunks = [order[i : i + size] for i in range(0, len(order), size)]
    plain_settings = dict(settings)
    forget_facts()  # (facts of the last batch are of no use now)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        # A window of chunks in flight, not all of them: `pool.map` would queue every text and keep
        # every finished result until the parent reaches it, so a parent slowed down (by other load)
        # would hold more of the site's HTML the bigger the site. Two per worker keep them busy.
        waiting: collections.deque[tuple[list[int], Future[list[Converted]]]] = collections.deque()
        upcoming = iter(chunks)
        for chunk in itertools.islice(upcoming, IN_FLIGHT_PER_WORKER * workers):
            waiting.append((chunk, pool.submit(_convert_chunk, ([texts[i] for i in chunk], plain_settings))))
        while waiting:
            chunk, future = waiting.popleft()
            results = future.result()
            following = next(upcoming, None)
            if following is not None:
                job = ([texts[i] for i in following], plain_settings)
                waiting.append((following, pool.submit(_convert_chunk, job)))
            for index, item in zip(chunk, results, strict=True):
                if item is None:
                    yield index, None
                    continue
                result, facts = item
                result = dataclasses.replace(result, html=html(result.html))
                remember_facts(facts)
                yield index, result
            del results


def prefix_baseurl(html: str, baseurl: str) -> str:
    """Root-relative links written in markdown (`/about/`) get the baseurl, so a project site works
    under /repo/ without authors writing `relative_url` everywhere."""
    if not baseurl:
        return html

    def fix(match: re.Match[str]) -> str:
        path = match.group(2)
        return match.group(0) if path == baseurl or path.startswith(baseurl + "/") else match.group(1) + baseurl + path

    return ROOT_LINK.sub(fix, html)
