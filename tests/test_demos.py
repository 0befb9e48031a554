"""Demo bundles: manifest validation, fingerprinted names with rewritten relative imports, the embed
function (options, isolation of two instances), pages that embed nothing load no demo JS, and
build-time demo data (the t-SNE posts dataset, ILSVRC label sets)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.errors import BuildFailed

DEMO = {
    "demos/hello/demo.yml": (
        "title: Hello\ndescription: Says hello.\nentry: fragment.html\nscripts: [main.js, lib/util.js, worker.js]\n"
        "styles: [hello.css]\ndata: [data/words.json]\nthumbnail: thumb.svg\n"
        "options:\n  greeting: {type: string, default: hi, choices: [hi, hello]}\n"
        "  height: {type: integer, default: 200}\n"
    ),
    "demos/hello/fragment.html": '<p class="out"></p>\n\n<button type="button">Go</button>\n',
    "demos/hello/main.js": (
        'import { shout } from "./lib/util.js";\nimport { fmt } from "../_shared/format.js";\n'
        'export function mount(root, options) {\n  const w = new Worker(new URL("./worker.js", import.meta.url), {type: "module"});\n'
        '  root.querySelector(".out").textContent = shout(options.greeting) + fmt(1);\n}\n'
    ),
    "demos/hello/lib/util.js": 'export const shout = (s) => s.toUpperCase(); // "./not-a-file.js" stays\n',
    "demos/hello/worker.js": "self.onmessage = () => {};\n",
    "demos/hello/hello.css": ".demo-hello .out { color: teal; }\n",
    "demos/hello/data/words.json": '["a", "b"]\n',
    "demos/hello/thumb.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "demos/hello/notes.txt": "not listed: not published\n",
    "demos/_shared/format.js": "export const fmt = (x) => x.toFixed(2);\n",
    "_layouts/default.html": "<html><body>{{ content }}</body></html>",
    "_posts/2020-01-01-one.md": '---\ntitle: One\nrender_with_jinja: true\n---\nText.\n\n{{ demo("hello", greeting="hello") }}\n\n'
    '{{ demo("hello") }}\n',
    "_posts/2020-01-02-plain.md": "---\ntitle: Plain\n---\nNo demo here.\n",
}


@pytest.fixture
def site(make_site) -> Path:
    return build(BuildOptions(source=make_site(DEMO))).destination


def test_bundle_files_are_fingerprinted_and_linked(site: Path) -> None:
    files = sorted(p.relative_to(site / "demos").as_posix() for p in (site / "demos").rglob("*") if p.is_file())
    hashed = [f for f in files if not f.endswith("index.html")]
    assert all(re.search(r"\.[0-9a-f]{10}\.\w+$", f) for f in hashed), hashed
    assert not any("notes" in f or "fragment" in f for f in files)
    main = next((site / "demos" / "hello").glob("main.*.js")).read_text()
    util = next((site / "demos" / "hello" / "lib").glob("util.*.js")).name
    worker = next((site / "demos" / "hello").glob("worker.*.js")).name
    shared = next((site / "demos" / "_shared").glob("format.*.js")).name
    assert f'from "./lib/{util}"' in main and f'new URL("./{worker}"' in main and f'from "../_shared/{shared}"' in main
    assert '"./not-a-file.js" stays' in next((site / "demos" / "hello" / "lib").glob("util.*.js")).read_text()


def test_hash_changes_when_any_bundle_file_changes(make_site) -> None:
    source = make_site(DEMO)
    first = {p.name for p in (build(BuildOptions(source=source)).destination / "demos" / "hello").glob("main.*.js")}
    (source / "demos" / "hello" / "worker.js").write_text("self.onmessage = () => 1;\n")
    second = {p.name for p in (build(BuildOptions(source=source)).destination / "demos" / "hello").glob("main.*.js")}
    assert first != second and len(second) == 1  # the stale file is gone too


def test_two_embeds_are_isolated_and_carry_their_options(site: Path) -> None:
    html = (site / "2020/01/01/one.html").read_text()
    assert html.count('class="demo demo-hello"') == 2
    ids = re.findall(r'id="(demo-hello-\d)"', html)
    assert ids == ["demo-hello-1", "demo-hello-2"]
    calls = re.findall(r'mount\(document.getElementById\("(demo-hello-\d)"\), (\{.*?\})\);</script>', html)
    options = {root: json.loads(payload) for root, payload in calls}
    assert options["demo-hello-1"]["greeting"] == "hello" and options["demo-hello-2"]["greeting"] == "hi"
    assert options["demo-hello-1"]["height"] == 200 and options["demo-hello-1"]["standalone"] is False
    assets = options["demo-hello-1"]["assets"]
    assert re.fullmatch(r"/demos/hello/data/words\.[0-9a-f]{10}\.json", assets["data/words.json"])
    assert (site / assets["data/words.json"].lstrip("/")).read_text() == '["a", "b"]\n'
    assert '<p class="out"></p>\n<button' in html  # the entry fragment, blank lines removed


def test_page_without_demo_loads_no_demo_js(site: Path) -> None:
    html = (site / "2020/01/02/plain.html").read_text()
    assert "/demos/" not in html and "<script" not in html


def test_standalone_page_and_index(site: Path) -> None:
    page = (site / "demos/hello/index.html").read_text()
    assert '"standalone": true' in page and "Says hello." in page
    index = (site / "demos/index.html").read_text()
    assert 'href="/demos/hello/"' in index and "Hello" in index


def test_bad_option_type_and_choice(make_site) -> None:
    files = dict(DEMO)
    files["_posts/2020-01-01-one.md"] = (
        '---\ntitle: One\nrender_with_jinja: true\n---\n\n{{ demo("hello", greeting="yo") }}\n\n{{ demo("hello", height="tall") }}\n'
    )
    with pytest.raises(BuildFailed) as caught:
        build(BuildOptions(source=make_site(files)))
    assert caught.value.lines() == [
        "_posts/2020-01-01-one.md:6: demo 'hello' option 'greeting' must be one of hi, hello"
    ]


@pytest.mark.parametrize(
    "manifest, expected",
    [
        (
            "title: X\ndescription: Y\nscripts: main.js\n",
            "demos/hello/demo.yml:3: scripts: expected a list of file paths, e.g. [main.js]",
        ),
        ("description: Y\nscripts: [main.js]\n", "demos/hello/demo.yml:1: title: required text is missing"),
        (
            "title: X\ndescription: Y\nscripts: [../../etc/passwd]\n",
            "demos/hello/demo.yml:3: scripts: ../../etc/passwd points outside the demo folder (only ../_shared/ may be shared)",
        ),
        (
            "title: X\ndescription: Y\nscripts: [main.js]\noptions:\n  n: {type: int}\n",
            "demos/hello/demo.yml:4: options: option 'n' needs type: one of string, integer, number, boolean",
        ),
        (
            "title: X\ndescription: Y\nscripts: [main.js]\noptions:\n  n: {type: integer, default: 'x'}\n",
            "demos/hello/demo.yml:4: options: option 'n': default 'x' is not a integer",
        ),
    ],
)
def test_manifest_errors(make_site, manifest: str, expected: str) -> None:
    files = {k: v for k, v in DEMO.items() if not k.startswith("_posts/")}
    files["demos/hello/demo.yml"] = manifest
    with pytest.raises(BuildFailed) as caught:
        build(BuildOptions(source=make_site(files)))
    assert caught.value.lines() == [expected]


def test_the_blog_ships_a_posts_dataset_for_tsne(repo_site: Path) -> None:
    (dataset,) = (repo_site / "demos" / "tsne").glob("posts.*.json")
    data = json.loads(dataset.read_text())
    assert len(data["X"]) == len(data["y"]) == len(data["text"]) == len(data["url"]) > 100
    assert len({len(row) for row in data["X"]}) == 1
    assert len(set(data["y"])) >= 12  # nearly every post contributes paragraphs
    assert all(0 <= label < len(data["labels"]) for label in data["y"])
    first_url = data["url"][0].split("#")[0]
    assert (repo_site / first_url.strip("/") / "index.html").exists()


def test_ilsvrc_label_set_errors_point_at_the_labels_file(make_site) -> None:
    repo = Path(__file__).resolve().parent.parent
    files = {
        f"demos/ilsvrc/{p.relative_to(repo / 'demos/ilsvrc').as_posix()}": p.read_bytes()
        for p in (repo / "demos" / "ilsvrc").rglob("*")
        if p.is_file()
    }
    files["_plugins/ilsvrc_labelsets.py"] = (repo / "_plugins" / "ilsvrc_labelsets.py").read_bytes()
    files["_config.yml"] = (
        "ilsvrc:\n  sets:\n    - {name: mine, images: _ilsvrc/mine, labels: _ilsvrc/mine/labels.tsv}\n"
    )
    files["_ilsvrc/mine/cat.jpg"] = (repo / "demos/ilsvrc/data/sample").glob("*.jpg").__next__().read_bytes()
    files["_ilsvrc/mine/labels.tsv"] = "cat.jpg\tn02123045\nmissing.jpg\tn02123045\ncat.jpg\tn99999999\n"
    with pytest.raises(BuildFailed) as caught:
        build(BuildOptions(source=make_site(files)))
    lines = caught.value.lines()
    assert any(line.startswith("_ilsvrc/mine/labels.tsv:2: ") for line in lines), lines
    assert any(line.startswith("_ilsvrc/mine/labels.tsv:3: ") for line in lines), lines


def test_embed_ids_are_numbered_per_page_and_stable_when_another_page_changes(make_site) -> None:
    embed = '{{ demo("hello") }}\n'
    files = dict(DEMO)
    files["_posts/2020-01-02-two.md"] = "---\ntitle: Two\nrender_with_jinja: true\n---\n" + embed
    files["_posts/2020-01-03-three.md"] = "---\ntitle: Three\nrender_with_jinja: true\n---\n" + embed
    source = make_site(files)
    site = build(BuildOptions(source=source)).destination

    def ids(name: str) -> list[str]:
        return re.findall(r'id="(demo-hello-\d+)"', (site / f"2020/01/{name}.html").read_text())

    assert ids("02/two") == ["demo-hello-1"] and ids("03/three") == ["demo-hello-1"]
    before = (site / "2020/01/03/three.html").read_bytes()
    (source / "_posts/2020-01-02-two.md").write_text("---\ntitle: Two\nrender_with_jinja: true\n---\n" + embed * 3)
    build(BuildOptions(source=source))
    assert ids("02/two") == ["demo-hello-1", "demo-hello-2", "demo-hello-3"]
    assert (site / "2020/01/03/three.html").read_bytes() == before
