"""Random edit sequences through serve's rebuild path must leave exactly what a clean build makes.

One long "serve session" (one SiteRebuilder, one in-memory cache, output in the source's own _site/)
receives seeded random edits — edit/add/delete/rename posts, layout, include, data, static files,
config, a broken front matter and its fix — each followed by the rebuild `blog serve` would run for
that change set. After every sequence the served tree is compared byte for byte with a clean
`build` of the same source into another folder (the .blog-build.json marker aside). If the source is
broken at that moment, the rebuild must report the same errors the clean build does.

Reproduce a failure with EDIT_SEQUENCE_SEED=<seed shown in the message>."""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.errors import BuildFailed
from generator.write.output import MARKER
from generator.serve.server import SiteRebuilder
from generator.serve.watch import ChangeSet

SEQUENCES = 30
MAX_STEPS = 6
SEED = int(os.environ.get("EDIT_SEQUENCE_SEED", "20240611"))
TAGS = ["ml", "vision", "rl", "js", "math", "life"]

BASE_FILES = {
    "_config.yml": "title: Sequence site\npermalink: pretty\npaginate: 2\ntimezone: UTC\n",
    "_layouts/default.html": (
        "<!DOCTYPE html>\n<html lang=en><head><title>{{ page.title }} · {{ site.title }}</title>"
        "<link rel=stylesheet href=\"{{ '/assets/style.css' | relative_url }}\"></head>\n"
        '<body>{% include "nav.html" %}\n<main>{{ content }}</main>\n<footer>LAYOUT-V0</footer></body></html>\n'
    ),
    "_layouts/post.html": (
        "---\nlayout: default\n---\n<article><h1>{{ page.title }}</h1>"
        "<p>{% for tag in page.tags %}<a href=\"{{ ('/tags/' ~ tag ~ '/') | relative_url }}\">{{ tag }}</a> "
        "{% endfor %}</p>{{ content }}</article>\n"
    ),
    "_includes/nav.html": (
        '<nav>INCLUDE-V0 {% for item in site.data.menu %}<a href="{{ item.url | relative_url }}">'
        "{{ item.title }}</a> {% endfor %}</nav>\n"
    ),
    "_data/menu.yml": "- {title: Home, url: /}\n- {title: About, url: /about/}\n",
    "about.md": "---\ntitle: About\nlayout: default\n---\nAbout this site.\n",
    "assets/style.css": "body { color: #111; }\n",
}


def post_text(rng: random.Random, title: str) -> str:
    tags = rng.sample(TAGS, rng.randint(0, 3))
    words = " ".join(rng.choice(["alpha", "beta", "gamma", "delta", "loss", "gradient"]) for _ in range(12))
    code = f"\n```python\nprint({rng.randint(0, 9)})\n```\n" if rng.random() < 0.5 else ""
    return (
        f'---\ntitle: "{title}"\nlayout: post\ntags: [{", ".join(tags)}]\n---\n'
        f"{words}.\n{code}\nSecond paragraph {rng.randint(0, 10**6)}.\n"
    )


class Session:
    """The site on disk plus the edits that can be applied to it."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root, self.rng = root, rng
        self.broken: dict[Path, str] = {}  # post -> its text before the front matter was broken
        self.counter = 0
        for relative, text in BASE_FILES.items():
            self.write(root / relative, text)
        for _ in range(4):
            self.add_post()

    def write(self, path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        return path

    def posts(self) -> list[Path]:
        return sorted((self.root / "_posts").glob("*.md"))

    def healthy_posts(self) -> list[Path]:
        return [p for p in self.posts() if p not in self.broken]

    def new_post_path(self) -> Path:
        self.counter += 1
        date = f"20{self.rng.randint(10, 23)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
        return self.root / "_posts" / f"{date}-post-{self.counter}.md"

    # Each edit returns the paths it touched (as the watcher would report them).
    def add_post(self) -> list[Path]:
        path = self.new_post_path()
        return [self.write(path, post_text(self.rng, f"Post {self.counter}"))]

    def edit_post(self) -> list[Path]:
        posts = self.healthy_posts()
        if not posts:
            return self.add_post()
        path = self.rng.choice(posts)
        return [self.write(path, post_text(self.rng, f"Edited {self.rng.randint(0, 999)}"))]

    def delete_post(self) -> list[Path]:
        posts = self.healthy_posts()
        if len(posts) < 2:
            return self.add_post()
        path = self.rng.choice(posts)
        path.unlink()
        return [path]

    def rename_post(self) -> list[Path]:
        posts = self.healthy_posts()
        if not posts:
            return self.add_post()
        old = self.rng.choice(posts)
        new = self.new_post_path()
        os.rename(old, new)
        return [old, new]

    def edit_layout(self) -> list[Path]:
        path = self.root / "_layouts" / "default.html"
        text = path.read_text().split("LAYOUT-V")[0] + f"LAYOUT-V{self.rng.randint(1, 999)}</footer></body></html>\n"
        return [self.write(path, text)]

    def edit_include(self) -> list[Path]:
        path = self.root / "_includes" / "nav.html"
        text = path.read_text()
        start = text.index("INCLUDE-V")
        end = text.index(" ", start)
        return [self.write(path, text[:start] + f"INCLUDE-V{self.rng.randint(1, 999)}" + text[end:])]

    def edit_data(self) -> list[Path]:
        items = [("Home", "/"), ("About", "/about/"), ("Archive", "/archive/"), ("Tags", "/tags/")]
        chosen = self.rng.sample(items, self.rng.randint(1, len(items)))
        text = "".join(f"- {{title: {t}, url: {u}}}\n" for t, u in chosen)
        return [self.write(self.root / "_data" / "menu.yml", text)]

    def edit_static(self) -> list[Path]:
        choice = self.rng.random()
        extra = self.root / "assets" / "extra.txt"
        if choice < 0.5:
            return [
                self.write(self.root / "assets" / "style.css", f"body {{ color: #{self.rng.randint(0, 999):03d}; }}\n")
            ]
        if extra.exists():
            extra.unlink()
            return [extra]
        return [self.write(extra, f"extra {self.rng.random()}\n")]

    def edit_config(self) -> list[Path]:
        title = self.rng.choice(["Sequence site", "Another title", "Third"])
        paginate = self.rng.choice([0, 1, 2, 3])
        permalink = self.rng.choice(["pretty", "date", "/:year/:title/"])
        baseurl = self.rng.choice(["", "/repo"])
        text = f'title: {title}\npermalink: "{permalink}"\npaginate: {paginate}\ntimezone: UTC\nbaseurl: "{baseurl}"\n'
        return [self.write(self.root / "_config.yml", text)]

    def break_front_matter(self) -> list[Path]:
        posts = self.healthy_posts()
        if not posts:
            return self.add_post()
        path = self.rng.choice(posts)
        original = path.read_text()
        self.broken[path] = original
        return [self.write(path, original.replace("title:", "title: [unclosed", 1))]

    def fix_front_matter(self) -> list[Path]:
        if not self.broken:
            return self.edit_post()
        path = self.rng.choice(sorted(self.broken))
        return [self.write(path, self.broken.pop(path))]

    EDITS = (
        "add_post",
        "edit_post",
        "edit_post",
        "delete_post",
        "rename_post",
        "edit_layout",
        "edit_include",
        "edit_data",
        "edit_static",
        "edit_config",
        "break_front_matter",
        "fix_front_matter",
        "fix_front_matter",
    )


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MARKER
    }


def clean_build(source: Path, destination: Path) -> list[str] | None:
    """A fresh `blog build` (new cache) into its own folder; its error lines if it fails."""
    if destination.exists():
        shutil.rmtree(destination)
    try:
        build(BuildOptions(source=source, destination=destination))
    except BuildFailed as e:
        return e.lines()
    return None


def compare(served: Path, clean: Path, log: list[str]) -> None:
    got, want = tree(served), tree(clean)
    context = f"seed {SEED}; edits so far: {log}"
    assert sorted(got) == sorted(want), f"different files ({set(got) ^ set(want)}); {context}"
    for relative, data in want.items():
        assert got[relative] == data, f"{relative} differs from a clean build; {context}"


@pytest.mark.slow
def test_random_edit_sequences_match_clean_builds(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    source = tmp_path / "site"
    session = Session(source, rng)
    rebuilder = SiteRebuilder(BuildOptions(source=source))  # output in source/_site, as `blog serve`
    first = rebuilder.rebuild()
    assert first.ok, first.error_lines
    log: list[str] = []
    kinds_seen: set[str] = set()
    for sequence in range(SEQUENCES):
        log.append(f"-- sequence {sequence}")
        for _ in range(rng.randint(1, MAX_STEPS)):
            edit = rng.choice(Session.EDITS)
            touched = getattr(session, edit)()
            log.append(edit + " " + ",".join(p.name for p in touched))
            outcome = rebuilder.rebuild(ChangeSet.of(touched, source))
            kinds_seen.add(outcome.event)
        expected_errors = clean_build(source, tmp_path / "clean")
        if expected_errors is not None:
            assert rebuilder.error_lines == expected_errors, f"seed {SEED}; edits: {log}"
            continue
        assert rebuilder.error_lines is None, (
            f"rebuild failed where a clean build works: {rebuilder.error_lines}; {log}"
        )
        compare(source / "_site", tmp_path / "clean", log)
    # The sequences must actually have exercised the interesting paths.
    assert {"reload", "error"} <= kinds_seen, kinds_seen


def test_failed_rebuild_keeps_last_good_site_and_recovers(tmp_path: Path) -> None:
    rng = random.Random(1)
    source = tmp_path / "site"
    session = Session(source, rng)
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    assert rebuilder.rebuild().ok
    before = tree(source / "_site")
    touched = session.break_front_matter()
    outcome = rebuilder.rebuild(ChangeSet.of(touched, source))
    assert outcome.event == "error"
    relative = touched[0].relative_to(source).as_posix()
    assert any(re.match(rf"{re.escape(relative)}:\d+: .*YAML", line) for line in outcome.error_lines), (
        outcome.error_lines
    )
    assert tree(source / "_site") == before
    edited = session.edit_post()  # a change made while broken must still be in the next good build
    still_broken = rebuilder.rebuild(ChangeSet.of(edited, source))
    assert still_broken.event == "error"
    fixed = rebuilder.rebuild(ChangeSet.of(session.fix_front_matter(), source))
    assert fixed.ok and fixed.event == "reload"
    assert rebuilder.error_lines is None
    assert clean_build(source, tmp_path / "clean") is None
    compare(source / "_site", tmp_path / "clean", ["break", "edit", "fix"])


def test_css_only_change_is_a_css_event(tmp_path: Path) -> None:
    source = tmp_path / "site"
    session = Session(source, random.Random(2))
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    assert rebuilder.rebuild().ok
    css = session.write(source / "assets" / "style.css", "body { color: red; }\n")
    outcome = rebuilder.rebuild(ChangeSet.of([css], source))
    assert outcome.event == "css" and outcome.changed_outputs == ["assets/style.css"]
    same = rebuilder.rebuild(ChangeSet.of([css], source))  # touched, not changed
    assert same.event == "none"
