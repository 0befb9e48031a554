"""_plugins/ilsvrc_labelsets.py (this blog's plugin): site-declared image sets for the ILSVRC demo."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from generator.errors import DemoError
from generator.plugins import discover_plugins

REPO = Path(__file__).resolve().parent.parent
LABELSETS = next(p.module for p in discover_plugins(REPO, safe=False).plugins if p.name.endswith("ilsvrc_labelsets.py"))
image_size, labelset_assets, load_class_ids = LABELSETS.image_size, LABELSETS.labelset_assets, LABELSETS.load_class_ids
CLASS_IDS = {"n02123045", "n07920052", "n04485082"}
TABBY, ESPRESSO, TRIPOD = "n02123045", "n07920052", "n04485082"


def image_bytes(fmt: str, size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, fmt)
    return buffer.getvalue()


def make_set(root: Path, labels: str, images: dict[str, bytes]) -> dict:
    folder = root / "_ilsvrc" / "mine"
    folder.mkdir(parents=True)
    for name, data in images.items():
        (folder / name).write_bytes(data)
    (folder / "labels.tsv").write_text(labels, encoding="utf-8")
    return {"sets": [{"name": "mine", "images": "_ilsvrc/mine", "labels": "_ilsvrc/mine/labels.tsv"}]}


def test_valid_set_publishes_manifest_and_images(tmp_path: Path) -> None:
    cat = image_bytes("JPEG", (40, 30))
    cup = image_bytes("PNG", (12, 20))
    config = make_set(
        tmp_path, f"# my photos\ncat.jpg\t{TABBY}\n\ncup.png\t{ESPRESSO}\n", {"cat.jpg": cat, "cup.png": cup}
    )
    files, errors = labelset_assets(tmp_path, config, CLASS_IDS)
    assert errors == []
    assert files["sets/mine/cat.jpg"] == cat
    assert files["sets/mine/cup.png"] == cup
    manifest = json.loads(files["sets/mine.json"])
    assert manifest == [
        {"file": "sets/mine/cat.jpg", "width": 40, "height": 30, "label": TABBY},
        {"file": "sets/mine/cup.png", "width": 12, "height": 20, "label": ESPRESSO},
    ]


def test_each_problem_is_one_error_with_path_and_line(tmp_path: Path) -> None:
    labels = "\n".join(
        [
            f"cat.jpg\t{TABBY}",  # 1 ok
            "cup.png\tn99999999",  # 2 unknown class
            f"missing.jpg\t{TRIPOD}",  # 3 no such image
            f"cat.jpg\t{ESPRESSO}",  # 4 duplicate
            f"cat.jpg {TABBY}",  # 5 no tab
            f"../up.jpg\t{TABBY}",  # 6 not a plain file name
        ]
    )
    config = make_set(tmp_path, labels, {"cat.jpg": image_bytes("JPEG", (8, 8)), "cup.png": image_bytes("PNG", (8, 8))})
    files, errors = labelset_assets(tmp_path, config, CLASS_IDS)
    assert all(isinstance(e, DemoError) for e in errors)
    assert [(e.path, e.line) for e in errors] == [("_ilsvrc/mine/labels.tsv", n) for n in (2, 3, 4, 5, 6)]
    assert "unknown ILSVRC class id 'n99999999'" in str(errors[0])
    assert str(errors[0]).startswith("_ilsvrc/mine/labels.tsv:2: ")
    assert "not found" in errors[1].message
    assert "duplicate file 'cat.jpg' (first on line 1)" in errors[2].message
    assert "filename<TAB>class id" in errors[3].message
    # The good line is still published, so the author sees every error in one build.
    assert json.loads(files["sets/mine.json"]) == [
        {"file": "sets/mine/cat.jpg", "width": 8, "height": 8, "label": TABBY}
    ]


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"sets": "x"}, "mapping with a list 'sets'"),
        ({"sets": [{"name": "Bad Name", "images": "a", "labels": "b"}]}, "lower-case"),
        ({"sets": [{"name": "sample", "images": "a", "labels": "b"}]}, "reserved"),
        ({"sets": [{"name": "a", "images": "a"}]}, "'labels' must be"),
        ({"sets": [{"name": "a", "images": "a", "labels": "b", "extra": 1}]}, "unknown key 'extra'"),
    ],
)
def test_bad_config_entries(tmp_path: Path, config: dict, fragment: str) -> None:
    files, errors = labelset_assets(tmp_path, config, CLASS_IDS)
    assert files == {}
    assert len(errors) == 1 and fragment in errors[0].message and errors[0].path == "_config.yml"


def test_duplicate_set_names_and_missing_labels_file(tmp_path: Path) -> None:
    entry = {"name": "a", "images": "imgs", "labels": "imgs/labels.tsv"}
    _files, errors = labelset_assets(tmp_path, {"sets": [entry, dict(entry)]}, CLASS_IDS)
    assert [e.message for e in errors] == ["labels file of set 'a' not found", "ilsvrc.sets[2]: duplicate set name 'a'"]
    assert errors[0].path == "imgs/labels.tsv"


def test_no_config_means_nothing_to_do(tmp_path: Path) -> None:
    assert labelset_assets(tmp_path, None, CLASS_IDS) == ({}, [])


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_image_size_reads_headers_like_pillow(fmt: str) -> None:
    assert image_size(image_bytes(fmt, (123, 45))) == (123, 45)


def test_image_size_of_progressive_jpeg_and_unknown_data() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (321, 99)).save(buffer, "JPEG", progressive=True)
    assert image_size(buffer.getvalue()) == (321, 99)
    assert image_size(b"not an image") is None


def test_load_class_ids_from_the_demo_data() -> None:
    ids = load_class_ids(REPO / "demos" / "ilsvrc" / "data" / "classes.json")
    assert len(ids) == 1000 and TABBY in ids
