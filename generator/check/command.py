"""Link checker over a built site: `blog check`, `blog build --strict` and the gate of `blog deploy`.

It reads the *output* (what GitHub Pages will serve) rather than the model, so it also catches links
written by hand in layouts, includes, CSS and demos. This module is the public face: `check_site`,
`strict_check` and the command line. Reading links out of the output is links.py's job; judging
each one and locating it in the sources is linkcheck.py's.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag


from generator.errors import GeneratorError
from generator.write.journal import incomplete_reason, recover
from generator.check.linkcheck import LinkChecker, Problem
from generator.check.links import MARKER, css_links, fetch_failures, read_origins

# Names other modules import from here (deploy.py: MARKER; tests: fetch_failures), kept in one place.
__all__ = [
    "MARKER",
    "CheckResult",
    "Problem",
    "check_site",
    "configure_check_parser",
    "fetch_failures",
    "run_check_command",
    "run_checks",
    "shown",
    "strict_check",
]

FEEDS = ("feed.xml", "atom.xml")


@dataclass(frozen=True)
class CheckResult:
    problems: list[Problem]
    pages: int
    links: int
    external: int


# --- public API -------------------------------------------------------------------------------
def run_checks(
    site_dir: Path,
    *,
    baseurl: str = "",
    source_root: Path | None = None,
    external: bool = False,
    check_external: bool = False,
    site_url: str = "",
    origins: dict[str, str] | None = None,
    timeout: float = 5.0,
    site_label: str | None = None,
) -> CheckResult:
    """Check a built site; see `check_site`. Also returns counts for the summary line."""
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        raise GeneratorError("no built site here (run `blog build`, or `blog check --build`)", site_dir)
    recover(site_dir)  # a build killed while writing is completed first (with one line saying so)
    incomplete = incomplete_reason(site_dir)
    if incomplete:
        raise GeneratorError(f"the built site is incomplete ({incomplete}); run `blog build` first", site_dir)
    checker = LinkChecker(
        site_dir, baseurl, source_root, read_origins(site_dir) if origins is None else origins, site_url, site_label
    )
    checker.parse_pages()
    links = [link for page in checker.pages.values() for link in page.links]
    links += css_links(checker.site_dir, checker.files)
    for link in links:
        checker.check_link(link)
    entries = sum(checker.check_xml_index(name, "feed entry") for name in FEEDS if name in checker.files)
    if "sitemap.xml" in checker.files:
        entries += checker.check_xml_index("sitemap.xml", "sitemap entry")
    where = checker.page_url
    if external:  # listed, not faults: "external" problems are not errors
        for link in checker.external:
            checker.report(link, f"external {link.noun} {link.url} in page {where(link.page)}", "external")
    if check_external:
        failures = fetch_failures({urldefrag(link.url)[0] for link in checker.external}, timeout)
        for link in checker.external:
            reason = failures.get(urldefrag(link.url)[0])
            if reason:
                message = f"broken external {link.noun} {link.url} in page {where(link.page)}: {reason}"
                checker.report(link, message, "external-broken")
    problems = sorted(dict.fromkeys(checker.problems), key=lambda p: (p.in_output, p.path, p.line, p.message))
    return CheckResult(problems, len(checker.pages), len(links) + entries, len(checker.external))


def check_site(
    site_dir: Path,
    *,
    baseurl: str = "",
    source_root: Path | None = None,
    external: bool = False,
    check_external: bool = False,
    site_url: str = "",
    origins: dict[str, str] | None = None,
    timeout: float = 5.0,
    site_label: str | None = None,
) -> list[Problem]:
    """Every broken reference of the built site in `site_dir`.

    baseurl: the site's baseurl ("" or "/repo"); root-relative links must carry it.
    source_root: where the sources are, to report problems at their source line.
    external: also list every external link (kind "external", not an error).
    check_external: request external links and report those that fail (kind "external-broken").
    site_url: the config `url`; absolute links to it are checked as internal ones.
    origins: output path -> source path; read from the build marker when None.
    site_label: how to name the site folder in problems about built files (default: site_dir).
    """
    return run_checks(
        site_dir,
        baseurl=baseurl,
        source_root=source_root,
        external=external,
        check_external=check_external,
        site_url=site_url,
        origins=origins,
        timeout=timeout,
        site_label=site_label,
    ).problems


def strict_check(result: Any, source_root: Path | None = None) -> list[GeneratorError]:
    """For `blog build --strict`: the check of a finished BuildResult, as GeneratorErrors."""
    config = result.config
    source = source_root or getattr(result, "source", None) or getattr(config, "source", None)
    problems = check_site(
        Path(result.destination),
        baseurl=config.baseurl or "",
        source_root=Path(source) if source else None,
        site_url=config.url or "",
        origins=dict(result.origins),
    )
    return [GeneratorError(problem.message, problem.path, problem.line) for problem in problems if problem.is_error]


# --- command line -----------------------------------------------------------------------------
def configure_check_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site", type=Path, default=None, metavar="DIR", help="the built site to check (default: SOURCE/_site)"
    )
    parser.add_argument(
        "--source",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the site's sources, to report problems at their source line (default: .)",
    )
    parser.add_argument("--build", action="store_true", help="build the site first")
    parser.add_argument("--baseurl", default=None, help="override the baseurl of _config.yml")
    # One spelling each, named for what they do: list external links, or fetch (check) them.
    parser.add_argument("--list-external", dest="external", action="store_true", help="also list every external link")
    parser.add_argument(
        "--external",
        dest="check_external",
        action="store_true",
        help="request every external link (HEAD, then GET) and report those that fail",
    )
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per external request (default: 5)")


def run_check_command(args: argparse.Namespace) -> int:
    """`blog check`: one line per problem, then a summary; exit status 1 when any problem is found.
    A site that cannot be checked (no build, failed --build) raises GeneratorError for the CLI."""
    source = Path(args.source)
    if args.build:
        from generator.build import BuildOptions, build  # lazily: checking a site needs no build code

        result = build(BuildOptions(source=source, destination=args.site, quiet=True))
        site_dir, origins = Path(result.destination), dict(result.origins)
        baseurl, site_url = result.config.baseurl or "", result.config.url or ""
    else:
        from generator.config import load_config  # the one schema: baseurl normalised as for a build

        config = load_config(source)
        site_dir, origins = Path(args.site) if args.site else config.destination, None
        baseurl, site_url = config.baseurl, config.url
    if args.baseurl is not None:
        baseurl = args.baseurl
    outcome = run_checks(
        site_dir,
        baseurl=baseurl,
        source_root=source,
        external=args.external,
        check_external=args.check_external,
        site_url=site_url,
        origins=origins,
        timeout=args.timeout,
    )
    for problem in outcome.problems:
        print(shown(problem, source))
    errors = sum(problem.is_error for problem in outcome.problems)
    summary = f"checked {outcome.pages} pages, {outcome.links} references: "
    summary += f"{errors} problem{'s' if errors != 1 else ''}" if errors else "no problems"
    if args.external or args.check_external:
        summary += f" ({outcome.external} external link{'s' if outcome.external != 1 else ''})"
    if errors or not getattr(args, "quiet", False):
        print(summary)
    return 1 if errors else 0


def shown(problem: Problem, source: Path) -> str:
    """Source paths as the user can open them from where they ran `blog`: under --source as given."""
    if problem.in_output or Path(source) == Path("."):
        return str(problem)
    return f"{Path(source) / problem.path}:{problem.line}: {problem.message}"
