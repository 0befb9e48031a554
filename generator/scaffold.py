"""`blog init DIR`: a minimal site that builds, with a GitHub Pages workflow and the
requirements.txt it installs from (see requirement.py)."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path

from generator.errors import ConfigError

LAYOUTS = ("default.html", "post.html", "page.html")


def scaffold_files(title: str) -> dict[str, str]:
    today = dt.date.today().isoformat()
    layouts = files("generator") / "scaffold_files" / "_layouts"
    result = {f"_layouts/{name}": (layouts / name).read_text("utf-8") for name in LAYOUTS}
    result.update(
        {
            "_config.yml": f'title: "{title}"\ndescription: ""\nurl: ""\nbaseurl: ""\npermalink: pretty\n',
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
    if directory.exists() and any(directory.iterdir()) and not force:
        raise ConfigError(f"{directory} is not empty; choose an empty folder or pass --force")
    for relative, text in scaffold_files(directory.name.replace("-", " ").title() or "My blog").items():
        path = directory / relative
        if path.exists():
            continue  # --force never overwrites the user's own files
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    from generator.workflow import write_pages_workflow

    write_pages_workflow(directory, generator=generator)
    return directory
