"""The GitHub Actions workflow that builds the site with this generator and publishes it with
GitHub's official Pages actions (the alternative to `blog deploy`'s gh-pages branch).

What to install is the site's own `requirements.txt` (see requirement.py), so the user can read
and edit it; a line still marked EDIT ME stops the run at once with that message, before pip
would fail with a less helpful one. `.blog-cache/` (converted markdown) is kept between runs
with actions/cache: a fresh key each run, restored from the newest earlier one.

Actions are pinned to major-version tags of GitHub's own actions; the build step removes the build
marker before upload because not every version of upload-pages-artifact skips dot-files.
`configure-pages` tells us the base path Pages serves the site under ("" for a user site or a
custom domain, "/repo" for a project site), and the build is run with it so links always match.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import DeployError
from generator.publish.requirement import DISTRIBUTION, EDIT_MARKER, requirements_text

WORKFLOW_PATH = Path(".github/workflows/pages.yml")
REQUIREMENTS_PATH = Path("requirements.txt")

WORKFLOW = """\
# Written by `blog init` / `blog deploy --workflow`. In the repository's Settings > Pages,
# set Source to "GitHub Actions".
name: Publish the site to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

# One deployment at a time; a running one is allowed to finish.
concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - id: pages
        uses: actions/configure-pages@v5
      - name: Check requirements.txt names the generator
        run: |
          if grep -n "{marker}" requirements.txt; then
            msg="replace the {marker} lines with a pip requirement for the generator (see the comment there)"
            echo "::error file=requirements.txt::requirements.txt: $msg"
            exit 1
          fi
      - name: Install the generator
        run: pip install -r requirements.txt
      - uses: actions/cache@v4
        with:
          path: .blog-cache
          key: blog-cache-${{ hashFiles('requirements.txt') }}-${{ github.run_id }}
          restore-keys: blog-cache-${{ hashFiles('requirements.txt') }}-
      - name: Build and check
        run: |
          blog build --baseurl "${{ steps.pages.outputs.base_path }}"
          blog check --baseurl "${{ steps.pages.outputs.base_path }}"
          rm -f _site/.blog-build.json
      - uses: actions/upload-pages-artifact@v3
        with:
          path: _site

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def pages_workflow() -> str:
    """The workflow text."""
    # str.replace, not str.format: the YAML is full of GitHub's own ${{ ... }} expressions.
    return WORKFLOW.replace("{marker}", EDIT_MARKER)


def write_pages_workflow(site_root: Path, *, force: bool = False, generator: str | None = None) -> Path:
    """Write `.github/workflows/pages.yml` under `site_root` and return its path. An identical file
    is left alone; a different one is only replaced with `force` (it may hold the user's edits).
    A missing `requirements.txt` is written too (`generator`: the pip requirement, else detected);
    an existing one is the user's and is never touched."""
    path = Path(site_root) / WORKFLOW_PATH
    text = pages_workflow()
    if path.exists() and not force and path.read_text(encoding="utf-8") != text:
        raise DeployError(f"{path} already exists and differs; pass --force to overwrite it", path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    requirements = Path(site_root) / REQUIREMENTS_PATH
    if not requirements.exists():
        text = OWN_REQUIREMENTS if _is_generator_repository(Path(site_root)) and not generator else None
        requirements.write_text(text or requirements_text(generator), encoding="utf-8")
    return path


# The generator's own repository (this blog): install the checkout itself, with the tested versions.
OWN_REQUIREMENTS = """\
# This repository is the generator itself: the workflow installs this checkout, pinned as tested.
-c requirements/lock.txt
.
"""


def _is_generator_repository(root: Path) -> bool:
    try:
        return f'name = "{DISTRIBUTION}"' in (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return False
