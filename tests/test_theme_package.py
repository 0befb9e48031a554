"""The packaged default theme: a site's file of the same path overrides the theme's (layouts,
includes, static assets); `blog theme eject` copies theme files out; MathML typesetting fixes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.build import BuildOptions, build
from generator.load.theme import THEME_ROOT, theme_files
from generator.render.tex import tex_to_mathml

REPO = Path(__file__).resolve().parent.parent
POST = {"_posts/2020-01-01-a.md": "---\ntitle: A\n---\nHello.\n"}


def test_a_bare_site_gets_the_theme_layouts_and_css(make_site) -> None:
    site = build(BuildOptions(source=make_site(POST), quiet=True)).destination
    home = (site / "index.html").read_text()
    assert 'class="site-header"' in home and "/assets/css/main.css" in home
    assert (site / "assets/css/main.css").read_bytes() == (THEME_ROOT / "assets/css/main.css").read_bytes()
    assert 'class="post' in next(site.glob("2020/**/a*.html")).read_text()


def test_site_files_override_theme_files_of_the_same_path(make_site) -> None:
    source = make_site(
        {
            **POST,
            "_layouts/home.html": "---\nlayout: default\n---\n<p id=mine>my home</p>\n",
            "_includes/footer.html": "<footer class=site-footer>my footer</footer>\n",
            "assets/css/main.css": "body { color: red }\n",
        }
    )
    site = build(BuildOptions(source=source, quiet=True)).destination
    home = (site / "index.html").read_text()
    assert "<p id=mine>my home</p>" in home and "my footer" in home and 'class="site-header"' in home
    assert (site / "assets/css/main.css").read_text() == "body { color: red }\n"
    assert (site / "assets/css/figures.css").is_file()  # the rest of the theme is still there


def test_adding_an_override_rerenders_pages_that_used_the_theme_file(make_site) -> None:
    source = make_site(POST)
    build(BuildOptions(source=source, quiet=True))
    (source / "_includes").mkdir()
    (source / "_includes/footer.html").write_text("<footer class=site-footer>new footer</footer>\n")
    site = build(BuildOptions(source=source, quiet=True)).destination
    assert "new footer" in next(site.glob("2020/**/a*.html")).read_text()


def test_theme_eject_copies_one_file_or_all(make_site) -> None:
    source = make_site(POST)
    (source / "_config.yml").write_text("title: T\n")

    def blog(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "generator", "theme", *args, "--source", str(source)],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        )

    assert blog("eject", "_layouts/post.html").returncode == 0
    assert (source / "_layouts/post.html").read_bytes() == (THEME_ROOT / "_layouts/post.html").read_bytes()
    again = blog("eject", "_layouts/post.html")
    assert again.returncode == 1 and "--force" in again.stderr
    missing = blog("eject", "_layouts/nope.html")
    assert missing.returncode == 1 and "has no file" in missing.stderr and not (source / "_layouts/nope.html").exists()
    assert blog("eject").returncode == 0
    assert all((source / name).is_file() for name in theme_files())


def test_align_cells_carry_their_alignment_and_spacing_as_css() -> None:
    mathml = tex_to_mathml(r"\begin{align*} a &= b & \text{x} \\ &= c & \text{y} \end{align*}", True)
    assert mathml.count('style="text-align:right;text-align:-webkit-right;padding-inline:0em 0"') == 2
    assert mathml.count("text-align:-webkit-left") == 2
    assert "padding-inline:2em 0" in mathml  # the gap before the annotation column


def test_operator_names_become_spaced_operators() -> None:
    assert '<mo lspace="0" rspace="0.1667em">log</mo><mi>p</mi>' in tex_to_mathml(r"\log p", False)
    assert '<mo lspace="0" rspace="0">log</mo><mo stretchy="false">' in tex_to_mathml(r"\log(z)", False)
    arg_max = tex_to_mathml(r"\arg\max_x f", False)
    assert "<mo" in arg_max and ">arg</mo>" in arg_max and ">max</mo>" in arg_max and "\\arg" not in arg_max


def test_theme_eject_writes_only_inside_the_site(make_site) -> None:
    """A name that climbs out and back into the theme (`_layouts/../../theme/…`) names a theme file,
    but the copy lands at the theme's own path inside the site, never beside it."""
    from generator.commands.theme_command import eject

    source = make_site(POST)
    sneaky = "_layouts/../../theme/_layouts/post.html"
    written = eject(source, [sneaky])
    assert written == [source / "_layouts" / "post.html"]
    assert not (source.parent / "theme").exists()
