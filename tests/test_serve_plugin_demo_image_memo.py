"""What an edit costs in `blog serve` for this blog's t-SNE plugin, the demos and the images
(issue #19), counted, not timed: editing one post's prose recomputes the TF-IDF terms of that post
only, validates no demo manifest, reads no demo file and probes no image; a changed demo file or
image file is seen at the next rebuild. Every rebuild gives exactly the tree a clean build gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from generator.build import BuildOptions, build
from generator.render import imagefiles
from generator.serve.server import SiteRebuilder
from generator.serve.watch import ChangeSet
from tests.conftest import output_tree

REPO = Path(__file__).resolve().parent.parent
PROSE = "This paragraph talks about recurrent networks and language models and training data at some length here"


def make_site(root: Path) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Memo\n")
    (root / "_plugins").mkdir()
    shutil.copy(REPO / "_plugins" / "tsne_posts.py", root / "_plugins" / "tsne_posts.py")
    for name in ("tsne", "other"):
        folder = root / "demos" / name
        (folder / "data").mkdir(parents=True)
        (folder / "demo.yml").write_text(
            f"title: {name}\ndescription: the {name} demo\nscripts: [main.js]\ndata: [data/points.json]\n"
        )
        (folder / "main.js").write_text("import { x } from './helper.js';\nexport function mount() {}\n")
        (folder / "data" / "points.json").write_text("[1, 2, 3]\n")
    (root / "assets").mkdir()
    for n in range(3):
        Image.new("RGB", (40 + n, 30), (n * 60, 10, 10)).save(root / "assets" / f"i{n}.png")
    for n in range(4):
        images = "".join(f"\n\n![picture {i}](/assets/i{i}.png)" for i in range(3)) if n == 0 else ""
        body = f"{PROSE} in post {n} about vectors.\n\nSecond {PROSE.lower()} with words {n} again.{images}\n"
        (root / f"_posts/2020-01-0{n + 1}-p{n}.md").write_text(f"---\ntitle: P{n}\n---\n{body}")
    return root


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The images whose bytes were read and probed (the real probe still runs)."""
    seen: list[Path] = []
    real = imagefiles.probe

    def counted(path: Path, data: bytes, max_pixels: int) -> imagefiles.ImageInfo:
        seen.append(path)
        return real(path, data, max_pixels)

    monkeypatch.setattr(imagefiles, "probe", counted)
    return seen


def rebuild(rebuilder: SiteRebuilder, source: Path, *changed: Path) -> None:
    outcome = rebuilder.rebuild(ChangeSet.of(list(changed), source))
    assert outcome.ok, outcome.error_lines


def same_as_clean_build(source: Path, tmp_path: Path, name: str) -> None:
    clean = build(BuildOptions(source=source, destination=tmp_path / name)).destination
    assert output_tree(source / "_site") == output_tree(clean)


def test_a_prose_edit_redoes_one_posts_terms_and_no_demo_or_image(tmp_path: Path, probes: list[Path]) -> None:
    source = make_site(tmp_path / "site")
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    rebuild(rebuilder, source)
    demos, plugin = rebuilder.memory.load.demos, rebuilder.state.plugin_memo["_plugins/tsne_posts.py"]
    assert demos.validated == 2 and plugin["terms_computed"] == 4
    (named,) = (source / "_site/demos/tsne").glob("posts.*.json")
    post = source / "_posts/2020-01-02-p1.md"
    post.write_text(post.read_text().replace("This paragraph talks", "This long paragraph talks", 1))
    validated, read, probed = demos.validated, demos.read, len(probes)
    rebuild(rebuilder, source, post)
    assert plugin["terms_computed"] == 1  # the edited post's paragraphs only
    assert not named.exists()  # a new dataset, so a new bundle name
    assert demos.validated == validated and demos.read == read  # posts.json changed: no manifest again
    assert probed == 3 and len(probes) == probed  # the first build probed the three; this one none
    same_as_clean_build(source, tmp_path, "clean1")

    # An edit that leaves the prose paragraphs as they are gives the same posts.json bytes.
    dataset = plugin["dataset"][1]
    post.write_text(post.read_text() + "\nShort line.\n")
    rebuild(rebuilder, source, post)
    assert plugin["dataset"][1] is dataset and plugin["terms_computed"] == 1
    same_as_clean_build(source, tmp_path, "clean2")


def test_changed_demo_and_image_files_are_seen(tmp_path: Path, probes: list[Path]) -> None:
    source = make_site(tmp_path / "site")
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    rebuild(rebuilder, source)
    demos = rebuilder.memory.load.demos
    # A listed data file of one demo: that manifest only is validated again, that file read again.
    data = source / "demos/other/data/points.json"
    data.write_text("[4, 5, 6, 7]\n")
    validated, read = demos.validated, demos.read
    rebuild(rebuilder, source, data)
    assert demos.validated == validated + 1 and demos.read == read + 1
    assert any(p.read_text() == "[4, 5, 6, 7]\n" for p in (source / "_site/demos/other/data").glob("points.*.json"))
    same_as_clean_build(source, tmp_path, "clean1")
    # A removed script: the error, located; restored: built again.
    script = source / "demos/tsne/main.js"
    script.unlink()
    outcome = rebuilder.rebuild(ChangeSet.of([script], source))
    assert not outcome.ok and any("demos/tsne/demo.yml" in line for line in outcome.error_lines or [])
    script.write_text("export function mount() { return 2; }\n")
    rebuild(rebuilder, source, script)
    same_as_clean_build(source, tmp_path, "clean2")
    # An image replaced by a larger one: probed again (one stat per image proves the others unchanged).
    probes.clear()
    Image.new("RGB", (90, 70), (0, 200, 0)).save(source / "assets/i1.png")
    rebuild(rebuilder, source, source / "assets/i1.png")
    assert [p.name for p in probes] == ["i1.png"]
    assert 'width="90" height="70"' in (source / "_site/2020/01/01/p0.html").read_text()
    same_as_clean_build(source, tmp_path, "clean3")


def test_the_incremental_dataset_gives_posts_datasets_bytes_through_edits() -> None:
    """dataset_json (parts kept per paragraph, frequencies corrected per edit) against the plain
    json.dumps(posts_dataset(...)) over this blog's posts, through random word edits, added
    paragraphs (the stride through all paragraphs moves) and a removed post."""
    import importlib.util
    import json
    import random
    from types import SimpleNamespace

    spec = importlib.util.spec_from_file_location("tsne_posts", REPO / "_plugins" / "tsne_posts.py")
    assert spec is not None and spec.loader is not None
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    posts = [
        SimpleNamespace(body=path.read_text("utf-8").split("---", 2)[2], title=path.stem, url=f"/{path.stem}/",
                        source=SimpleNamespace(relative=path.name))
        for path in sorted((REPO / "_posts").glob("*.md"))
    ]  # fmt: skip
    memo: dict[str, object] = {}
    rows: dict[str, object] = {}
    rng = random.Random(7)
    extra = "data\n\nAn inserted paragraph, with enough words in it to count as running prose for the dataset."
    for step in range(14):
        made = plugin.dataset_json(posts, "/base", memo, rows)
        assert made == json.dumps(plugin.posts_dataset(posts, "/base"), separators=(",", ":")).encode(), step
        post = rng.choice(posts)
        words = post.body.split(" ")
        words[rng.randrange(len(words))] = rng.choice(["network", "zebra", "the", "model", "training", extra])
        post.body = " ".join(words)
        if step == 9:
            posts.pop(3)
