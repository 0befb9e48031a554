"""`blog serve` keeps the image pass's result per document HTML (render/imagememo.py): a post that
names images is converted again on every rebuild, but its `<img>`s are not parsed and sized again
while the HTML, the settings and every image it names are the same. Counted, not timed; every
rebuild gives exactly the tree a clean build gives, and a changed or missing image is seen."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from generator.build import BuildOptions, build
from generator.render import images
from generator.serve.server import SiteRebuilder
from generator.serve.watch import ChangeSet
from tests.conftest import output_tree


def make_site(root: Path) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "_config.yml").write_text("title: Images\nimages:\n  widths: [40]\n")
    Image.new("RGB", (30, 20), (200, 10, 10)).save(root / "assets" / "small.png")
    Image.new("RGB", (90, 60), (10, 200, 10)).save(root / "assets" / "wide.png")  # gets variants
    (root / "assets" / "shape.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    for n in range(3):
        refs = "\n\n![small](/assets/small.png)\n\n![wide](/assets/wide.png)\n\n![shape](/assets/shape.svg)\n"
        (root / f"_posts/2020-01-0{n + 1}-p{n}.md").write_text(f"---\ntitle: P{n}\n---\nPost {n}.{refs}")
    return root


def rebuild(rebuilder: SiteRebuilder, source: Path, *changed: Path) -> list[str]:
    outcome = rebuilder.rebuild(ChangeSet.of(list(changed), source))
    return outcome.error_lines


def same_as_clean_build(source: Path, tmp_path: Path, name: str) -> None:
    clean = build(BuildOptions(source=source, destination=tmp_path / name)).destination
    assert output_tree(source / "_site") == output_tree(clean)


def test_unchanged_posts_images_are_not_sized_again_and_changes_are_seen(tmp_path: Path, monkeypatch) -> None:
    sized: list[str] = []
    real = images.ImagePipeline._image

    def counted(self: images.ImagePipeline, tag: str, *args: object) -> str:
        sized.append(tag)
        return real(self, tag, *args)

    monkeypatch.setattr(images.ImagePipeline, "_image", counted)
    source = make_site(tmp_path / "site")
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    assert rebuild(rebuilder, source) == []
    assert len(sized) == 9  # three images in each of three posts
    assert "<picture>" in (source / "_site/2020/01/01/p0.html").read_text()  # variants are named too

    post = source / "_posts/2020-01-02-p1.md"
    post.write_text(post.read_text().replace("Post 1.", "Post 1, edited."))
    sized.clear()
    assert rebuild(rebuilder, source, post) == []
    assert len(sized) == 3  # only the edited post's images
    assert rebuilder.images.hits >= 2
    same_as_clean_build(source, tmp_path, "clean1")

    # A replaced image (another size) is probed again: no post keeps its old sizes.
    Image.new("RGB", (36, 24), (200, 10, 10)).save(source / "assets" / "small.png")
    sized.clear()
    assert rebuild(rebuilder, source, source / "assets" / "small.png") == []
    assert len(sized) == 9
    assert 'width="36"' in (source / "_site/2020/01/03/p2.html").read_text()
    same_as_clean_build(source, tmp_path, "clean2")

    # A removed image is an error again for every post naming it, not a kept result.
    (source / "assets" / "small.png").unlink()
    errors = rebuild(rebuilder, source, source / "assets" / "small.png")
    assert len([line for line in errors if "small.png not found" in line]) == 3, errors
