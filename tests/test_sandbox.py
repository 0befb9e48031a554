"""Jinja in posts (issue #12): templates get data, not objects with powers. Each probe is a real
`blog build` in a subprocess: it must end in one located line and exit 1 (or print nothing
harmful), never a traceback, never a file read or written outside, never the site changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "sites" / "hostile" / "sandbox_site"
POST = "_posts/2020-01-01-x.md"


def build_with_body(tmp_path: Path, body: str, config: str = "") -> tuple[subprocess.CompletedProcess[str], Path]:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    if config:
        (site / "_config.yml").write_text((site / "_config.yml").read_text() + config)
    (site / POST).write_text(f"---\ntitle: X\nrender_with_jinja: true\n---\nline five\n{body}\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-q"],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, site


def assert_located_error(result: subprocess.CompletedProcess[str], message: str, where: str = f"{POST}:6: ") -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(where) and message in first, first


def published(site: Path) -> str:
    return "".join(p.read_text("utf-8", "replace") for p in (site / "_site").rglob("*.html"))


@pytest.mark.parametrize(
    "body",
    [
        '{{ demo.demos["hello"].manifest.path.joinpath("/etc/passwd").read_text() }}',
        '{{ demo.demos["hello"].manifest.path.joinpath("pwned.txt").write_text("x") }}',
        "{{ demo.__closure__ }}",
        "{{ demo.__globals__ }}",
    ],
)
def test_demo_exposes_no_objects(tmp_path: Path, body: str) -> None:
    result, site = build_with_body(tmp_path, body)
    assert_located_error(result, "")
    assert not (site / "demos" / "hello" / "pwned.txt").exists()
    assert not (site / "_site").exists()


@pytest.mark.parametrize("body", ['[{{ "{0.demos}".format(demo) }}]', "[{{ demo._demos }}]", "[{{ demo.demos }}]"])
def test_format_and_private_names_reach_nothing(tmp_path: Path, body: str) -> None:
    """`str.format` reads attributes through the sandbox, and `demo` is a plain function: nothing
    of the embedder is printed (an error or an empty value)."""
    result, site = build_with_body(tmp_path, body)
    if result.returncode == 1:
        assert_located_error(result, "")
    else:
        assert "[]" in published(site)


def test_passwd_is_never_published(tmp_path: Path) -> None:
    """The attack of the issue, as written: a post publishing /etc/passwd."""
    body = '{{ demo.demos["hello"].manifest.path.joinpath("/etc/passwd").read_text() }}'
    result, site = build_with_body(tmp_path, body)
    assert result.returncode == 1
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    assert not (site / "_site").exists() or passwd not in published(site)
    assert passwd not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{% set _ = site.posts.clear() %}", "'tuple object' has no attribute 'clear'"),
        ("{{ site.posts.append(1) }}", "'tuple object' has no attribute 'append'"),
        ("{{ page.tags.append('x') }}", "has no attribute 'append'"),
        ("{% set _ = site.tags.pop('one') %}", "has no attribute 'pop'"),
        ("{% set _ = site.data.menu.append(1) %}", "has no attribute 'append'"),
        ("{% set _ = (site.posts | list).append(1) %}", "not allowed in a post's Jinja"),
    ],
)
def test_site_data_cannot_be_changed(tmp_path: Path, body: str, message: str) -> None:
    result, site = build_with_body(tmp_path, body)
    assert_located_error(result, message)
    assert not (site / "_site").exists()


def test_other_posts_still_listed_after_a_failed_mutation_attempt(tmp_path: Path) -> None:
    """Reading is fine and sees the whole site; the home page keeps every post."""
    result, site = build_with_body(tmp_path, "{{ site.posts | length }} posts, {{ site.tags | length }} tags")
    assert result.returncode == 0, result.stderr
    assert "2 posts, 1 tags" in (site / "_site" / "2020" / "01" / "01" / "x.html").read_text()
    home = (site / "_site" / "index.html").read_text()
    assert "Other" in home and (site / "_site" / "tags" / "one" / "index.html").exists()


@pytest.mark.parametrize(
    "body",
    [
        '{% include ".env" %}',
        '{% include "../.env" %}',
        '{% include "/_config.yml" %}',
        '{% include "default.html" %}',
        '{% import "_layouts/post.html" as x %}',
    ],
)
def test_post_includes_only_from_includes(tmp_path: Path, body: str) -> None:
    result, site = build_with_body(tmp_path, body)
    assert_located_error(result, "include not found: ")
    assert "includes only files of _includes/" in result.stderr
    assert "hunter2" not in result.stdout + result.stderr


def test_include_from_includes_works(tmp_path: Path) -> None:
    result, site = build_with_body(tmp_path, '{% include "ok.html" %}')
    assert result.returncode == 0, result.stderr
    assert "include ok" in (site / "_site" / "2020" / "01" / "01" / "x.html").read_text()


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ page.__class__ }}",
        "{{ site.mro() }}",
        '{{ "{0.__class__}".format(1) }}',
        '{{ "{0.__init__.__globals__}".format(cycler) }}',
        "{{ cycler.__init__.__globals__ }}",
        "{{ self.__dict__ }}",
        "{{ site.time.tzinfo.utcoffset.__self__ }}",
    ],
)
def test_python_internals_are_refused(tmp_path: Path, body: str) -> None:
    result, _ = build_with_body(tmp_path, body)
    assert_located_error(result, "")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "{% for i in range(100000) %}{% for j in range(100) %}{% endfor %}{% endfor %}",
            "post Jinja exceeded 1000000 loop iterations; ",
        ),
        ("{% for x in [1] recursive %}{{ loop([1, 2]) }}{% endfor %}", "post Jinja exceeded recursion depth 50; "),
        ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "post Jinja exceeded recursion depth 50; "),
        ('{% include "self.html" %}', "post Jinja exceeded recursion depth 50; "),
        ("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}", "post Jinja exceeded 10000000 bytes of output; "),
        ("{{ 'x' * 10 ** 10 }}", "bytes of output"),
        ("{{ 10 ** 100000000 }}", "bytes of output"),
        ("{{ '%0999999999d' % 1 }}", "bytes of output"),
        ('{{ "{:999999999}".format(1) }}', "bytes of output"),
        ("{{ 'x' | center(10 ** 9) }}", "bytes of output"),
        ('{{ "ab".replace("a", "a" * 5000000).replace("a", "aaaa") }}', "bytes of output"),
        (
            '{% set ns = namespace(s="x") %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}',
            "bytes of output",
        ),
        ("{{ lipsum(10 ** 6) }}", "loop iterations"),
        ("{% for i in range(99999) %}{{ range(99999) | sum }}{% endfor %}", "loop iterations"),
    ],
)
def test_resource_limits_end_in_a_located_error(tmp_path: Path, body: str, message: str) -> None:
    result, site = build_with_body(tmp_path, body)
    where = "_includes/self.html:1: " if "self.html" in body else f"{POST}:6: "
    assert_located_error(result, message, where)
    assert "jinja_limits." in result.stderr
    assert not (site / "_site").exists()


def test_limits_are_configurable(tmp_path: Path) -> None:
    body = "{% for i in range(30) %}.{% endfor %}"
    result, _ = build_with_body(tmp_path, body, "jinja_limits: {loop_iterations: 20}\n")
    assert_located_error(result, "post Jinja exceeded 20 loop iterations; ")
    result, site = build_with_body(tmp_path / "b", body, "jinja_limits: {loop_iterations: 40, output_bytes: 100000}\n")
    assert result.returncode == 0, result.stderr
    result, _ = build_with_body(tmp_path / "c", body, "jinja_limits: {loops: 3}\n")
    assert result.returncode == 1 and "_config.yml:2: jinja_limits.loops: unknown key; known keys: " in result.stderr
    assert "Traceback" not in result.stderr


def test_ordinary_jinja_still_works(tmp_path: Path) -> None:
    body = (
        "{% for p in site.posts %}[{{ loop.index }}:{{ p.title }}]{% endfor %}"
        "{{ site.posts | map(attribute='title') | join(',') }}|{{ site.data.menu[0].name }}|"
        "{{ (site.posts | sort('title') | first).title }}|{{ '{} and {}'.format('a', 'b') }}|"
        "{% set ns = namespace(n=0) %}{% for t in site.tags %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}|"
        "{{ page.date | date('%Y') }}|{{ site.title | upper }}|{{ demo('hello') | length > 10 }}"
    )
    result, site = build_with_body(tmp_path, body)
    assert result.returncode == 0, result.stderr
    html = (site / "_site" / "2020" / "01" / "01" / "x.html").read_text()
    assert "[1:X][2:Other]" in html and "X,Other|Home|Other|a and b|1|2020|SANDBOX|True" in html
