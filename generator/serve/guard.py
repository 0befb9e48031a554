"""Who may talk to `blog serve`, and how much (issue #12).

- The `Host` header must name the address the server is bound to. A web page on some other site
  can point its own DNS name at 127.0.0.1 (DNS rebinding) and then read the dev server — drafts
  included — as if same-origin; its requests still carry *its* name in `Host`, so checking the
  header stops it. Bound to loopback, only loopback names are accepted; bound to every interface
  (`--host 0.0.0.0`, for testing on a phone), the machine's own names and addresses are; names the
  user passes with `--allowed-host` always are.
- A connection that sends nothing is closed after an idle timeout (the handler's socket timeout),
  and the number of open connections is capped: beyond the cap a client gets 503 and is closed
  (DevHTTPServer, the listening side of `blog serve`)."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import struct
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
WILDCARDS = frozenset({"0.0.0.0", "::", ""})
BUSY_BODY = b"blog serve: too many open connections; close some tabs and try again\n"
BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: %d\r\nRetry-After: 1\r\nConnection: close\r\n\r\n%s" % (len(BUSY_BODY), BUSY_BODY)
)


def split_host(header: str) -> tuple[str, int | None] | None:
    """`Host` header -> (lower-case name, port or None); IPv6 literals keep their brackets.
    None when the header is not a host[:port] at all."""
    text = header.strip().lower()
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        name, rest = text[: end + 1], text[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else None
    else:
        name, colon, port_text = text.partition(":")
        port_text = port_text if colon else None
    if port_text is not None and not (port_text.isdigit() and len(port_text) <= 5):
        return None
    name = name.rstrip(".")
    if not name or any(c in name for c in "/\\@ \t"):
        return None
    return name, int(port_text) if port_text is not None else None


def as_host_name(address: str) -> str:
    """How an address appears in a `Host` header: IPv6 literals in brackets, zone dropped."""
    address = address.lower().split("%")[0].rstrip(".")
    return f"[{address}]" if ":" in address and not address.startswith("[") else address


@dataclass(frozen=True)
class HostCheck:
    port: int
    names: frozenset[str]  # accepted with the server's port (no port only when that is 80)
    trusted: frozenset[str]  # --allowed-host names: with any port, or exactly as given with one

    def allows(self, header: str | None) -> bool:
        parsed = split_host(header) if header else None
        if parsed is None:
            return False
        name, port = parsed
        if name in self.trusted or f"{name}:{port}" in self.trusted:
            return True
        return name in self.names and (port or 80) == self.port


def host_check(bound: str, port: int, allowed: Iterable[str] = ()) -> HostCheck:
    """The names a browser may use to reach a server bound to `bound`:`port`."""
    trusted = frozenset(_trusted_name(name) for name in allowed if name.strip())
    if bound in WILDCARDS:
        names = set(LOOPBACK_NAMES) | {as_host_name(a) for a in machine_addresses()}
    elif _is_loopback(bound):
        names = set(LOOPBACK_NAMES) | {as_host_name(bound)}
    else:
        names = {as_host_name(bound)}
    return HostCheck(port, frozenset(names), trusted)


def _trusted_name(given: str) -> str:
    parsed = split_host(given)
    if parsed is None:  # a bare IPv6 address, say
        return as_host_name(given)
    name, port = parsed
    return name if port is None else f"{name}:{port}"


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def machine_addresses() -> set[str]:
    """This machine's names and addresses, as far as the standard library can tell."""
    hostname = socket.gethostname()
    found = {hostname, f"{hostname}.local", socket.getfqdn()}  # `.local`: how phones find it by mDNS
    for name in (hostname, socket.getfqdn()):
        with contextlib.suppress(OSError):
            found.update(str(info[4][0]) for info in socket.getaddrinfo(name, None))
    # The address this machine uses towards the network: connecting a UDP socket sends nothing.
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                found.add(str(udp.getsockname()[0]))
        except OSError:
            pass
    found |= _interface_addresses()
    return {name for name in found if name}


def _interface_addresses() -> set[str]:
    """Every interface's address on Linux (IPv4 by ioctl, IPv6 from /proc); elsewhere none."""
    if not sys.platform.startswith("linux"):
        return set()
    import fcntl

    found: set[str] = set()
    siocgifaddr = 0x8915
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            try:
                answer = fcntl.ioctl(probe.fileno(), siocgifaddr, struct.pack("256s", name.encode()[:15]))
            except OSError:
                continue  # no IPv4 address on this interface
            found.add(socket.inet_ntoa(answer[20:24]))
    try:
        for line in Path("/proc/net/if_inet6").read_text().splitlines():
            fields = line.split()
            if len(fields) >= 4 and fields[3] != "20":  # link-local (scope 0x20) needs a zone id in URLs
                found.add(str(ipaddress.IPv6Address(bytes.fromhex(fields[0]))))
    except (OSError, ValueError):
        pass
    return found


def refuse_busy(connection: socket.socket, timeout: float) -> None:
    """Answer a connection over the cap with 503: read its request head first (briefly), so the
    client is reading when we close, and a reset does not swallow the answer."""
    try:
        connection.settimeout(timeout)
        received = b""
        while b"\r\n\r\n" not in received and len(received) < 65536:
            chunk = connection.recv(4096)
            if not chunk:
                break
            received += chunk
    except OSError:
        pass
    with contextlib.suppress(OSError):
        connection.sendall(BUSY_RESPONSE)


class DevHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # event-stream threads live until the browser goes; never wait for them
    max_connections = 64  # open connections served at once; the next ones get 503

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._count_lock = threading.Lock()
        self.open_connections = 0

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        """One thread per connection, as ThreadingHTTPServer does, but counted: over the cap, the
        thread only answers 503 (after reading the request head for at most a few seconds)."""
        with self._count_lock:
            self.open_connections += 1
            over = self.open_connections > self.max_connections
        thread = threading.Thread(target=self._serve_one, args=(request, client_address, over), daemon=True)
        thread.start()

    def _serve_one(self, request: socket.socket, client_address: object, over: bool) -> None:
        try:
            if over:
                refuse_busy(request, min(2.0, self.RequestHandlerClass.timeout or 2.0))  # type: ignore[attr-defined]
            else:
                self.finish_request(request, client_address)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 (as socketserver does: report, then close)
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self._count_lock:
                self.open_connections -= 1

    def handle_error(self, request: object, client_address: object) -> None:
        # Browsers drop connections all the time (navigation, reload); that is not worth a traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class DevHTTPServer6(DevHTTPServer):
    address_family = socket.AF_INET6
