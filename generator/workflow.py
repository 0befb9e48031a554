"""The GitHub Actions workflow that builds the site with this generator and publishes it with
GitHub's official Pages actions (the alternative to `blog deploy`'s gh-pages branch).

Actions are pinned to major-version tags of GitHub's own actions; the build step removes the build
marker before upload because not every version of upload-pages-artifact skips dot-files.
`configure-pages` tells us the base path Pages serves the site under ("" for a user site or a
custom domain, "/repo" for a project site), and the build is run with it so links always match.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import DeployError

WORKFLOW_PATH = Path(".github/workflows/pages.yml")

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
      - run: pip install {install}
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


def pages_workflow(install: str = ".") -> str:
    """The workflow text. `install` is what pip installs to get `blog`: "." when the site lives in
    the generator's own repository (this blog), else e.g. a package name or a git URL."""
    # str.replace, not str.format: the YAML is full of GitHub's own ${{ ... }} expressions.
    return WORKFLOW.replace("{install}", install)


def write_pages_workflow(site_root: Path, *, force: bool = False, install: str = ".") -> Path:
    """Write `.github/workflows/pages.yml` under `site_root` and return its path. An identical file
    is left alone; a different one is only replaced with `force` (it may hold the user's edits)."""
    path = Path(site_root) / WORKFLOW_PATH
    text = pages_workflow(install)
    if path.exists() and not force and path.read_text(encoding="utf-8") != text:
        raise DeployError(f"{path} already exists and differs; pass --force to overwrite it", path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
