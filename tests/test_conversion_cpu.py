"""Session 9 (issue #19): the conversion workers' per-text overhead cut without changing a byte.
Each shortcut is compared with the route it replaces, and the work it saves is counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.render import cmark_engine, markdown_engine
from generator.render.markup import render_markdown

REPO = Path(__file__).resolve().parent.parent
CMARK = {"engine": "cmark", "toc_depth": "2-3", "heading_anchors": True, "math": True}
TEXTS = [
    "",
    "plain",
    "# T\n\n| a | b |\n|---|---|\n| 1 | ~~2~~ |\n\nwww.example.org and https://x.y/z\n\n[^1]\n\n[^1]: note\n",
    "<div>\n*raw*\n</div>\n\n- [ ] task\n- item\n\n```\ncode\n```\n\n    indented\n",
    "\u00e9\u4e2d \U0001f600 &amp; &#2; \x00 <script>x</script>\n",
] + [post.read_text(encoding="utf-8") for post in sorted((REPO / "_posts").glob("*.md"))[:6]]


def test_engine_is_found_without_json_and_settings_that_differ_get_their_own() -> None:
    first = markdown_engine._engine(dict(CMARK))
    assert markdown_engine._engine(dict(CMARK)) is first
    # 1 == True, but the engines are told apart by the values' types too.
    assert markdown_engine._engine({**CMARK, "math": 1}) is not first
    assert markdown_engine._engine({**CMARK, "toc_depth": "2-4"}) is not first
    unhashable = {**CMARK, "extra": ["a"]}  # (a list: found by its JSON key alone)
    assert markdown_engine._engine(unhashable) is markdown_engine._engine(dict(unhashable))


def test_registry_lookups_happen_once_per_engine() -> None:
    settings = {**CMARK, "toc_depth": "1-6"}
    render_markdown("# a\n\n$x$\n", settings)
    engine = markdown_engine._engine(settings)
    lookups = []
    registry = type(engine.preprocessors)
    original = registry.__getitem__

    def counted(self: object, key: object) -> object:
        lookups.append(key)
        return original(self, key)

    registry.__getitem__ = counted  # type: ignore[method-assign]
    try:
        for _ in range(5):
            render_markdown("# b\n\n$y$ and `code`\n", settings)
    finally:
        registry.__getitem__ = original  # type: ignore[method-assign]
    assert lookups == []


def test_results_are_those_of_the_default_preprocessors_route() -> None:
    # The passes as found once per engine give what looking each up by name gives.
    settings = dict(CMARK)
    for text in TEXTS:
        engine = markdown_engine._engine(settings)
        engine.reset()
        source = text
        for name in cmark_engine.PREPROCESSORS:
            if name in engine.preprocessors:
                pre = engine.preprocessors[name]
                run_text = getattr(pre, "run_text", None)
                source = run_text(source) if run_text else "\n".join(pre.run(source.split("\n")))
        stash = list(engine.htmlStash.rawHtmlBlocks)
        engine.reset()
        again = text
        for run in cmark_engine._passes(engine):
            again = run(again)
        assert again == source and list(engine.htmlStash.rawHtmlBlocks) == stash


def test_the_parent_neither_strips_nor_hashes_what_workers_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.render import conversion, reading

    hashed = []
    digest = reading._digest
    monkeypatch.setattr(reading, "_digest", lambda html: hashed.append(html) or digest(html))
    texts = [f"# Post {n}\n\nSome *words* {'and more ' * n}&amp; `code`\n" for n in range(70)]
    stripped = reading.STRIPPED[0]
    results = dict(conversion.convert_in_parallel(texts, CMARK))  # (real forked workers)
    assert len(results) == 70 and hashed == [] and reading.STRIPPED[0] == stripped
    for index, result in results.items():
        assert result is not None and result.html == render_markdown(texts[index], CMARK).html
        before = len(hashed)
        facts = reading._facts_of(result.html)  # found under the digest the worker made: no stripping
        assert reading.STRIPPED[0] == stripped and len(hashed) == before + 1  # (the lookup's own)
        assert facts == reading.text_facts(result.html)
        stripped = reading.STRIPPED[0]


def test_text_facts_strip_tags_as_filters_do_without_importing_jinja() -> None:
    import subprocess
    import sys

    from generator.render import filters, reading

    assert filters.TAG is reading.TAG  # (one pattern: strip_html's and the text facts')
    script = (
        "import sys\n"
        "from generator.render.markup import render_markdown\n"
        "from generator.render.reading import sent_facts\n"
        "html = render_markdown('# A\\n\\nSome <b>bold</b> words', {'engine': 'cmark'}).html\n"
        "print(sent_facts(html)[:2], sorted(m for m in ('jinja2', 'generator.render.filters') if m in sys.modules))\n"
    )
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True).stdout
    assert out == "(5, 'A ¶ Some bold words') []\n"  # (the permalink's ¶ is a word too)


WARM_SCRIPT = """
import sys
from generator.render import lexfirst, markdown_engine
from generator.render.markup import render_markdown
settings = {"engine": "cmark"}
text = "# T\\n\\n```python\\nx = 'a'  # c\\ndef f(y=1.5):\\n    return f\\"{y}\\"\\n```\\n"
if sys.argv[1] == "warm":
    markdown_engine.warm_up([text, "``` unknown-language\\nx\\n```\\n"], settings)
modules = set(sys.modules)
analysed = []
analyse = lexfirst.analyse
lexfirst.analyse = lambda *args: analysed.append(args) or analyse(*args)
html = render_markdown(text, settings).html
print(len(analysed), "pygments.lexers.python" in modules, html.count("<span"))
"""


def test_warm_up_leaves_a_forked_worker_no_lexer_to_build() -> None:
    import subprocess
    import sys

    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    runs = {
        mode: subprocess.run(
            [sys.executable, "-c", WARM_SCRIPT, mode], capture_output=True, text=True, env=env, check=True
        )
        for mode in ("cold", "warm")
    }
    cold, warm = (runs[mode].stdout.split() for mode in ("cold", "warm"))
    assert int(cold[0]) > 10 and cold[1] == "False"  # without: the first block parses the lexer's rules
    assert warm[:2] == ["0", "True"]  # with: nothing left to parse, the lexer's module imported already
    assert warm[2] == cold[2] and int(warm[2]) > 5  # (and the same highlighting)
