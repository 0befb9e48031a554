"""`blog serve`: its flags, and starting the dev server (generator/serve/) with a build of the site."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from generator.build import CACHE_FOLDER
from generator.commands.options import build_options


def wait_until_interrupted() -> None:
    while True:
        time.sleep(3600)  # Ctrl-C raises KeyboardInterrupt here, in the main thread


def configure_serve_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 exposes the site to your network)",
    )
    parser.add_argument("--port", type=int, default=4000, help="port (default 4000; 0 picks a free one)")
    parser.add_argument(
        "--watch",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="rebuild when source files change (default on)",
    )
    parser.add_argument(
        "--livereload",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="reload open pages after each rebuild (default on)",
    )
    parser.add_argument("--open", action="store_true", help="open the site in the default web browser")
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests whose Host is NAME (repeatable), e.g. a tunnel's or a .local name; "
        "other names are refused (421) so that web pages cannot read the site by DNS rebinding",
    )


def run_serve_command(args: argparse.Namespace) -> int:
    # Imported here: `blog build` builds this parser too and should not pay for the server and watchdog.
    from generator.render.cache import ConversionCache
    from generator.serve.server import DevServer

    options = build_options(args)
    if args.host in ("0.0.0.0", "::", ""):
        print(
            "warning: listening on every network interface: anyone on your network can read this site "
            "(and its drafts); use --host 127.0.0.1 to keep it local",
            file=sys.stderr,
        )
    cache = ConversionCache.load(Path(options.source).resolve() / CACHE_FOLDER)
    server = DevServer(
        options,
        args.host or "0.0.0.0",
        args.port,
        watch=args.watch,
        livereload=args.livereload,
        trace=args.trace,
        convert_ahead=args.watch,  # a worker converting edited files meanwhile (serve/ahead.py)
        cache=cache,
        log=(lambda m: None) if args.quiet else None,
        allowed_hosts=tuple(args.allowed_host),
    )
    server.start()
    print(
        f"serving {server.state.destination} at {server.url}"
        + (" (watching for changes)" if args.watch else "")
        + "; press Ctrl-C to stop",
        flush=True,
    )
    if args.open:
        import webbrowser

        webbrowser.open(server.url)
    try:
        wait_until_interrupted()
    except KeyboardInterrupt:
        print("stopping", file=sys.stderr)
    finally:
        server.stop()
    return 0
