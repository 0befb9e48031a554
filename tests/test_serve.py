"""`blog serve` over real HTTP: a live DevServer on an ephemeral port, driven by http.client and, for
request targets http.client would normalise or refuse, by raw sockets."""

from __future__ import annotations

import http.client
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.commands import serve_command
from generator.serve import server as serve
from generator.build import BuildOptions
from generator.commands.cli import main
from generator.errors import GeneratorError
from generator.serve.server import DevServer
from generator.serve.files import resolve_request_path
from generator.serve.http_handler import inject_client
from generator.serve.watch import ChangeSet

SECRET = "TOP-SECRET-OUTSIDE-THE-SITE"

SITE = {
    "_config.yml": "title: Test site\npermalink: pretty\n",
    "_layouts/default.html": "<!DOCTYPE html>\n<html lang=en><head><title>{{ page.title }}</title>"
    "<link rel=stylesheet href=\"{{ '/assets/style.css' | relative_url }}\"></head>"
    "<BODY>{{ content }}</BODY></html>\n",
    "_posts/2020-01-02-hello.md": "---\ntitle: Hello\nlayout: default\ntags: [a]\n---\nHello *world*.\n",
    "docs/index.md": "---\ntitle: Docs\nlayout: default\n---\nThe docs.\n",
    "contact.html": "---\ntitle: Contact\nlayout: default\npermalink: /contact.html\n---\n<p>Write to me.</p>\n",
    "404.html": "---\ntitle: Lost\nlayout: default\npermalink: /404.html\n---\n<p>CUSTOM-NOT-FOUND</p>\n",
    "assets/style.css": "body { color: rgb(1, 2, 3); }\n",
    "assets/app.js": "export const x = 1;\n",
    "assets/mod.mjs": "export const y = 2;\n",
    "assets/add.wasm": b"\0asm\x01\0\0\0",
    "assets/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "assets/photo.webp": b"RIFF\0\0\0\0WEBPVP8 ",
    "assets/data.json": '{"a": 1}\n',
    "assets/font.woff2": b"wOF2\0\0\0\0",
    "assets/notes.txt": "plain text\n",
    "assets/feedlike.xml": "<?xml version='1.0'?><r/>\n",
}

MIME = {
    "/assets/style.css": "text/css",
    "/assets/app.js": "text/javascript",
    "/assets/mod.mjs": "text/javascript",
    "/assets/add.wasm": "application/wasm",
    "/assets/logo.svg": "image/svg+xml",
    "/assets/photo.webp": "image/webp",
    "/assets/data.json": "application/json",
    "/assets/font.woff2": "font/woff2",
    "/assets/notes.txt": "text/plain",
    "/assets/feedlike.xml": "application/xml",
    "/docs/": "text/html",
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def start_server(tmp_path: Path, files: dict[str, str | bytes], **kwargs) -> DevServer:
    source = write_tree(tmp_path / "src", files)
    server = DevServer(
        BuildOptions(source=source, destination=tmp_path / "out"),
        port=0,
        watch=False,
        log=lambda message: None,
        **kwargs,
    )
    server.start()
    return server


def serve_with_secrets(tmp_path: Path) -> DevServer:
    (tmp_path / "secret.txt").write_text(SECRET)
    (tmp_path / "secretdir").mkdir()
    (tmp_path / "secretdir" / "secret.txt").write_text(SECRET)
    server = start_server(tmp_path, SITE)
    # Links inside the output that point out of it: followed by a naive server, refused by ours.
    os.symlink(tmp_path / "secret.txt", tmp_path / "out" / "leak.txt")
    os.symlink(tmp_path / "secretdir", tmp_path / "out" / "leakdir")
    return server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """A server for tests that only read: built once for the module."""
    server = serve_with_secrets(tmp_path_factory.mktemp("serve"))
    yield server
    server.stop()


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevServer]:
    """A server of its own, for tests that edit the source and rebuild."""
    server = serve_with_secrets(tmp_path)
    yield server
    server.stop()


def request(
    server: DevServer, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    port = server.httpd.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def raw_request(server: DevServer, target: bytes) -> tuple[int, bytes]:
    """Send the request line byte for byte: no client-side normalisation of `..` or escapes."""
    port = server.httpd.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % port)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


# ---- pretty URLs, redirects, 404 ----------------------------------------------------------------


def test_pretty_urls_and_redirects(site: DevServer) -> None:
    response, body = request(site, "/docs/")
    assert response.status == 200 and b"The docs." in body
    response, _ = request(site, "/docs")
    assert response.status == 301 and response.getheader("Location") == "/docs/"
    response, _ = request(site, "/docs?x=1")
    assert response.status == 301 and response.getheader("Location") == "/docs/?x=1"
    response, body = request(site, "/contact")  # /x -> x.html
    assert response.status == 200 and b"Write to me." in body
    response, body = request(site, "/2020/01/02/hello/")
    assert response.status == 200 and b"<em>world</em>" in body
    response, body = request(site, "/")
    assert response.status == 200 and b"Hello" in body


def test_missing_page_gets_404_status_with_custom_body(site: DevServer) -> None:
    for path in ("/nope", "/nope/", "/docs/missing.html", "/2020/01/02/hello/x/"):
        response, body = request(site, path)
        assert response.status == 404, path
        assert b"CUSTOM-NOT-FOUND" in body
        assert response.getheader("Content-Type").startswith("text/html")


def test_mime_types(site: DevServer) -> None:
    for path, expected in MIME.items():
        response, _ = request(site, path)
        assert response.status == 200, path
        assert response.getheader("Content-Type").split(";")[0] == expected, path
        assert response.getheader("Cache-Control") == "no-store"


def test_head_has_get_headers_and_no_body(site: DevServer) -> None:
    for path in ("/docs/", "/assets/style.css", "/nope"):
        get, get_body = request(site, path)
        head, head_body = request(site, path, "HEAD")
        assert head.status == get.status
        assert head_body == b""
        assert head.getheader("Content-Length") == str(len(get_body))
        assert head.getheader("Content-Type") == get.getheader("Content-Type")


def test_conditional_get(dev: DevServer, tmp_path: Path) -> None:
    for path in ("/assets/style.css", "/docs/"):
        first, body = request(dev, path)
        etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
        assert etag and modified
        again, again_body = request(dev, path, headers={"If-None-Match": etag})
        assert again.status == 304 and again_body == b""
        since, _ = request(dev, path, headers={"If-Modified-Since": modified})
        assert since.status == 304
        other, other_body = request(dev, path, headers={"If-None-Match": '"something-else"'})
        assert other.status == 200 and other_body == body
    # After a rebuild that changes the stylesheet, the old ETag no longer matches.
    first, _ = request(dev, "/assets/style.css")
    (tmp_path / "src" / "assets" / "style.css").write_text("body { color: red; }\n")
    dev.on_changes(ChangeSet.of([tmp_path / "src" / "assets" / "style.css"], tmp_path / "src"))
    changed, body = request(dev, "/assets/style.css", headers={"If-None-Match": first.getheader("ETag")})
    assert changed.status == 200 and b"red" in body


# ---- safety -------------------------------------------------------------------------------------

TRAVERSALS = [
    b"/../secret.txt",
    b"/../../secret.txt",
    b"/assets/../../secret.txt",
    b"/%2e%2e/secret.txt",
    b"/%2E%2E/secret.txt",
    b"/.%2e/secret.txt",
    b"/%2e./secret.txt",
    b"/..%2fsecret.txt",
    b"/%2e%2e%2fsecret.txt",
    b"/assets/%2e%2e/%2e%2e/secret.txt",
    b"/..\\secret.txt",
    b"/..%5csecret.txt",
    b"/%5c..%5csecret.txt",
    b"/assets%2f..%2f..%2fsecret.txt",
    b"/secret.txt%00.html",
    b"/%00",
    b"/leak.txt",
    b"/leakdir/secret.txt",
    b"/leakdir/",
    b"/%c0%ae%c0%ae/secret.txt",
    b"http://127.0.0.1/../secret.txt",
    b"/" + str(Path("/etc/passwd")).encode(),
    b"//etc/passwd",
    b"/%2fetc%2fpasswd",
    b"/C:%5cWindows%5cwin.ini",
    b"/.blog-build.json",
]


@pytest.mark.parametrize("target", TRAVERSALS, ids=[t.decode() for t in TRAVERSALS])
def test_requests_outside_the_output_are_refused(site: DevServer, target: bytes) -> None:
    status, data = raw_request(site, target)
    assert status in (400, 404)  # 400 only where http.server itself rejects the request line
    assert SECRET.encode() not in data
    assert b"root:" not in data


def test_resolve_request_path_unit(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "a").mkdir(parents=True)
    (root / "a" / "b.html").write_text("x")
    assert resolve_request_path(root, "/a/b.html") == (root / "a" / "b.html").resolve()
    assert resolve_request_path(root, "/a/%62.html") == (root / "a" / "b.html").resolve()
    assert resolve_request_path(root, "/") == root.resolve()
    for bad in ("/../x", "/a/%2e%2e/%2e%2e/x", "/a%2f..%2f..%2fx", "/a\\..\\..\\x", "/x%00", "/%ff%fe"):
        assert resolve_request_path(root, bad) is None, bad


def test_port_in_use_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_tree(tmp_path / "src", SITE)
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        server = DevServer(
            BuildOptions(source=source, destination=tmp_path / "out"), port=port, watch=False, log=lambda m: None
        )
        with pytest.raises(GeneratorError, match=r"already in use.*--port"):
            server.start()
        code = main(["serve", "--source", str(source), "--destination", str(tmp_path / "out"), "--port", str(port)])
    assert code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and f"port {port}" in lines[0] and "--port" in lines[0]
    assert not (tmp_path / "out").exists()  # it failed before building anything


def test_all_interfaces_prints_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_tree(tmp_path / "src", SITE)

    def interrupt() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(serve_command, "wait_until_interrupted", interrupt)
    code = main(
        ["serve", "-s", str(source), "-d", str(tmp_path / "out"), "--host", "0.0.0.0", "--port", "0", "--no-watch"]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert "warning" in captured.err and "every network interface" in captured.err
    assert "http://127.0.0.1:" in captured.out


def test_binds_loopback_by_default(site: DevServer) -> None:
    assert site.httpd.server_address[0] == "127.0.0.1"
    assert site.url.startswith("http://127.0.0.1:")


def test_slow_client_does_not_block_others(site: DevServer) -> None:
    port = site.httpd.server_address[1]
    with socket.create_connection(("127.0.0.1", port)) as slow:
        slow.sendall(b"GET /docs/ HTTP/1.1\r\nHost: 127.0.0.1:%d" % port)  # and never finishes the request
        started = time.monotonic()
        response, _ = request(site, "/assets/style.css")
        assert response.status == 200
        assert time.monotonic() - started < 5


# ---- baseurl ------------------------------------------------------------------------------------


def test_baseurl_site_is_served_under_its_prefix(tmp_path: Path) -> None:
    files = {**SITE, "_config.yml": "title: Project\npermalink: pretty\nbaseurl: /repo\n"}
    server = start_server(tmp_path, files)
    try:
        assert server.url.endswith("/repo/")
        response, _ = request(server, "/")
        assert response.status in (301, 302) and response.getheader("Location") == "/repo/"
        response, _ = request(server, "/repo")
        assert response.status in (301, 302) and response.getheader("Location") == "/repo/"
        response, body = request(server, "/repo/")
        assert response.status == 200 and b'href="/repo/assets/style.css"' in body
        response, _ = request(server, "/repo/docs")
        assert response.status == 301 and response.getheader("Location") == "/repo/docs/"
        response, _ = request(server, "/repo/assets/style.css")
        assert response.status == 200
        for outside in ("/docs/", "/assets/style.css", "/repository/", "/rep"):
            response, body = request(server, outside)
            assert response.status == 404, outside
            assert b"CUSTOM-NOT-FOUND" in body
    finally:
        server.stop()


# ---- live reload plumbing -----------------------------------------------------------------------


def test_client_is_injected_into_responses_never_into_files(dev: DevServer, tmp_path: Path) -> None:
    _, body = request(dev, "/docs/")
    assert body.count(b"<script data-build=") == 1
    assert body.index(b"<script data-build=") < body.index(b"</BODY>")  # before </body>, any case
    on_disk = (tmp_path / "out" / "docs" / "index.html").read_bytes()
    assert b"data-build" not in on_disk
    _, css = request(dev, "/assets/style.css")
    assert b"<script" not in css


def test_inject_without_body_tag_appends() -> None:
    assert inject_client(b"<p>x", b"<s>") == b"<p>x<s>"
    assert inject_client(b"<body></body><!-- </body> -->", b"<s>") == b"<body></body><!-- <s></body> -->"


def test_no_livereload_means_no_script_and_no_event_stream(tmp_path: Path) -> None:
    server = start_server(tmp_path, SITE, livereload=False)
    try:
        _, body = request(server, "/docs/")
        assert b"data-build" not in body
        response, _ = request(server, "/__blog/events")
        assert response.status == 404
    finally:
        server.stop()


class EventStream:
    def __init__(self, server: DevServer) -> None:
        port = server.httpd.server_address[1]
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"GET /__blog/events HTTP/1.1\r\nHost: localhost:%d\r\n\r\n" % port)
        self.buffer = b""

    def next_event(self) -> tuple[str, dict]:
        while True:
            if b"\n\n" in self.buffer:
                block, self.buffer = self.buffer.split(b"\n\n", 1)
                fields = dict(line.split(": ", 1) for line in block.decode().splitlines() if ": " in line)
                if "event" in fields:
                    return fields["event"], json.loads(fields["data"])
                continue
            chunk = self.sock.recv(65536)
            assert chunk, "the server closed the event stream"
            self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def test_events_follow_rebuilds_and_errors(dev: DevServer, tmp_path: Path) -> None:
    source = tmp_path / "src"
    stream = EventStream(dev)
    try:
        event, hello = stream.next_event()
        assert event == "hello" and hello["errors"] is None and hello["build"]
        post = source / "_posts" / "2020-01-02-hello.md"
        post.write_text("---\ntitle: Hello\nlayout: default\n---\nChanged text.\n")
        dev.on_changes(ChangeSet.of([post], source))
        event, data = stream.next_event()  # the edited page first, before the build is committed
        assert event == "preview" and data["paths"] == ["/2020/01/02/hello/index.html"]
        event, data = stream.next_event()
        assert event == "reload" and data["build"] != hello["build"]
        assert "/2020/01/02/hello/index.html" in data["paths"]

        css = source / "assets" / "style.css"
        css.write_text("body { color: blue; }\n")
        dev.on_changes(ChangeSet.of([css], source))
        event, data = stream.next_event()
        assert event == "css" and data["paths"] == ["/assets/style.css"]

        post.write_text("---\ntitle: [unclosed\n---\nBroken.\n")
        dev.on_changes(ChangeSet.of([post], source))
        event, data = stream.next_event()
        assert event == "error"
        assert any(line.startswith("_posts/2020-01-02-hello.md:2:") for line in data["errors"])
        # The last good site is still served.
        response, body = request(dev, "/2020/01/02/hello/")
        assert response.status == 200 and b"Changed text." in body
        # A page connecting now (or reconnecting after a restart) is told about the failure at once.
        late = EventStream(dev)
        event, state = late.next_event()
        assert event == "hello" and state["errors"] == data["errors"]
        late.close()

        post.write_text("---\ntitle: Hello\nlayout: default\n---\nFixed text.\n")
        dev.on_changes(ChangeSet.of([post], source))
        event, data = stream.next_event()  # (no preview after a failed build: the fix comes whole)
        assert event == "reload"
        assert request(dev, "/2020/01/02/hello/")[1].count(b"Fixed text.") == 1
    finally:
        stream.close()


def test_first_build_failing_still_serves_and_recovers(tmp_path: Path) -> None:
    broken = {**SITE, "_posts/2020-01-02-hello.md": "---\ntitle: [oops\n---\nHello\n"}
    server = start_server(tmp_path, broken)
    try:
        response, body = request(server, "/")
        assert response.status == 404 and b"<script data-build=" in body  # the overlay can appear
        stream = EventStream(server)
        event, hello = stream.next_event()
        assert event == "hello" and hello["errors"][0].startswith("_posts/2020-01-02-hello.md:")
        post = tmp_path / "src" / "_posts" / "2020-01-02-hello.md"
        post.write_text("---\ntitle: Hello\nlayout: default\n---\nRepaired.\n")
        server.on_changes(ChangeSet.of([post], tmp_path / "src"))
        assert stream.next_event()[0] == "reload"
        stream.close()
        response, body = request(server, "/2020/01/02/hello/")
        assert response.status == 200 and b"Repaired." in body
    finally:
        server.stop()


def test_closed_event_streams_are_dropped(dev: DevServer) -> None:
    streams = [EventStream(dev) for _ in range(3)]
    for stream in streams:
        assert stream.next_event()[0] == "hello"
    assert dev.hub.client_count == 3
    for stream in streams:
        stream.close()
    deadline = time.monotonic() + 5
    while dev.hub.client_count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dev.hub.client_count == 0


def test_config_or_destination_problem_at_start_is_an_error(tmp_path: Path) -> None:
    source = write_tree(tmp_path / "src", SITE)
    foreign = write_tree(tmp_path / "mine", {"thesis.tex": "precious"})
    server = DevServer(BuildOptions(source=source, destination=foreign), port=0, watch=False, log=lambda m: None)
    with pytest.raises(GeneratorError, match="not empty"):
        server.start()
    assert (foreign / "thesis.tex").read_text() == "precious"
    (source / "_config.yml").write_text("title: [unclosed\n")
    server = DevServer(
        BuildOptions(source=source, destination=tmp_path / "out"), port=0, watch=False, log=lambda m: None
    )
    with pytest.raises(GeneratorError, match="_config.yml"):
        server.start()


# ---- who may connect, and for how long (DNS rebinding, idle and excess connections) -------------


def request_as(server: DevServer, host: str, path: str = "/docs/", port: int | None = None) -> tuple[int, bytes]:
    """One request whose Host header is exactly `host` (http.client would write its own)."""
    port = port or server.httpd.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), data


def test_foreign_host_names_are_refused(site: DevServer) -> None:
    port = site.httpd.server_address[1]
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", f"127.0.0.1:{port + 1}", ""):
        for path in ("/docs/", "/__blog/events", "/assets/style.css"):
            status, data = request_as(site, host, path)
            assert status == 421, (host, path)
            head, _, body = data.partition(b"\r\n\r\n")
            assert b"Content-Type: text/plain" in head and b"The docs." not in body and b"event:" not in body
            assert body.count(b"\n") == 1 and b"--allowed-host" in body


def test_loopback_names_with_the_port_are_accepted(site: DevServer) -> None:
    port = site.httpd.server_address[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"):
        status, data = request_as(site, host)
        assert status == 200 and b"The docs." in data, host


def test_all_interfaces_accepts_the_machine_and_allowed_names(tmp_path: Path) -> None:
    server = start_server(tmp_path, SITE, host="0.0.0.0", allowed_hosts=("phone.local",))
    try:
        port = server.httpd.server_address[1]
        for host in (f"phone.local:{port}", "phone.local", f"localhost:{port}", f"{socket.gethostname()}:{port}"):
            assert request_as(server, host)[0] == 200, host
        assert request_as(server, f"evil.example:{port}")[0] == 421
    finally:
        server.stop()


def test_allowed_host_option_reaches_the_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_tree(tmp_path / "src", SITE)
    started: list[DevServer] = []
    statuses: list[int] = []

    class Recorded(DevServer):
        def start(self) -> None:
            super().start()
            started.append(self)

    def requests_then_interrupt() -> None:
        port = started[0].httpd.server_address[1]
        statuses.extend(request_as(started[0], host)[0] for host in (f"phone.local:{port}", f"evil.example:{port}"))
        raise KeyboardInterrupt

    monkeypatch.setattr(serve, "DevServer", Recorded)
    monkeypatch.setattr(serve_command, "wait_until_interrupted", requests_then_interrupt)
    argv = ["serve", "-s", str(source), "-d", str(tmp_path / "out"), "--port", "0", "--no-watch"]
    assert main([*argv, "--host", "0.0.0.0", "--allowed-host", "phone.local", "--allowed-host", "tab.local"]) == 0
    assert statuses == [200, 421]
    assert started[0].host_check.trusted == {"phone.local", "tab.local"}
    assert "refused a request for Host 'evil.example:" in capsys.readouterr().err


def read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):  # the socket's own timeout (generous) fails the test if it hangs
        data += chunk
    return data


def test_idle_connections_are_closed(tmp_path: Path) -> None:
    server = start_server(tmp_path, SITE, idle_timeout=1)
    try:
        port = server.httpd.server_address[1]
        with socket.create_connection(("127.0.0.1", port), timeout=30) as silent:
            assert read_until_closed(silent) == b""  # sent nothing, got nothing, and then EOF
        with socket.create_connection(("127.0.0.1", port), timeout=30) as half:
            half.sendall(b"GET /docs/ HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % port)  # never finishes
            assert read_until_closed(half) == b""
        with socket.create_connection(("127.0.0.1", port), timeout=30) as kept:
            kept.sendall(b"GET /docs/ HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port)  # keep-alive
            data = read_until_closed(kept)
            assert data.startswith(b"HTTP/1.1 200") and data.count(b"HTTP/1.1 ") == 1
        assert wait_for(lambda: server.httpd.open_connections == 0)
    finally:
        server.stop()


def wait_for(condition, attempts: int = 200) -> bool:
    for _ in range(attempts):
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_connections_beyond_the_cap_get_503(tmp_path: Path) -> None:
    server = start_server(tmp_path, SITE, max_connections=2)
    port = server.httpd.server_address[1]
    held = []
    try:
        for _ in range(2):  # two keep-alive connections, each answered once and then left open
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(b"GET /assets/notes.txt HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port)
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            held.append(sock)
        status, data = request_as(server, f"127.0.0.1:{port}")
        assert status == 503 and b"too many open connections" in data
        held.pop().close()
        assert wait_for(lambda: server.httpd.open_connections == 1)
        assert request_as(server, f"127.0.0.1:{port}")[0] == 200
    finally:
        for sock in held:
            sock.close()
        server.stop()


def test_event_stream_heartbeats_outlive_the_idle_timeout(tmp_path: Path) -> None:
    server = start_server(tmp_path, SITE, idle_timeout=1, heartbeat=0.2)
    try:
        port = server.httpd.server_address[1]
        with socket.create_connection(("127.0.0.1", port), timeout=30) as stream:
            stream.sendall(b"GET /__blog/events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port)
            data = b""
            # Ten heartbeats at 0.2 s are 2 s at least: past the 1 s idle timeout, still open.
            while data.count(b"\n: ping\n\n") < 10:
                chunk = stream.recv(65536)
                assert chunk, "the server closed the event stream"
                data += chunk
            assert b"event: hello" in data
    finally:
        server.stop()


def test_host_header_parsing_unit() -> None:
    from generator.serve.guard import host_check, split_host

    assert split_host("LocalHost.:4000") == ("localhost", 4000)
    assert split_host("[::1]:80") == ("[::1]", 80)
    for bad in ("a:b", "[::1", "[::1]x", "x@y:1", "h:123456", ":80"):
        assert split_host(bad) is None, bad
    check = host_check("127.0.0.1", 4000, ["tunnel.example", "box.lan:8080"])
    assert check.allows("localhost:4000") and not check.allows("localhost") and not check.allows(None)
    assert check.allows("tunnel.example") and check.allows("tunnel.example:443")
    assert check.allows("box.lan:8080") and not check.allows("box.lan:4000")
    assert host_check("127.0.0.1", 80).allows("localhost")  # no port in Host means 80
    assert not host_check("192.168.1.5", 4000).allows("localhost:4000")
