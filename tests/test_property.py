"""Property: whatever the files, the builder either builds or reports `path:line: message` errors.
Random front matter, invalid UTF-8, empty and huge files, odd file names and deep folders."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import BuildOptions, build
from generator.errors import BuildFailed, GeneratorError

LINE = re.compile(r"^[^\n]+?(:\d+)?: \S.*$")
yaml_scalars = st.one_of(
    st.text(max_size=20), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False), st.dates().map(str)
)
front_values = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
keys = st.sampled_from(
    [
        "title",
        "date",
        "tags",
        "layout",
        "permalink",
        "published",
        "excerpt",
        "categories",
        "render_with_jinja",
        "slug",
        "math",
        "whatever",
    ]
)
names = st.text(
    alphabet=st.characters(blacklist_characters="/\\\0", blacklist_categories=("Cs",)), min_size=1, max_size=30
)


@st.composite
def front_matter(draw) -> bytes:
    import yaml

    meta = draw(st.dictionaries(keys, front_values, max_size=5))
    try:
        header = yaml.safe_dump(meta, allow_unicode=True)
    except yaml.YAMLError:
        header = "title: x\n"
    if draw(st.booleans()):
        header = draw(st.text(max_size=60))  # arbitrary, often invalid YAML
    body = draw(st.text(max_size=200))
    encoded = f"---\n{header}---\n{body}".encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        encoded += draw(st.binary(max_size=20))  # maybe invalid UTF-8
    return encoded


@st.composite
def site_files(draw) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for _ in range(draw(st.integers(1, 4))):
        folder = draw(
            st.sampled_from(["_posts", "", "deep/er/and/deeper/still", "_drafts", "_data", "_layouts", "odd dir"])
        )
        stem = draw(names).strip().strip(".") or "x"
        prefix = draw(st.sampled_from(["2020-01-02-", "", "2020-13-40-", "1999-12-31-"]))
        extension = draw(st.sampled_from([".md", ".markdown", ".html", ".yml", ".json", ".csv", ".txt", ""]))
        content = draw(st.one_of(front_matter(), st.binary(max_size=50), st.just(b""), st.just(b"x" * 300_000)))
        path = "/".join(p for p in (folder, prefix + stem + extension) if p)
        files[path] = content
    return files


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(site_files())
def test_builds_or_reports_located_errors(files: dict[str, bytes]) -> None:
    root = Path(tempfile.mkdtemp())
    try:
        for relative, content in files.items():
            path = root / "src" / relative
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
            except OSError:
                continue  # a name the file system refuses is not the builder's business
        try:
            result = build(BuildOptions(source=root / "src", destination=root / "out"))
            assert (root / "out").is_dir() and result.outputs
        except BuildFailed as failure:
            assert failure.errors
            for line in failure.lines():
                assert "\n" not in line and LINE.match(line), line
                assert "Traceback" not in line
            assert not (root / "out").exists()
        except GeneratorError as error:  # config-level problems are single errors, still one line
            assert str(error).strip() and "\n" not in str(error) and "Traceback" not in str(error)
            assert not (root / "out").exists()
    finally:
        shutil.rmtree(root, ignore_errors=True)
