"""Markdown conversion around the cache: keeping Jinja out of code samples, giving root-relative
links the baseurl, and converting many texts on all cores (the one place with parallelism)."""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from generator.markdown import MarkdownResult, render_markdown

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?:(?!\n[ \t]*\n).)+?\1", re.S)
ROOT_LINK = re.compile(r"""(\s(?:href|src|poster)=["'])(/(?!/)[^"']*)""")


def protect_code(text: str) -> str:
    """Wrap fenced code and code spans in `{% raw %}` so Jinja never evaluates code samples."""
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if prose:
            out.append(CODE_SPAN.sub(lambda m: "{% raw %}" + m.group(0) + "{% endraw %}", "".join(prose)))
            prose.clear()

    for line in text.splitlines(keepends=True):
        marker = FENCE.match(line)
        if fence is None and marker:
            flush()
            fence = marker.group(1)[0] * len(marker.group(1))
            out.append("{% raw %}" + line)
        elif fence is not None:
            stripped = line.strip()
            closing = stripped.startswith(fence) and set(stripped) == {fence[0]}
            out.append(line.rstrip("\n") + "{% endraw %}" + ("\n" if line.endswith("\n") else "") if closing else line)
            fence = None if closing else fence
        else:
            prose.append(line)
    flush()
    if fence is not None:
        out.append("{% endraw %}")
    return "".join(out)


PARALLEL_MINIMUM = 64  # below this, starting worker processes costs more than it saves


def _convert_chunk(job: tuple[list[str], dict[str, Any]]) -> list[MarkdownResult]:
    texts, settings = job
    return [render_markdown(text, settings) for text in texts]


def convert_in_parallel(texts: list[str], settings: Mapping[str, Any]) -> list[MarkdownResult]:
    """Markdown conversion is pure and CPU-bound: split it over processes. Fork is cheapest, but
    forking a process that runs threads (blog serve's watcher) can deadlock the child, so then spawn."""
    workers = min(os.cpu_count() or 1, 8)
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    size = -(-len(texts) // (workers * 4))  # a few chunks per worker evens out long and short posts
    chunks = [(texts[i : i + size], dict(settings)) for i in range(0, len(texts), size)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        return [result for chunk in pool.map(_convert_chunk, chunks) for result in chunk]


def prefix_baseurl(html: str, baseurl: str) -> str:
    """Root-relative links written in markdown (`/about/`) get the baseurl, so a project site works
    under /repo/ without authors writing `relative_url` everywhere."""
    if not baseurl:
        return html

    def fix(match: re.Match[str]) -> str:
        path = match.group(2)
        return match.group(0) if path == baseurl or path.startswith(baseurl + "/") else match.group(1) + baseurl + path

    return ROOT_LINK.sub(fix, html)
