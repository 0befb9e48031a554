"""prefork.py: conversion workers forked after `warm_for_workers` import nothing on their first
text (each worker used to import latex2mathml, Jinja and the lexers it needed on its own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.render import prefork

ROOT = Path(__file__).resolve().parent.parent

# Run in a new interpreter: this test process has imported everything already.
PROBE = r"""
import json, multiprocessing, sys
from concurrent.futures import ProcessPoolExecutor
import generator.render.markup, generator.render.reading  # (a build's parent has them)
SETTINGS = {"engine": sys.argv[1], "math": True}
TEXT = "# T\n\nSome $x_i$ math.\n\n```python\nimport math\nprint(math.pi)\n```\n\n$$\\frac{a}{b}$$\n"

def first_text_in_worker(text):
    before = set(sys.modules)
    from generator.render.markup import render_markdown
    from generator.render.reading import text_facts
    text_facts(render_markdown(text, SETTINGS).html)
    return sorted(set(sys.modules) - before)

if __name__ == "__main__":
    if sys.argv[2] == "warm":
        from generator.render.prefork import warm_for_workers
        warm_for_workers(SETTINGS, [TEXT])
    else:
        from generator.render import markdown_engine
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        print(json.dumps(pool.submit(first_text_in_worker, TEXT).result()))
"""


def imported_by_worker(tmp_path: Path, engine: str, mode: str) -> list[str]:
    script = tmp_path / "probe.py"
    script.write_text(PROBE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(script), engine, mode], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked only where fork exists")
@pytest.mark.parametrize("engine", ["markdown", "cmark"])
def test_a_worker_forked_after_warming_imports_nothing(tmp_path: Path, engine: str) -> None:
    assert imported_by_worker(tmp_path, engine, "warm") == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked only where fork exists")
def test_without_warming_the_worker_imports_the_converters(tmp_path: Path) -> None:
    """The control: what warming saves each worker (so the test above can fail)."""
    imported = imported_by_worker(tmp_path, "cmark", "cold")
    for module in ("latex2mathml.converter", "jinja2", "generator.render.cmark_engine", "pygments.lexers.python"):
        assert module in imported


def test_languages_are_read_from_fences_in_order_once_each() -> None:
    texts = [
        "prose only, no code",
        "```Python\nx\n```\n\n~~~ c++ {.numbered}\ny\n~~~\n",
        "  ```js\nz\n```\n```python\nagain\n```\n",
        "    ```indented four spaces is code, not a fence\n",
        "text ```inline``` is not a fence",
    ]
    assert prefork.languages_in(texts) == ["python", "c++", "js"]


def test_at_most_so_many_languages_are_built() -> None:
    texts = [f"```lang{i}\nx\n```\n" for i in range(prefork.MOST_LANGUAGES + 5)]
    assert prefork.languages_in(texts) == [f"lang{i}" for i in range(prefork.MOST_LANGUAGES)]


def test_unknown_languages_are_skipped_known_ones_built() -> None:
    prefork.warm_for_workers({"engine": "markdown", "math": False}, ["```nosuchlanguage\nx\n```\n```python\ny\n```\n"])
    assert prefork.warmed == ["python"]
