"""`blog init DIR`: a minimal site that builds, with a GitHub Pages workflow."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.errors import ConfigError

DEFAULT_LAYOUT = """<!doctype html>
<html lang="{{ site.lang }}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{% if page.title %}{{ page.title | xml_escape }} · {% endif %}{{ site.title | xml_escape }}</title>
  <link rel="alternate" type="application/atom+xml" title="{{ site.title | xml_escape }}" href="{{ '/feed.xml' | relative_url }}">
  <link rel="stylesheet" href="{{ '/assets/css/highlight.css' | relative_url }}">
</head>
<body>
  <header><a href="{{ '/' | relative_url }}">{{ site.title }}</a> · <a href="{{ '/about/' | relative_url }}">About</a> · <a href="{{ '/archive/' | relative_url }}">Archive</a></header>
  <main>{{ content }}</main>
</body>
</html>
"""
POST_LAYOUT = """---
layout: default
---
<article>
  <h1>{{ page.title }}</h1>
  <p><time datetime="{{ page.date | date_to_xmlschema }}">{{ page.date | date("%B %-d, %Y") }}</time></p>
  {{ content }}
</article>
"""
PAGE_LAYOUT = """---
layout: default
---
<h1>{{ page.title }}</h1>
{{ content }}
"""


def scaffold_files(title: str) -> dict[str, str]:
    today = dt.date.today().isoformat()
    return {
        "_config.yml": f'title: "{title}"\ndescription: ""\nurl: ""\nbaseurl: ""\npermalink: pretty\n',
        "_layouts/default.html": DEFAULT_LAYOUT,
        "_layouts/post.html": POST_LAYOUT,
        "_layouts/page.html": PAGE_LAYOUT,
        f"_posts/{today}-welcome.md": "---\ntitle: Welcome\ntags: [meta]\n---\n\nThis is your first post. "
                                      "Edit it in `_posts/`, then run `blog serve`.\n\nMath works: $e^{i\\pi} + 1 = 0$.\n",
        "about.md": "---\ntitle: About\n---\n\nA few words about this site.\n",
        ".gitignore": "_site/\n.blog-cache/\n",
    }


def create_site(directory: Path, force: bool = False) -> Path:
    directory = directory.resolve()
    if directory.exists() and any(directory.iterdir()) and not force:
        raise ConfigError(f"{directory} is not empty; choose an empty folder or pass --force")
    files = scaffold_files(directory.name.replace("-", " ").title() or "My blog")
    for relative, text in files.items():
        path = directory / relative
        if path.exists():
            continue  # --force never overwrites the user's own files
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    try:
        from generator.workflow import write_pages_workflow

        write_pages_workflow(directory)
    except ImportError:
        pass
    return directory
