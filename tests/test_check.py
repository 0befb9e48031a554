"""The link checker over hand-written built sites (tests/sites/check/<case>/{source,site}) and over
sites built by the core; external links against a local http.server."""

from __future__ import annotations

import argparse
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.check.command import (
    Problem,
    check_site,
    configure_check_parser,
    fetch_failures,
    run_check_command,
)
from generator.errors import GeneratorError

SITES = Path(__file__).parent / "sites" / "check"
URL = "https://example.github.io"


def fixture(name: str) -> tuple[Path, Path]:
    return SITES / name / "site", SITES / name / "source"


def located(problems: list[Problem]) -> set[tuple[str, int, str]]:
    return {(problem.path, problem.line, problem.kind) for problem in problems}


def copy_fixture(name: str, tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(SITES / name, tmp_path / name)
    return tmp_path / name / "site", tmp_path / name / "source"


# --- the broken fixture: every kind of problem, at its source line ----------------------------------
def test_broken_site_reports_each_problem_at_its_source_line() -> None:
    site, source = fixture("broken")
    problems = check_site(site, source_root=source, site_url=URL)
    post = "_posts/2020-01-01-hello.md"
    assert located(problems) == {
        (post, 6, "broken"),  # [missing page](/no-such-page/)
        (post, 10, "broken"),  # the same link again: its own line, not the first one's
        (post, 7, "anchor"),  # /about/#nowhere
        (post, 8, "broken"),  # ![a picture](/assets/missing.png)
        (post, 11, "broken"),  # srcset candidate /assets/large.png
        (post, 12, "dev-server"),  # http://localhost:4000/about/
        (post, 13, "mixed"),  # <script src="http://...">
        (post, 14, "broken"),  # ../../nothing/ (relative)
        (f"{site}/2020/01/01/hello/index.html", 9, "broken"),  # /archive/ written by the layout
        (f"{site}/assets/style.css", 1, "broken"),  # url(../img/bg.png)
        (f"{site}/feed.xml", 14, "broken"),  # a link inside an entry's HTML content
        (f"{site}/feed.xml", 18, "broken"),  # entry for a page that is gone
        (f"{site}/sitemap.xml", 6, "broken"),  # /old-page/
    }
    assert all(problem.is_error for problem in problems)


def test_messages_name_the_link_the_page_and_the_reason() -> None:
    site, source = fixture("broken")
    by_line = {(p.path, p.line): str(p) for p in check_site(site, source_root=source, site_url=URL)}
    post = "_posts/2020-01-01-hello.md"
    assert by_line[(post, 6)] == (f"{post}:6: broken link /no-such-page/ in page /2020/01/01/hello/: no such file")
    assert 'no element with id "nowhere" in /about/' in by_line[(post, 7)]
    assert "broken image /assets/large.png" in by_line[(post, 11)]
    assert "http://cdn.example.com/lib.js" in by_line[(post, 13)]
    layout_line = by_line[(f"{site}/2020/01/01/hello/index.html", 9)]
    assert "/archive/" in layout_line and "line in the built file; source " + post in layout_line
    assert "broken feed entry https://example.github.io/2019/06/06/gone/" in by_line[(f"{site}/feed.xml", 18)]
    assert "https://example.github.io/repo/about/" in by_line[(f"{site}/feed.xml", 14)]


def test_without_sources_problems_point_into_the_built_pages() -> None:
    site, _ = fixture("broken")
    problems = check_site(site, site_url=URL)
    page = f"{site}/2020/01/01/hello/index.html"
    assert (page, 12, "broken") in located(problems)  # the first /no-such-page/ of the built page
    assert (page, 15, "broken") in located(problems)  # the second
    assert all(problem.in_output for problem in problems)


def test_marker_origins_can_be_given_explicitly() -> None:
    site, source = fixture("broken")
    problems = check_site(site, source_root=source, site_url=URL, origins={})
    assert not any(problem.path.startswith("_posts/") for problem in problems)


# --- correct sites pass -------------------------------------------------------------------------
def test_correct_root_site_passes_and_lists_external_links_only_when_asked() -> None:
    site, source = fixture("good")
    assert check_site(site, source_root=source, site_url=URL) == []
    listed = check_site(site, source_root=source, site_url=URL, external=True)
    assert {(p.line, p.kind) for p in listed} == {(9, "external")}
    assert {p.message.split()[2] for p in listed} == {"https://example.org/page", "http://example.org/old"}
    assert not any(problem.is_error for problem in listed)


def test_correct_project_site_passes_with_its_baseurl() -> None:
    site, source = fixture("project")
    assert check_site(site, baseurl="/repo", source_root=source, site_url=URL) == []
    # The same output read as a root site is broken everywhere: the baseurl really is checked.
    as_root = check_site(site, baseurl="", source_root=source, site_url=URL)
    assert len(as_root) > 10


def test_link_without_baseurl_on_a_project_site_is_reported_at_its_source_line(tmp_path: Path) -> None:
    site, source = copy_fixture("project", tmp_path)
    (source / "about.md").write_text(
        '---\ntitle: About\n---\n<h2 id="team">Team</h2>\n'
        "Read [the post]({{ site.baseurl }}/2020/01/01/hello/) or go [home](../).\n"
        "Forgot the [baseurl](/2020/01/01/hello/).\n",
        encoding="utf-8",
    )
    page = site / "about" / "index.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "</body>", '<p>Forgot the <a href="/2020/01/01/hello/">baseurl</a>.</p>\n</body>'
        ),
        encoding="utf-8",
    )
    problems = check_site(site, baseurl="/repo", source_root=source, site_url=URL)
    assert located(problems) == {("about.md", 6, "baseurl")}
    assert "missing baseurl /repo" in str(problems[0])


def test_baseurl_links_written_with_site_baseurl_map_to_their_source_line(tmp_path: Path) -> None:
    site, source = copy_fixture("project", tmp_path)
    shutil.rmtree(site / "2020")  # the post is gone: the about page's link to it breaks
    problems = [p for p in check_site(site, baseurl="/repo", source_root=source, site_url=URL) if "about" in p.path]
    assert located(problems) == {("about.md", 5, "broken")}  # written as {{ site.baseurl }}/2020/…


def test_unparsable_feed_is_reported_with_its_line(tmp_path: Path) -> None:
    site, source = copy_fixture("good", tmp_path)
    (site / "feed.xml").write_text('<?xml version="1.0"?>\n<feed>\n  <entry>\n</feed>\n', encoding="utf-8")
    problems = check_site(site, source_root=source, site_url=URL)
    assert [(p.path, p.line) for p in problems] == [(f"{site}/feed.xml", 4)]
    assert "not well-formed XML" in problems[0].message


def test_mixed_content_covers_stylesheets_images_and_css_but_not_navigation(tmp_path: Path) -> None:
    site, source = copy_fixture("good", tmp_path)
    (site / "extra.html").write_text(
        '<html><head>\n<link rel="stylesheet" href="http://cdn.example.com/a.css">\n'
        '<link rel="alternate" href="http://example.com/feed">\n</head>\n'
        '<body><img src="http://example.com/a.png"><a href="http://example.com/">ok</a>\n'
        '<a href="http://0.0.0.0:8000/x">dev</a></body></html>\n',
        encoding="utf-8",
    )
    (site / "assets" / "print.css").write_text("p { background: url(http://example.com/bg.png); }\n")
    problems = check_site(site, source_root=source, site_url=URL)
    assert located(problems) == {
        (f"{site}/extra.html", 2, "mixed"),
        (f"{site}/extra.html", 5, "mixed"),
        (f"{site}/extra.html", 6, "dev-server"),
        (f"{site}/assets/print.css", 1, "mixed"),
    }


# --- external links -------------------------------------------------------------------------------
class _Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.send_response(405 if self.path == "/no-head" else 200 if self.path == "/ok" else 404)
        self.end_headers()

    def do_GET(self) -> None:
        self.send_response(200 if self.path in ("/ok", "/no-head") else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def serve(host: str) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer((host, 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def local_server() -> Iterator[str]:
    yield from serve("127.0.0.1")


def test_fetch_failures_use_head_then_get(local_server: str) -> None:
    failures = fetch_failures(
        {f"{local_server}/ok", f"{local_server}/no-head", f"{local_server}/missing", "http://127.0.0.1:9/closed"},
        timeout=2,
    )
    assert set(failures) == {f"{local_server}/missing", "http://127.0.0.1:9/closed"}
    assert failures[f"{local_server}/missing"] == "HTTP 404"


def test_external_links_are_only_requested_when_asked(tmp_path: Path) -> None:
    # 127.0.0.2 is loopback too but not a dev-server address, so the links count as external.
    for base in serve("127.0.0.2"):
        site = tmp_path / "site"
        site.mkdir()
        (site / "index.html").write_text(
            f'<a href="{base}/ok">a</a>\n<a href="{base}/missing#x">b</a>\n<a href="{base}/no-head">c</a>\n'
        )
        assert check_site(site) == []
        problems = check_site(site, check_external=True, timeout=2)
        assert [(p.line, p.kind) for p in problems] == [(2, "external-broken")]
        assert "HTTP 404" in problems[0].message


# --- command line ----------------------------------------------------------------------------------
def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    configure_check_parser(parser)
    return run_check_command(parser.parse_args(list(argv)))


def test_cli_prints_one_line_per_problem_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    site, source = fixture("broken")
    assert run_cli("--site", str(site), "--source", str(source)) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 14  # 13 problems (baseurl and url read from the source's _config.yml)
    assert lines[0].startswith(f"{source}/_posts/2020-01-01-hello.md:6: broken link /no-such-page/")
    assert lines[-1].startswith("checked 3 pages") and lines[-1].endswith("13 problems")


def test_cli_passes_on_a_correct_project_site(capsys: pytest.CaptureFixture[str]) -> None:
    site, source = fixture("project")
    assert run_cli("--site", str(site), "--source", str(source)) == 0
    assert capsys.readouterr().out.strip().endswith("no problems")
    assert run_cli("--site", str(site), "--source", str(source), "--baseurl", "") == 1


def test_cli_external_listing_does_not_fail(capsys: pytest.CaptureFixture[str]) -> None:
    site, source = fixture("good")
    assert run_cli("--site", str(site), "--source", str(source), "--list-external") == 0
    out = capsys.readouterr().out
    assert "external link https://example.org/page" in out and "(2 external links)" in out


def test_cli_without_a_built_site_says_so(tmp_path: Path) -> None:
    with pytest.raises(GeneratorError, match="no built site"):
        run_cli("--source", str(tmp_path))


# --- sites built by the core ------------------------------------------------------------------------
CORE_SITE = {
    "_config.yml": 'title: Tiny\nurl: https://example.github.io\nbaseurl: ""\n',
    "_posts/2020-01-01-hello.md": "---\ntitle: Hello\n---\nText [link](/about/) and [team](/about/#team).\n",
    "about.md": "---\ntitle: About\npermalink: /about/\n---\n## Team\n\nAbout me.\n",
    "_layouts/default.html": ("<html><head><title>{{ page.title }}</title></head><body>{{ content }}</body></html>"),
}


def core_site(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    source = tmp_path / "src"
    for name, text in {**CORE_SITE, **(extra or {})}.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text, encoding="utf-8")
    return source


def test_core_built_site_passes_and_strict_check_finds_a_broken_markdown_link(tmp_path: Path) -> None:
    from generator.build import BuildOptions, build
    from generator.check.command import strict_check

    source = core_site(tmp_path)
    result = build(BuildOptions(source=source, destination=tmp_path / "out"))
    assert strict_check(result) == []
    broken = "---\ntitle: Hello\n---\nText [link](/about/).\n\nSee [the missing part](/about/#nowhere).\n"
    (source / "_posts" / "2020-01-01-hello.md").write_text(broken, encoding="utf-8")
    result = build(BuildOptions(source=source, destination=tmp_path / "out"))
    errors = strict_check(result)
    assert [(error.path, error.line) for error in errors] == [("_posts/2020-01-01-hello.md", 6)]
    assert 'no element with id "nowhere"' in str(errors[0])


def test_cli_build_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    about = "---\ntitle: About\npermalink: /about/\n---\n## Team\n![me](/me.png)\n"
    source = core_site(tmp_path, {"about.md": about})
    # The image pipeline would refuse the missing image at build time (tests/test_images.py); off,
    # it is the checker's to find.
    with (source / "_config.yml").open("a", encoding="utf-8") as config:
        config.write("\nimages:\n  enabled: false\n")
    assert run_cli("--source", str(source), "--build") == 1
    out = capsys.readouterr().out
    assert f"{source}/about.md:6: broken image /me.png in page /about/: no such file" in out
    assert (source / "_site" / "about" / "index.html").is_file()
    (source / "me.png").write_bytes(b"PNG")
    assert run_cli("--source", str(source), "--build") == 0
