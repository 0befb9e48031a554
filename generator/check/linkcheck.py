"""Judging a built site's links: does each one name a file and element that GitHub Pages will serve?

`LinkChecker` resolves references the way a static host does (baseurl, pretty URLs, `#anchor` ids),
flags mixed content and links to a dev server, checks the feed and the sitemap, and reports each
`Problem` at the line of the source file (markdown) that wrote the link when that can be found, else
at the line of the built page (`Problem.in_output`). Reading the links is links.py's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

from generator.check.links import ATOM, Link, PageParser, first_line_containing, index_urls, parse_html, site_files

DEV_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1"})


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
        return self.kind != "external"  # "external" only lists a link (with --list-external), it is no fault

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class LinkChecker:
    """Checks links of one built site and collects the problems; see run_checks in check.py."""

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
        self.files = site_files(site_dir)
        self.pages: dict[str, PageParser] = {}
        self.problems: list[Problem] = []
        self.external: list[Link] = []
        self._source_lines: dict[str, list[str] | None] = {}

    # --- reading -------------------------------------------------------------------------------
    def parse_pages(self) -> None:
        for rel in sorted(self.files):
            if rel.endswith((".html", ".htm")):
                text = (self.site_dir / rel).read_text(encoding="utf-8", errors="replace")
                self.pages[rel] = parse_html(rel, text)

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

    def check_xml_index(self, rel: str, noun: str) -> int:
        """The feed and the sitemap must parse and name only pages that exist. Returns the entry count."""
        data = (self.site_dir / rel).read_bytes()
        try:
            root = ElementTree.fromstring(data)
        except ElementTree.ParseError as error:
            message = f"{rel} is not well-formed XML: {error}"
            self.problems.append(Problem(self.output_path(rel), error.position[0], message, "broken", True))
            return 0
        urls = index_urls(root, noun)
        lines = data.decode("utf-8", errors="replace").splitlines()
        if noun == "feed entry":
            self.check_feed_content(rel, root, lines)
        for url in urls:
            link = Link(rel, first_line_containing(lines, url), url, noun, False)
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
                parser = parse_html(rel, element.text or "")
                for link in parser.links:
                    line = first_line_containing(lines, link.url)
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
