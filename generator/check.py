"""Link checker over a built site: `blog check`, `blog build --strict` and the gate of `blog deploy`.

It reads the *output* (what GitHub Pages will serve) rather than the model, so it also catches links
written by hand in layouts, includes, CSS and demos. Each problem is reported at the line of the
source file (markdown) that wrote the link when that can be found, else at the line of the built
page; `Problem.in_output` says which. The stdlib `html.parser` is enough here: we only need start
tags, attributes and positions, it is tolerant of real-world HTML and adds no dependency.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from xml.etree import ElementTree

import yaml

from generator.errors import GeneratorError

MARKER = ".blog-build.json"
DEV_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1"})
FEEDS = ("feed.xml", "atom.xml")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# Attributes holding one URL, per tag. srcset (several URLs) is handled apart.
URL_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}
# <link rel=...> values whose target the browser loads as a sub-resource (so http:// = mixed content);
# other rels (alternate, canonical, next …) are navigation like <a>.
RESOURCE_RELS = frozenset(
    {"stylesheet", "icon", "apple-touch-icon", "preload", "modulepreload", "prefetch", "manifest", "mask-icon"}
)
NOUNS = {
    "a": "link",
    "area": "link",
    "img": "image",
    "source": "image",
    "script": "script",
    "link": "link",
    "css": "reference",
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


@dataclass(frozen=True)
class Problem:
    """One broken reference. `path:line` points into the source file, or into the built file when
    `in_output` (the link came from a layout, or the source could not be read)."""

    path: str
    line: int
    message: str
    kind: str = "broken"  # broken | baseurl | anchor | mixed | dev-server | external | external-broken
    in_output: bool = False

    @property
    def is_error(self) -> bool:
        return self.kind != "external"  # "external" only lists a link (with --external), it is no fault

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Link:
    page: str  # output file relative to the site root, posix
    line: int  # line in that output file
    url: str
    noun: str  # what the reference is, for messages: link, image, script …
    resource: bool  # loaded by the browser (img, script, stylesheet), not navigated to
    written_by: str | None = None  # the page whose source wrote it, when not `page` (feed content)


@dataclass(frozen=True)
class CheckResult:
    problems: list[Problem]
    pages: int
    links: int
    external: int


class _PageParser(HTMLParser):
    """Collects element ids (fragment targets) and every URL-bearing attribute with its line."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.ids: set[str] = set()
        self.links: list[Link] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        rels = set(values.get("rel", "").lower().split())
        resource = tag not in ("a", "area") and (tag != "link" or bool(rels & RESOURCE_RELS))
        noun = "stylesheet" if "stylesheet" in rels else NOUNS.get(tag, "reference")
        for attribute in URL_ATTRIBUTES.get(tag, ()):
            if attribute not in values:
                continue
            raw = values[attribute]
            urls = _srcset_urls(raw) if attribute == "srcset" else [raw.strip()]
            line = self._line_of(raw)
            self.links.extend(Link(self.page, line, url, noun, resource) for url in urls)

    def _line_of(self, value: str) -> int:
        # getpos() is the tag's first line; an attribute may sit on a later line of a long tag.
        line = self.getpos()[0]
        text = self.get_starttag_text() or ""
        offset = text.find(value)
        return line + text.count("\n", 0, offset) if offset > 0 else line


def _srcset_urls(srcset: str) -> list[str]:
    """`a.png 1x, b.png 2x` -> [a.png, b.png]: each candidate is a URL and an optional descriptor."""
    return [candidate.split()[0] for candidate in srcset.split(",") if candidate.strip()]


class _Checker:
    def __init__(
        self,
        site_dir: Path,
        baseurl: str,
        source_root: Path | None,
        origins: dict[str, str],
        site_url: str,
        site_label: str | None = None,
    ) -> None:
        self.site_dir = site_dir
        self.site_label = site_label or str(site_dir)
        self.baseurl = baseurl.rstrip("/")
        self.source_root = source_root
        self.origins = origins
        self.site_host = (urlsplit(site_url).hostname or "").lower()
        self.files = _site_files(site_dir)
        self.pages: dict[str, _PageParser] = {}
        self.problems: list[Problem] = []
        self.external: list[Link] = []
        self._source_lines: dict[str, list[str] | None] = {}
        self._seen: dict[tuple[str, str], int] = {}  # (page, url) -> occurrences located so far

    # --- reading -------------------------------------------------------------------------------
    def parse_pages(self) -> None:
        for rel in sorted(self.files):
            if rel.endswith((".html", ".htm")):
                parser = _PageParser(rel)
                parser.feed((self.site_dir / rel).read_text(encoding="utf-8", errors="replace"))
                parser.close()
                self.pages[rel] = parser

    def page_url(self, rel: str) -> str:
        path = rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel
        return f"{self.baseurl}/{path}"

    # --- resolving -----------------------------------------------------------------------------
    def resolve(self, site_path: str) -> str | None:
        """The file a static host (GitHub Pages) serves for a path below the baseurl, or None."""
        rel = unquote(site_path).lstrip("/")
        if rel == "" or rel.endswith("/"):
            candidates = [rel + "index.html"]
        else:
            candidates = [rel, rel + "/index.html", rel + ".html"]
        return next((candidate for candidate in candidates if candidate in self.files), None)

    def strip_baseurl(self, path: str) -> str | None:
        """A root-relative URL path -> the path below the baseurl; None when it lacks the baseurl."""
        if not self.baseurl:
            return path
        if path == self.baseurl or path.startswith(self.baseurl + "/"):
            return path[len(self.baseurl) :] or "/"
        return None

    # --- checking -------------------------------------------------------------------------------
    def check_link(self, link: Link) -> None:
        parts = urlsplit(link.url)
        scheme = parts.scheme.lower()
        if scheme not in ("", "http", "https") or not link.url:
            return  # mailto:, data:, javascript: … and href="" (this page) need no checking
        where = f"in {'page ' if link.page in self.pages else ''}{self.page_url(link.page)}"
        if parts.netloc:
            host = (parts.hostname or "").lower()
            if host in DEV_HOSTS:
                return self.report(link, f"link to the local dev server {link.url} {where}", "dev-server")
            mixed = scheme == "http" and link.resource
            if mixed:
                message = f"mixed content: http:// {link.noun} {link.url} {where} (use https://)"
                self.report(link, message, "mixed")
            if self.site_host and host == self.site_host:
                return self.check_rooted(link, parts.path or "/", parts.fragment, where)
            if not mixed:
                self.external.append(link)
            return
        if not parts.path:  # "#section" or "?q": this very page
            return self.check_target(link, link.page, parts.fragment, where)
        if parts.path.startswith("/"):
            return self.check_rooted(link, parts.path, parts.fragment, where)
        # Relative links resolve against the page's own URL, which already lies below the baseurl.
        self.check_path(link, urljoin("/" + link.page, parts.path), parts.fragment, where)

    def check_rooted(self, link: Link, path: str, fragment: str, where: str) -> None:
        site_path = self.strip_baseurl(path)
        if site_path is None:
            message = f"broken {link.noun} {link.url} {where}: missing baseurl {self.baseurl}"
            return self.report(link, message, "baseurl")
        self.check_path(link, site_path, fragment, where)

    def check_path(self, link: Link, site_path: str, fragment: str, where: str) -> None:
        target = self.resolve(site_path)
        if target is None:
            return self.report(link, f"broken {link.noun} {link.url} {where}: no such file", "broken")
        self.check_target(link, target, fragment, where)

    def check_target(self, link: Link, target: str, fragment: str, where: str) -> None:
        anchor = unquote(fragment)
        # "#" and "#top" scroll to the top in every browser without any element.
        if anchor and anchor != "top" and target in self.pages and anchor not in self.pages[target].ids:
            message = f'broken {link.noun} {link.url} {where}: no element with id "{anchor}" in {self.page_url(target)}'
            self.report(link, message, "anchor")

    def check_css(self) -> list[Link]:
        """url(...) and @import in stylesheets: fonts and images are broken references too."""
        links: list[Link] = []
        for rel in sorted(name for name in self.files if name.endswith(".css")):
            text = (self.site_dir / rel).read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                for match in CSS_URL.finditer(line):
                    links.append(Link(rel, number, match.group(2) or match.group(4), "reference", True))
        return links

    def check_xml_index(self, rel: str, noun: str) -> int:
        """The feed and the sitemap must parse and name only pages that exist. Returns the entry count."""
        data = (self.site_dir / rel).read_bytes()
        try:
            root = ElementTree.fromstring(data)
        except ElementTree.ParseError as error:
            message = f"{rel} is not well-formed XML: {error}"
            self.problems.append(Problem(self.output_path(rel), error.position[0], message, "broken", True))
            return 0
        if noun == "sitemap entry":
            urls = [(element.text or "").strip() for element in root.iter(f"{SITEMAP}loc")]
        else:  # Atom links, or RSS 2.0 <link>text</link>
            urls = [element.get("href", "") for element in root.iter(f"{ATOM}link")]
            urls += [(element.text or "").strip() for element in root.iter("link")]
        lines = data.decode("utf-8", errors="replace").splitlines()
        if noun == "feed entry":
            self.check_feed_content(rel, root, lines)
        for url in urls:
            link = Link(rel, _first_line_containing(lines, url), url, noun, False)
            host = (urlsplit(url).hostname or "").lower()
            # Feed and sitemap URLs are absolute; without a configured `url` assume they name this site.
            ours = not self.site_host or host == self.site_host
            if urlsplit(url).netloc and host not in DEV_HOSTS and ours:
                parts = urlsplit(url)
                self.check_rooted(link, parts.path or "/", parts.fragment, f"in {self.page_url(rel)}")
            else:
                self.check_link(link)
        return len(urls)

    def check_feed_content(self, rel: str, root: ElementTree.Element, lines: list[str]) -> None:
        """Links inside entries' HTML: readers resolve them against the feed, not the post, so a
        relative or doubled-baseurl link that works on the page can still break here. Problems are
        located in the post's source; one already reported there for the page is not repeated."""
        known = {(problem.path, problem.line, problem.kind) for problem in self.problems}
        for entry in root.iter(f"{ATOM}entry"):
            post = self.entry_page(entry)
            for element in entry:
                if element.tag not in (f"{ATOM}content", f"{ATOM}summary") or element.get("type") != "html":
                    continue
                parser = _PageParser(rel)
                parser.feed(element.text or "")
                parser.close()
                for link in parser.links:
                    line = _first_line_containing(lines, link.url)
                    reported = len(self.problems)
                    self.check_link(Link(rel, line, link.url, link.noun, link.resource, post))
                    fresh = self.problems[reported:]
                    del self.problems[reported:]
                    self.problems += [p for p in fresh if (p.path, p.line, p.kind) not in known]

    def entry_page(self, entry: ElementTree.Element) -> str | None:
        """The built page an Atom entry stands for (its alternate link), if it exists here."""
        for link in entry.iter(f"{ATOM}link"):
            parts = urlsplit(link.get("href", ""))
            if link.get("rel", "alternate") == "alternate" and parts.path:
                site_path = self.strip_baseurl(parts.path)
                return self.resolve(site_path) if site_path else None
        return None

    # --- reporting -----------------------------------------------------------------------------
    def report(self, link: Link, message: str, kind: str) -> None:
        origin = self.origins.get(link.written_by or link.page)
        if origin and origin.startswith("generated:"):
            origin = None  # an index, feed or tag page made by the generator: no source file
        line = self.source_line(link, origin) if origin else None
        if origin and line is not None:
            self.problems.append(Problem(origin, line, message, kind))
            return
        note = f"; source {origin}" if origin else ""
        message = f"{message} (line in the built file{note})"
        self.problems.append(Problem(self.output_path(link.page), link.line, message, kind, True))

    def output_path(self, rel: str) -> str:
        return f"{self.site_label.rstrip('/')}/{rel}"

    def source_line(self, link: Link, origin: str) -> int | None:
        """The source line that wrote this link: the n-th occurrence of the URL in the page matches
        the n-th occurrence in the source. None when the source does not contain it (layout link)."""
        lines = self.read_source(origin)
        if lines is None:
            return None
        # Written as `{{ site.baseurl }}/x/`: a template tag may precede the path that follows the
        # baseurl; a raw link follows a markdown or HTML delimiter.
        url = link.url
        parts = urlsplit(url)
        if parts.netloc and self.site_host and (parts.hostname or "").lower() == self.site_host:
            url = url[url.index(parts.netloc) + len(parts.netloc) :] or "/"  # written root-relative
        needles = {link.url: not self.baseurl, url: not self.baseurl}
        if self.baseurl and url.startswith(self.baseurl + "/"):
            needles[url[len(self.baseurl) :]] = True
        if "&" in link.url:
            needles[link.url.replace("&", "&amp;")] = not self.baseurl
        alternatives = [
            (r"(?:^|[\s(\"'<=:]|\}\})" if after_tag else r"(?:^|[\s(\"'<=:])") + re.escape(needle)
            for needle, after_tag in needles.items()
        ]
        pattern = re.compile("(?:" + "|".join(alternatives) + r")(?=$|[\s)\"'>|])")
        matches = [number for number, text in enumerate(lines, start=1) if pattern.search(text)]
        page = self.pages.get(link.page)
        occurrences = sorted({other.line for other in page.links if other.url == link.url}) if page else []
        index = occurrences.index(link.line) if link.line in occurrences else 0
        return matches[index] if index < len(matches) else None

    def read_source(self, origin: str) -> list[str] | None:
        if origin not in self._source_lines:
            lines: list[str] | None = None
            if self.source_root is not None:
                try:
                    lines = (self.source_root / origin).read_text(encoding="utf-8").splitlines()
                except (OSError, UnicodeDecodeError):
                    lines = None
            self._source_lines[origin] = lines
        return self._source_lines[origin]


def _first_line_containing(lines: list[str], url: str) -> int:
    """The line of an XML attribute or element whose value is exactly `url` (1 when not found)."""
    escaped = url.replace("&", "&amp;")
    needles = [f'"{escaped}"', f"'{escaped}'", f">{escaped}<"]
    return next((number for number, text in enumerate(lines, start=1) if any(n in text for n in needles)), 1)


def _site_files(site_dir: Path) -> set[str]:
    files: set[str] = set()
    for folder, _, names in os.walk(site_dir):
        for name in names:
            rel = Path(folder, name).relative_to(site_dir).as_posix()
            if rel != MARKER:
                files.add(rel)
    return files


def read_origins(site_dir: Path) -> dict[str, str]:
    """Output path -> source path, from the marker every build writes; {} for a foreign site."""
    try:
        marker = json.loads((site_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    origins = marker.get("origins") if isinstance(marker, dict) else None
    return {str(key): str(value) for key, value in origins.items()} if isinstance(origins, dict) else {}


# --- external links ---------------------------------------------------------------------------
def fetch_failure(url: str, timeout: float = 5.0) -> str | None:
    """None when the URL answers with a success status; else a short reason. HEAD first (cheap),
    then GET, because many servers refuse or mishandle HEAD."""
    reason = "no answer"
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(
            urldefrag(url)[0], method=method, headers={"User-Agent": "blog-check/1 (link checker)"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                return None
        except urllib.error.HTTPError as error:
            reason = f"HTTP {error.code}"
        except (urllib.error.URLError, OSError, ValueError) as error:
            return str(getattr(error, "reason", error))
    return reason


def fetch_failures(urls: set[str], timeout: float = 5.0) -> dict[str, str]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        reasons = dict(zip(sorted(urls), pool.map(lambda url: fetch_failure(url, timeout), sorted(urls)), strict=True))
    return {url: reason for url, reason in reasons.items() if reason is not None}


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
    checker = _Checker(
        site_dir, baseurl, source_root, read_origins(site_dir) if origins is None else origins, site_url, site_label
    )
    checker.parse_pages()
    links = [link for page in checker.pages.values() for link in page.links] + checker.check_css()
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
    parser.add_argument("--external", action="store_true", help="also list every external link")
    parser.add_argument(
        "--check-external",
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
        site_dir, origins = Path(args.site) if args.site else source / "_site", None
        settings = _read_config(source)
        baseurl, site_url = str(settings.get("baseurl") or ""), str(settings.get("url") or "")
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


def _read_config(source: Path) -> dict[str, Any]:
    path = source / "_config.yml"
    try:
        settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise GeneratorError(f"invalid YAML: {error}", path, mark.line + 1 if mark else None) from error
    return settings if isinstance(settings, dict) else {}
