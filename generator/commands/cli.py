"""The `blog` command: init, new, build, serve, deploy, check. Every GeneratorError becomes one line
per problem (`path:line: message`) and exit code 1; tracebacks only with --trace."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import select
import sys
from collections.abc import Callable
from pathlib import Path

from generator import __version__
from generator.commands.options import add_build_arguments, build_options
from generator.commands.serve_command import configure_serve_parser, run_serve_command
from generator.errors import BuildFailed, GeneratorError
from generator.load.sitecheck import require_site


def command_build(args: argparse.Namespace) -> int:
    from generator.build import CACHE_FOLDER, build, print_progress
    from generator.incremental import fragments, yamlmemo

    require_site(args.source, args.config)
    # Code blocks and formulas converted before come from .blog-cache: an edit of a post's prose
    # does not make this new process import latex2mathml or build Pygments lexers (issue #19).
    options = build_options(args, whole_site=False)  # (summary and --strict read no document's body)
    # Parsed YAML (config, layouts, data, an edited post's front matter) comes from there too.
    with fragments.kept_in(options.source / CACHE_FOLDER), yamlmemo.kept():
        result = build(options, progress=None if args.quiet else print_progress)
    for warning in unique_warnings(result.warnings):
        print(f"{shown(warning, args)} (warning)", file=sys.stderr)
    if args.strict:
        from generator.check.command import strict_check

        problems = strict_check(result)
        if problems:
            raise BuildFailed(problems)
    if not args.quiet:
        print(result.summary())
    return 0


def unique_warnings(warnings: list[GeneratorError]) -> list[GeneratorError]:
    """One line per source location and message: the same text converted twice (a post and its
    excerpt on the home page, say) must not warn twice about the same line."""
    return list({str(warning): warning for warning in warnings}.values())


def command_serve(args: argparse.Namespace) -> int:
    require_site(args.source, args.config)
    return run_serve_command(args)


def command_new(args: argparse.Namespace) -> int:
    from generator.commands.scaffold import create_post

    require_site(args.source)

    print(create_post(args.source, args.title, args.draft, dt.datetime.now().astimezone()))
    return 0


def command_init(args: argparse.Namespace) -> int:
    from generator.publish.requirement import EDIT_MARKER
    from generator.commands.scaffold import create_site

    created = create_site(args.directory, force=args.force, generator=args.generator)
    print(f"created a new site in {created}; next: cd {created} && blog serve")
    if EDIT_MARKER in (created / "requirements.txt").read_text("utf-8"):
        print(
            f"note: {created / 'requirements.txt'} does not name a generator GitHub can install yet; "
            "edit it (or use `blog init --generator SPEC`) before publishing with the Pages workflow",
            file=sys.stderr,
        )
    return 0


def _check_command() -> tuple[Callable[..., None], Callable[..., int]]:
    from generator.check.command import configure_check_parser, run_check_command

    return configure_check_parser, run_check_command


def _deploy_command() -> tuple[Callable[..., None], Callable[..., int]]:
    from generator.commands.deploy_command import configure_deploy_parser, run_deploy_command

    return configure_deploy_parser, run_deploy_command


def _theme_command() -> tuple[Callable[..., None], Callable[..., int]]:
    from generator.commands.theme_command import configure_theme_parser, run_theme_command

    return configure_theme_parser, run_theme_command


def named_command(argv: list[str] | None) -> str | None:
    """The subcommand the arguments name (the first one not an option: `blog` has no option with a value)."""
    return next((a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")), None)


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every subcommand's parser. Given the command about to run, `check` and `deploy` are
    configured only when named: their modules (the link checker's HTTP client, git publishing)
    are ~0.1 s of imports that `blog build` does not need."""
    parser = argparse.ArgumentParser(
        prog="blog", description="A Jekyll-style static-site generator for technical blogs."
    )
    parser.add_argument("--version", action="version", version=f"blog {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--trace", action="store_true", help="show Python tracebacks for errors")
        sub.add_argument("--quiet", "-q", action="store_true", help="print only problems")

    build = commands.add_parser(
        "build", help="build the site into _site/", description="Build the site into _site/ (or --destination)."
    )
    add_build_arguments(build)
    build.add_argument("--strict", action="store_true", help="also check every internal link; fail on broken ones")
    build.add_argument("--force", action="store_true", help="replace a non-empty destination that blog did not create")
    common(build)
    build.set_defaults(run=command_build)

    serve = commands.add_parser(
        "serve",
        help="build, serve and rebuild on change",
        description="Build, serve locally and rebuild on change with live reload.",
    )
    add_build_arguments(serve)
    common(serve)
    configure_serve_parser(serve)
    serve.set_defaults(run=command_serve)

    new = commands.add_parser(
        "new", help="create a new post", description="Create _posts/<today>-<slug>.md (or a draft)."
    )
    new.add_argument("title", help="the post's title, in quotes")
    new.add_argument("--draft", action="store_true", help="create it in _drafts/ instead")
    new.add_argument("--source", "-s", type=Path, default=Path("."), help="site source folder")
    common(new)
    new.set_defaults(run=command_new)

    init = commands.add_parser("init", help="create a new site", description="Create a minimal working site in DIR.")
    init.add_argument("directory", type=Path, help="where to create the site")
    init.add_argument("--force", action="store_true", help="write into a non-empty folder")
    init.add_argument(
        "--generator",
        metavar="SPEC",
        default=None,
        help="pip requirement for this generator written to requirements.txt, e.g. mathdemo-blog==0.1.0 "
        "or 'mathdemo-blog @ git+https://github.com/OWNER/REPO@COMMIT' (default: how it was installed)",
    )
    common(init)
    init.set_defaults(run=command_init)

    for name, load, helptext in (
        ("check", _check_command, "check links and anchors in the built site"),
        ("deploy", _deploy_command, "publish the site to GitHub Pages"),
        ("theme", _theme_command, "list or eject (copy out) the default theme's files"),
    ):
        sub = commands.add_parser(name, help=helptext, description=helptext[0].upper() + helptext[1:] + ".")
        common(sub)
        if command is None or command == name:
            configure, run = load()
            configure(sub)
            sub.set_defaults(run=run)
    # One spelling per option: no argparse abbreviations (`--ext` would silently mean `--external`).
    for sub in (parser, *commands.choices.values()):
        sub.allow_abbrev = False
    return parser


def shown(error: GeneratorError, args: argparse.Namespace) -> str:
    """Source-relative paths become paths the user can open from where they ran `blog`."""
    source = getattr(args, "source", None)
    if error.path and source is not None and not Path(error.path).is_absolute() and Path(source) != Path("."):
        relocated = type(error).__new__(type(error))
        relocated.__dict__.update(error.__dict__)
        relocated.path = os.path.relpath(Path(source) / error.path)
        return GeneratorError.__str__(relocated)
    return str(error)


def _stdout_is_closed() -> bool:
    """Whether the reader of our stdout went away (and not some other pipe we wrote to)."""
    try:
        poller = select.poll()
    except AttributeError:  # no poll() (Windows): stdout is the pipe we write to most
        return True
    poller.register(sys.stdout.fileno(), select.POLLOUT)
    return any(events & select.POLLERR for _, events in poller.poll(0))


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Like parse_args, but an unknown flag is reported by the subcommand it was given to, with
    that subcommand's usage (`blog serve --prot` shows `usage: blog serve ...`, not blog's)."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        subcommands = next(
            (a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), {}
        )  # argparse keeps the subparsers only there
        owner = subcommands.get(getattr(args, "command", None) or "", parser)
        owner.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def print_traceback() -> None:
    """For --trace: `traceback` (with textwrap, ~1 ms) is imported only when asked for."""
    import traceback

    traceback.print_exc()


def main(argv: list[str] | None = None) -> int:
    parser = make_parser(named_command(argv) or "")
    args = parse(parser, argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        code = int(args.run(args) or 0)
        sys.stdout.flush()  # here, not at exit: a reader that went away is handled below, not by Python
        return code
    except BrokenPipeError:
        if not _stdout_is_closed():
            raise
        # `blog deploy --dry-run | head`: the reader has all it wanted. Point stdout at /dev/null so
        # the interpreter's final flush stays quiet, and exit as a process killed by SIGPIPE would.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except BuildFailed as e:
        for error in e.errors:
            print(shown(error, args), file=sys.stderr)
        print(f"error: {e.message}; the previous site was left untouched", file=sys.stderr)
        if getattr(args, "trace", False):
            print_traceback()
        return 1
    except GeneratorError as e:
        print(shown(e, args), file=sys.stderr)
        if getattr(args, "trace", False):
            print_traceback()
        return 1
    except KeyboardInterrupt:
        return 130
