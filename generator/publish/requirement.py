"""Which pip requirement installs *this* generator on a machine that is not this one (a GitHub
runner building a site made by `blog init`).

pip records how a distribution was installed (PEP 610, `direct_url.json` in its metadata); we
write the requirement that record proves reachable and nothing we would have to guess:
- installed from a package index (INSTALLER, no direct_url.json) -> `mathdemo-blog==VERSION`
- installed from a VCS URL (vcs_info with a commit)      -> `mathdemo-blog @ git+URL@COMMIT`
- installed from a remote archive (https://…)            -> `mathdemo-blog @ URL`
- a local folder, editable or not, or a local file       -> a line marked EDIT ME: no runner can reach it
"""

from __future__ import annotations

import json
from importlib import metadata

DISTRIBUTION = "mathdemo-blog"
EDIT_MARKER = "EDIT ME"

HEADER = """\
# What the GitHub Pages workflow (.github/workflows/pages.yml) installs to build this site:
# `pip install -r requirements.txt`. Any pip requirement works; pin it so a new release of the
# generator changes your site only when you choose to.
"""


def detected_requirement() -> str | None:
    """The requirement pip's install record proves reachable, or None when there is none."""
    try:
        distribution = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None  # run from a source tree that was never installed
    raw = distribution.read_text("direct_url.json")
    if raw is None:
        # No install record: from an index only if an installer says it installed it. A bare
        # egg-info (left in a source tree by `pip install -e .`, found through PYTHONPATH) is not.
        return f"{DISTRIBUTION}=={distribution.version}" if distribution.read_text("INSTALLER") else None
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    url = str(record.get("url", ""))
    subdirectory = record.get("subdirectory")
    fragment = f"#subdirectory={subdirectory}" if subdirectory else ""
    vcs = record.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("commit_id") and not url.startswith("file:"):
        return f"{DISTRIBUTION} @ {vcs.get('vcs', 'git')}+{url}@{vcs['commit_id']}{fragment}"
    if "archive_info" in record and url.startswith(("https://", "http://")):
        return f"{DISTRIBUTION} @ {url}{fragment}"
    return None  # dir_info (a local checkout, editable or not) or a local archive


def install_origin() -> str:
    """Where the running generator came from, for the EDIT ME explanation."""
    try:
        raw = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
        url = json.loads(raw or "{}").get("url")
    except (metadata.PackageNotFoundError, ValueError):
        url = None
    return f"blog was installed from {url}" if url else "blog runs from a source checkout pip did not install"


def requirements_text(requirement: str | None = None) -> str:
    """requirements.txt for a new site. `requirement` (from `blog init --generator`) wins; else the
    detected one; else a commented line the workflow refuses to go past until it is edited."""
    chosen = requirement or detected_requirement()
    if chosen:
        return f"{HEADER}{chosen}\n"
    return (
        f"{HEADER}"
        f"# {EDIT_MARKER}: {install_origin()}, which a GitHub runner cannot reach.\n"
        f"# Replace these comment lines with a requirement for the generator, e.g. one of\n"
        f"#   {DISTRIBUTION}==VERSION\n"
        f"#   {DISTRIBUTION} @ git+https://github.com/OWNER/REPOSITORY@COMMIT\n"
        f"# (or run `blog init --generator SPEC` to write it for you).\n"
    )
