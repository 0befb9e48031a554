"""Jekyll `_config.yml` keys this generator accepts but does not act on: one warning line each,
naming the key (so a moved Jekyll site builds, and its owner knows what is ignored), plus one per
plugin in `plugins:` that is not built in here."""

from __future__ import annotations

from generator.config import Config
from generator.config_schema import JEKYLL_KEYS
from generator.errors import GeneratorError
from generator.frontmatter import key_line
from generator.load.theme import theme_problem

BUILT_IN_PLUGINS = frozenset(
    {
        "jekyll-feed",
        "jekyll-sitemap",
        "jekyll-seo-tag",
        "jekyll-paginate",
        "jekyll-redirect-from",
        "jekyll-gist",
        "jemoji",
    }
)
# Read where they matter (config.py and the Liquid renderer), so no warning.
HANDLED = frozenset({"plugins", "gems", "highlighter"})


def config_warnings(config: Config) -> list[GeneratorError]:
    path = config.config_file
    text = path.read_text("utf-8", errors="replace") if path is not None else ""
    shown = path.name if path is not None else "_config.yml"
    warnings = []
    for key, reason in JEKYLL_KEYS.items():
        if key in config.values and key not in HANDLED:
            line = key_line(text, key) if text else None
            warnings.append(GeneratorError(f"{key}: has no effect here ({reason})", shown, line))
    for key in ("plugins", "gems"):
        for name in config.values.get(key) or []:
            if str(name) not in BUILT_IN_PLUGINS:
                line = key_line(text, key) if text else None
                known = ", ".join(sorted(BUILT_IN_PLUGINS))
                warnings.append(
                    GeneratorError(f"{key}: plugin {name!r} is not built in (built in: {known})", shown, line)
                )
    problem = theme_problem(config)  # `theme:` a Jinja site cannot use, or a gem not installed
    return [*warnings, problem] if problem is not None else warnings
