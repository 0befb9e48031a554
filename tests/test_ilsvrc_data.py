"""The committed data of the ILSVRC demo (built by scripts/extract_ilsvrc.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from PIL import Image

DEMO = Path(__file__).resolve().parent.parent / "demos" / "ilsvrc"
CLASSES = json.loads((DEMO / "data" / "classes.json").read_text(encoding="utf-8"))
SAMPLE = json.loads((DEMO / "data" / "sample.json").read_text(encoding="utf-8"))


def test_exactly_1000_unique_class_ids_in_official_order() -> None:
    ids = [row[0] for row in CLASSES["classes"]]
    assert len(ids) == 1000
    assert len(set(ids)) == 1000
    assert all(re.fullmatch(r"n\d{8}", wnid) for wnid in ids)
    # The official ILSVRC-2012 class index order is the sorted order of the WordNet ids.
    assert ids == sorted(ids)
    assert ids[0] == "n01440764" and ids[-1] == "n15075141"


def test_short_names_unique_and_known_duplicates_disambiguated() -> None:
    names = [row[1] for row in CLASSES["classes"]]
    assert len({name.lower() for name in names}) == 1000
    by_id = {row[0]: row for row in CLASSES["classes"]}
    assert by_id["n02012849"][1] != by_id["n03126707"][1]  # the two "crane"s
    assert by_id["n03710637"][1] != by_id["n03710721"][1]  # the two "maillot"s
    assert by_id["n02123045"][1] == "tabby cat" and "tabby" in by_id["n02123045"][2]


def test_hierarchy_fields_are_consistent() -> None:
    nodes = CLASSES["nodes"]
    for wnid, _name, synonyms, gloss, parent, heading, subheading in CLASSES["classes"]:
        assert isinstance(synonyms, list) and gloss, wnid
        assert 0 <= parent < len(nodes) and 0 <= heading < len(nodes) and -1 <= subheading < len(nodes)
    for _name, parent in nodes:
        assert -1 <= parent < len(nodes)
    assert sorted(CLASSES["order"]) == list(range(1000))


def test_every_sample_image_exists_with_its_size_and_a_valid_label() -> None:
    ids = {row[0] for row in CLASSES["classes"]}
    assert 6 <= len(SAMPLE) <= 10
    for item in SAMPLE:
        assert item["label"] in ids, item["file"]
        assert item["source"] and item["license"]
        with Image.open(DEMO / item["file"]) as image:
            assert image.size == (item["width"], item["height"]), item["file"]
            assert max(image.size) <= 640


def test_manifest_lists_every_data_file() -> None:
    manifest = yaml.safe_load((DEMO / "demo.yml").read_text(encoding="utf-8"))
    listed = set(manifest["data"])
    assert {"data/classes.json", "data/sample.json"} | {item["file"] for item in SAMPLE} == listed
    for script in manifest["scripts"]:
        assert (DEMO / script).is_file(), script
