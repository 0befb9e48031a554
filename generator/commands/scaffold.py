"""`blog init DIR`: a minimal site that builds, with a GitHub Pages workflow and the
requirements.txt it installs from (see requirement.py). Its look comes from the packaged theme
(generator/theme), whose overridable files the README lists."""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib.resources import files
from pathlib import Path

from slugify import slugify

from generator.errors import ConfigError, GeneratorError
from generator.frontmatter import parse_document
from generator.load.theme import theme_files

# Most file systems allow 255 bytes per name; the date, `.md` and room for a suffix fit beside this.
MAX_SLUG_BYTES = 100
# Characters YAML may not hold raw (control, line separators, lone surrogates): written as \uXXXX.
YAML_UNSAFE = re.compile("[^\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def scaffold_files(title: str) -> dict[str, str]:
    today = dt.date.today().isoformat()
    readme = (files("generator") / "scaffold_files" / "README.md").read_text("utf-8")
    listing = "\n".join(f"- `{name}`" for name in theme_files())
    result = {"README.md": readme.format(title=title, files=listing)}
    result.update(
        {
            "_config.yml": (
                f'title: "{title}"\ndescription: ""\nurl: ""\nbaseurl: ""\npermalink: pretty\n'
                "# Files beside the content that are not part of the site (the Pages workflow's install list)\n"
                "exclude: [requirements.txt, README.md]\n"
            ),
            f"_posts/{today}-welcome.md": (
                "---\ntitle: Welcome\ntags: [meta]\n---\n\nThis is your first post. "
                "Edit it in `_posts/`, then run `blog serve`.\n\nMath works: $e^{i\\pi} + 1 = 0$.\n"
            ),
            "about.md": "---\ntitle: About\n---\n\nA few words about this site.\n",
            ".gitignore": "_site/\n.blog-cache/\n",
        }
    )
    return result


def create_site(directory: Path, force: bool = False, generator: str | None = None) -> Path:
    """Write the site; `generator` is the pip requirement for requirements.txt (None: detected)."""
    directory = directory.resolve()
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory} is a file, not a folder; choose a new folder name")
    if directory.exists() and any(directory.iterdir()) and not force:
        raise ConfigError(f"{directory} is not empty; choose an empty folder or pass --force")
    try:
        for relative, text in scaffold_files(directory.name.replace("-", " ").title() or "My blog").items():
            path = directory / relative
            if path.exists():
                continue  # --force never overwrites the user's own files
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
        from generator.publish.workflow import write_pages_workflow

        write_pages_workflow(directory, generator=generator)
    except OSError as e:
        raise ConfigError(f"cannot create the site: {e.strerror}", e.filename or directory) from e
    return directory


def yaml_string(text: str) -> str:
    """A double-quoted YAML scalar that reads back as exactly `text` (JSON escapes are YAML's)."""
    return YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def create_post(root: Path, title: str, draft: bool, now: dt.datetime) -> Path:
    """`blog new`: a post (or draft) named after the title, whose front matter is proven to parse."""
    if re.search("[\ud800-\udfff]", title):  # undecodable bytes from the command line
        raise GeneratorError("the title is not valid UTF-8; retype it")
    slug = slugify(title, max_length=MAX_SLUG_BYTES).strip("-") or "untitled"
    folder = root / ("_drafts" if draft else "_posts")
    path = folder / (f"{slug}.md" if draft else f"{now.date().isoformat()}-{slug}.md")
    date = now.strftime("%Y-%m-%d %H:%M:%S %z")
    text = f"---\ntitle: {yaml_string(title)}\ndate: {date}\ntags: []\n---\n\nWrite here.\n"
    if parse_document(text, path).meta.get("title") != title:  # never write front matter that reads back wrong
        raise GeneratorError("cannot write this title as YAML; simplify it")
    shown = path.relative_to(root)  # the CLI shows error paths relative to --source
    if path.exists():
        raise GeneratorError("already exists; pick another title or edit that file", shown)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as e:
        raise GeneratorError(f"cannot create the post: {e.strerror}", shown) from e
    return path
