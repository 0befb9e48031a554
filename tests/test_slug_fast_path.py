"""load/content.py takes a title that is already a slug as it is, instead of asking python-slugify:
that is only right while python-slugify returns such a text unchanged, which this checks (on the
installed version), and a title that is no slug still goes through it."""

from __future__ import annotations

import random
import string
from pathlib import Path

from slugify import slugify

from generator.build import BuildOptions, build
from generator.load.content import ALREADY_A_SLUG


def slug_shaped(rng: random.Random) -> str:
    alphabet = string.ascii_lowercase + string.digits
    words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(rng.randint(1, 10))]
    return "-".join(words)


def test_python_slugify_returns_every_slug_shaped_text_unchanged() -> None:
    rng = random.Random(19)
    texts = [slug_shaped(rng) for _ in range(20_000)] + ["a", "0", "2020", "a-1-b", "x" * 300]
    for text in texts:
        assert ALREADY_A_SLUG.match(text), text
        assert slugify(text) == text, text


def test_texts_that_are_no_slug_are_not_taken_as_one() -> None:
    for text in ["Hello World", "a--b", "-a", "a-", "Ünïcode", "a_b", "a.b", "ABC", "a b", "", "a\n"]:
        assert not ALREADY_A_SLUG.match(text), text


def test_post_urls_from_slug_and_other_file_names(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: Slugs\npermalink: /:year/:slug/\n")
    (site / "_posts/2020-01-02-already-a-slug-2.md").write_text("---\ntitle: One\n---\nOne.\n")
    (site / "_posts/2020-01-03-Not A_Slug.md").write_text("---\ntitle: Two\n---\nTwo.\n")
    (site / "_posts/2020-01-04-x.md").write_text("---\ntitle: Three\nslug: Café Crème\n---\nThree.\n")
    result = build(BuildOptions(source=site, destination=tmp_path / "out"))
    urls = sorted(post.url for post in result.site.posts)
    assert urls == ["/2020/already-a-slug-2/", "/2020/cafe-creme/", "/2020/not-a-slug/"]
