"""Work a build does not repeat (issue #19), counted rather than timed: a formula is converted once
per process however often it appears; layouts and includes are not checked on disk again for every
page that uses them (yet a rebuild in the same process sees an edited include); a no-op rebuild in a
new process imports none of the converters."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from generator.build import BuildOptions, build
from generator.incremental.state import BuildState
from generator.render import tex
from generator.render.cache import ConversionCache
from generator.render.markup import render_markdown

POSTS = 15
SETTINGS = {"toc_depth": "2-3", "highlight_style_light": "default", "highlight_style_dark": "github-dark"}


def test_a_formula_is_converted_once_however_often_it_appears(monkeypatch) -> None:
    calls: list[str] = []
    convert = tex.convert

    def counting_convert(source: str, *args, **kwargs) -> str:  # latex2mathml itself, counted
        calls.append(source)
        return convert(source, *args, **kwargs)

    monkeypatch.setattr(tex, "convert", counting_convert)
    tex.memoised_formula.cache_clear()
    first = render_markdown("Loss $\\log p(x)$, again $\\log p(x)$.\n\n$$\\sum_i x_i$$\n", SETTINGS)
    second = render_markdown("Elsewhere: $\\log p(x)$ and $$\\sum_i x_i$$ and $y$.\n", SETTINGS)
    assert sorted(calls) == ["\\log p(x)", "\\sum_i x_i", "y"]
    # The same MathML wherever it appears, and as a fresh conversion gives it.
    mathml = tex.tex_to_mathml("\\log p(x)", False)
    assert first.html.count(mathml) == 2 and second.html.count(mathml) == 1
    # Inline and display forms of one formula are different conversions.
    tex.memoised_formula.cache_clear()
    render_markdown("$x$ and\n\n$$x$$\n", SETTINGS)
    assert tex.memoised_formula.cache_info().misses == 2


def make_site(root: Path, posts: int = POSTS) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_layouts").mkdir()
    (root / "_includes").mkdir()
    (root / "_config.yml").write_text("title: Counts\n")
    (root / "_includes/nav.html").write_text("<nav>{{ site.title }}</nav>\n")
    (root / "_layouts/default.html").write_text('<html><body>{% include "nav.html" %}{{ content }}</body></html>\n')
    (root / "_layouts/post.html").write_text("---\nlayout: default\n---\n<h1>{{ page.title }}</h1>{{ content }}\n")
    for n in range(posts):
        (root / f"_posts/2020-01-{n + 1:02d}-p{n}.md").write_text(f"---\ntitle: P{n}\n---\nPost {n}.\n")
    return root


def template_stats(site: Path, monkeypatch) -> dict[str, int]:
    """How often a build stats each of the site's layouts and includes."""
    stats: Counter[str] = Counter()
    real_stat = os.stat

    def counting_stat(path, *args, **kwargs):
        name = os.fspath(path) if not isinstance(path, int) else ""
        if "/_includes/" in name or "/_layouts/" in name:
            stats[Path(name).relative_to(site).as_posix() if name.startswith(str(site)) else name] += 1
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counting_stat)
    try:
        build(BuildOptions(source=site))
    finally:
        monkeypatch.setattr(os, "stat", real_stat)
    return {name: stats[name] for name in ("_includes/nav.html", "_layouts/default.html", "_layouts/post.html")}


def test_template_files_are_not_stat_again_for_every_page(tmp_path: Path, monkeypatch) -> None:
    """Jinja's auto_reload would stat each layout and include on every get_template (every post
    uses nav.html, default.html and post.html): a build checks each a fixed number of times
    (discovery, the loader, render reuse), however many pages use it."""
    few = template_stats(make_site(tmp_path / "few", 5), monkeypatch)
    many = template_stats(make_site(tmp_path / "many", 25), monkeypatch)
    assert min(few.values()) >= 1  # the spy sees the checks
    assert many == few


def test_a_rebuild_in_the_same_process_sees_edited_and_new_templates(tmp_path: Path) -> None:
    """What `blog serve` does: same state and cache, a template edited or added between builds."""
    site = make_site(tmp_path / "site")
    state, cache = BuildState(), ConversionCache()
    build(BuildOptions(source=site), cache, state=state)
    assert "<nav>Counts</nav>" in (site / "_site/2020/01/01/p0.html").read_text()
    nav = site / "_includes/nav.html"
    nav.write_text("<nav>Edited {{ site.title }}</nav>\n")
    os.utime(nav, ns=(nav.stat().st_atime_ns, nav.stat().st_mtime_ns + 10**9))
    build(BuildOptions(source=site), cache, state=state)
    assert "<nav>Edited Counts</nav>" in (site / "_site/2020/01/01/p0.html").read_text()
    # A theme file the site starts to override: the override is used from the next build on.
    (site / "_includes/footer.html").write_text("<footer>own footer</footer>\n")
    (site / "_layouts/default.html").write_text(
        '<html><body>{% include "nav.html" %}{{ content }}{% include "footer.html" %}</body></html>\n'
    )
    build(BuildOptions(source=site), cache, state=state)
    assert "<footer>own footer</footer>" in (site / "_site/2020/01/01/p0.html").read_text()


def test_a_noop_build_imports_no_converter(tmp_path: Path) -> None:
    """Nor Pillow (no image is looked at) nor a thread pool; and importing the command line alone
    does not import Pygments' style registry (its plugin lookup scans every installed package)."""
    site = make_site(tmp_path / "site")
    (site / "_posts/2020-01-01-p0.md").write_text("---\ntitle: P0\n---\nMath $x^2$ and\n\n```python\nx = 1\n```\n")
    heavy = ("markdown", "latex2mathml", "cmarkgfm", "pygments.lexers", "multiprocessing", "PIL", "concurrent.futures")
    probe = (
        "import atexit, runpy, sys\n"
        "import generator.commands.cli\n"
        "print(sorted(m for m in sys.modules if m in ('pygments', 'pygments.styles', 'PIL', 'concurrent.futures')))\n"
        # What `python -m generator` runs; it leaves with os._exit, after the atexit callbacks.
        f"atexit.register(lambda: print(sorted(m for m in sys.modules if m in {heavy!r})))\n"
        "sys.argv = ['blog', 'build', '--quiet']\n"
        "runpy.run_module('generator', run_name='__main__')\n"
    )

    def loaded() -> list[str]:
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
        done = subprocess.run([sys.executable, "-c", probe], cwd=site, capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    cold = loaded()
    assert cold == ["[]", "['latex2mathml', 'markdown', 'pygments.lexers']"]  # cold: serial, in process
    assert loaded() == ["[]", "[]"]  # no-op: every text comes from the cache
