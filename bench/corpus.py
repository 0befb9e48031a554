"""A synthetic technical-blog corpus, written in the native layout of each benchmarked generator.

Every post has the same body in every tool: a few paragraphs, `##`/`###` headings, a fenced Python
code block, inline math `$x_i$` and a display `$$…$$` formula, a bulleted list, a link and two tags.
The text is drawn from fixed word lists with a seeded RNG, so the same `--posts`/`--seed` always give
byte-identical sites (benchmarks of different days then measure the tools, not the corpus).

    python bench/corpus.py /tmp/corpus --posts 1000              # all tools
    python bench/corpus.py /tmp/corpus --posts 100 --tools ours,hugo

Layout written under OUT (one site folder per tool):
    ours/      the repository's _config.yml, _layouts, _includes, assets + _posts/
    jekyll/    same _posts, minimal Liquid layouts, jekyll-feed
    hugo/      content/posts/*.md (YAML front matter), layouts/_default/{baseof,single,list}.html
    pelican/   content/*.md with Pelican metadata, pelicanconf.py, the default theme
    eleventy/  posts/*.md, minimal Nunjucks layouts, tag pages by pagination, a feed
Beside them, `bench-sites.json` names each site's post to edit for the "one post edited" measurement.

Markdown bodies avoid `{{`, `{%` and `{#` so that the tools that run a template engine over posts
(ours: Jinja; Jekyll and Eleventy: Liquid) see plain text, as a real post without template code would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOLS = ("ours", "jekyll", "hugo", "pelican", "eleventy", "eleventy-hl")
FIRST_DATE = dt.date(2008, 1, 1)
SITE_TITLE = "Synthetic benchmark blog"
MANIFEST = "bench-sites.json"
FEED_LIMIT = 20  # our generator's default feed length; every peer is configured to match

NOUNS = (
    "gradient",
    "tensor",
    "network",
    "layer",
    "optimizer",
    "dataset",
    "kernel",
    "embedding",
    "batch",
    "loss",
    "parameter",
    "activation",
    "model",
    "sample",
    "feature",
    "vector",
    "matrix",
    "weight",
    "cache",
    "compiler",
    "pipeline",
    "scheduler",
    "buffer",
    "graph",
    "token",
    "sequence",
    "encoder",
    "decoder",
    "attention",
    "benchmark",
    "prior",
    "posterior",
    "estimate",
    "signal",
    "filter",
)
VERBS = (
    "computes",
    "updates",
    "normalizes",
    "samples",
    "projects",
    "caches",
    "regularizes",
    "encodes",
    "decodes",
    "approximates",
    "propagates",
    "accumulates",
    "averages",
    "shuffles",
    "clips",
    "stores",
)
ADJECTIVES = (
    "stochastic",
    "sparse",
    "dense",
    "recurrent",
    "convolutional",
    "linear",
    "nonlinear",
    "noisy",
    "stable",
    "fast",
    "naive",
    "robust",
    "hidden",
    "latent",
    "discrete",
    "continuous",
    "small",
    "large",
    "deep",
    "shallow",
    "greedy",
    "optimal",
    "biased",
    "unbiased",
    "incremental",
)
CONNECTORS = (
    "In practice",
    "Intuitively",
    "As a result",
    "On the other hand",
    "In other words",
    "Surprisingly",
    "For example",
    "Note that",
    "It turns out that",
    "In this post",
)
TAGS = (
    "machine-learning",
    "optimization",
    "python",
    "statistics",
    "computer-vision",
    "nlp",
    "rnn",
    "reinforcement-learning",
    "compilers",
    "performance",
    "visualization",
    "data",
    "javascript",
    "probability",
    "linear-algebra",
    "research",
    "tutorial",
    "hardware",
    "education",
    "tools",
)
FORMULAS = (
    r"\mathcal{L}(\theta) = -\frac{1}{N} \sum_{i=1}^{N} \log p_\theta(y_i \mid x_i)",
    r"\theta_{t+1} = \theta_t - \eta \nabla_\theta \mathcal{L}(\theta_t)",
    r"\mathrm{softmax}(z)_j = \frac{e^{z_j}}{\sum_{k=1}^{K} e^{z_k}}",
    r"h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b_h)",
    r"p(\theta \mid D) = \frac{p(D \mid \theta)\, p(\theta)}{\int p(D \mid \theta')\, p(\theta')\, d\theta'}",
    r"\|x - y\|_2 = \sqrt{\sum_{i=1}^{n} (x_i - y_i)^2}",
)
INLINE_MATH = (
    r"$x_i$",
    r"$\alpha = 0.01$",
    r"$W \in \mathbb{R}^{n \times d}$",
    r"$\sigma(z)$",
    r"$O(n \log n)$",
    r"$\lambda$",
)


@dataclass(frozen=True)
class Post:
    index: int
    date: dt.date
    slug: str
    title: str
    tags: tuple[str, str]
    body: str  # markdown, identical for every tool

    @property
    def filename(self) -> str:
        return f"{self.date.isoformat()}-{self.slug}.md"


def sentence(rng: random.Random, words: int | None = None) -> str:
    count = words or rng.randint(8, 18)
    parts = []
    for i in range(count):
        pool = (NOUNS, VERBS, ADJECTIVES, NOUNS)[i % 4]
        parts.append(rng.choice(pool))
    text = " ".join(parts)
    if rng.random() < 0.4:
        text = f"{rng.choice(CONNECTORS)}, {text}"
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, extra: str = "") -> str:
    sentences = [sentence(rng) for _ in range(rng.randint(3, 6))]
    if extra:
        sentences.insert(rng.randint(1, len(sentences)), extra)
    return " ".join(sentences)  # one line per paragraph: wrapping could split inline math


def code_block(rng: random.Random) -> str:
    name = f"{rng.choice(VERBS)[:-1]}_{rng.choice(NOUNS)}"
    arg = rng.choice(NOUNS)
    steps = rng.randint(2, 64)
    rate = rng.choice(("1e-3", "3e-4", "0.01", "0.1"))
    return textwrap.dedent(f'''\
        ```python
        import math


        def {name}({arg}s, rate={rate}, steps={steps}):
            """Return the running average of {arg}s after `steps` updates."""
            total = 0.0
            for step, value in enumerate({arg}s[:steps]):
                total += rate * (value - total) / math.sqrt(step + 1)
            return total


        print({name}([float(i) for i in range({steps * 3})]))
        ```''')


def make_post(index: int, rng: random.Random) -> Post:
    title_words = [
        rng.choice(ADJECTIVES),
        rng.choice(NOUNS),
        rng.choice(("for", "and", "with", "versus")),
        rng.choice(ADJECTIVES),
        rng.choice(NOUNS),
    ]
    title = " ".join(title_words).capitalize()
    slug = "-".join(title_words) + f"-{index}"
    tags = tuple(rng.sample(TAGS, 2))
    link = f"[the {rng.choice(NOUNS)} notes](https://example.org/notes/{rng.choice(NOUNS)}-{index}.html)"
    items = "\n".join(f"- {sentence(rng, rng.randint(4, 9))}" for _ in range(rng.randint(3, 5)))
    body = (
        "\n\n".join(
            [
                paragraph(rng),
                paragraph(rng, f"See {link} for the details."),
                f"## {rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)}s",
                paragraph(
                    rng,
                    f"Here each {rng.choice(NOUNS)} {INLINE_MATH[index % len(INLINE_MATH)]} "
                    f"{rng.choice(VERBS)} the {rng.choice(NOUNS)} $x_i$.",
                ),
                f"$$\n{FORMULAS[index % len(FORMULAS)]}\n$$",
                paragraph(rng),
                code_block(rng),
                f"### What the {rng.choice(NOUNS)} {rng.choice(VERBS)}",
                items,
                paragraph(rng),
                f"## {rng.choice(CONNECTORS)}",
                paragraph(rng),
            ]
        )
        + "\n"
    )
    return Post(index, FIRST_DATE + dt.timedelta(days=index), slug, title, tags, body)  # type: ignore[arg-type]


def make_posts(count: int, seed: int = 1) -> list[Post]:
    rng = random.Random(seed)
    return [make_post(i, rng) for i in range(count)]


# --- per-tool writers -------------------------------------------------------------------------------


def yaml_front_matter(post: Post, extra: str = "") -> str:
    title = post.title.replace('"', '\\"')
    return f'---\ntitle: "{title}"\ndate: {post.date.isoformat()}\ntags: [{", ".join(post.tags)}]\n{extra}---\n\n'


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def write_ours(site: Path, posts: list[Post]) -> str:
    # This blog's look comes from the packaged theme (generator/theme/), so the corpus needs only
    # the blog's settings: the same layouts, includes and CSS as the real blog, none of its images.
    shutil.copy2(REPO / "_config.yml", site / "_config.yml")
    for post in posts:
        write(site / "_posts" / post.filename, yaml_front_matter(post) + post.body)
    return f"_posts/{posts[len(posts) // 2].filename}"


JEKYLL_CONFIG = f"""\
title: "{SITE_TITLE}"
url: "https://example.org"
permalink: pretty
markdown: kramdown
kramdown:
  input: GFM
plugins: [jekyll-feed]
feed:
  posts_limit: {FEED_LIMIT}
"""
JEKYLL_DEFAULT = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{% if page.title %}{{ page.title | escape }} · {% endif %}{{ site.title }}</title>
{% feed_meta %}</head>
<body>
<header><a href="{{ '/' | relative_url }}">{{ site.title }}</a> ·
<a href="{{ '/tags/' | relative_url }}">Tags</a></header>
<main>
{{ content }}
</main>
</body>
</html>
"""
JEKYLL_POST = """\
---
layout: default
---
<article>
<h1>{{ page.title | escape }}</h1>
<p><time datetime="{{ page.date | date_to_xmlschema }}">{{ page.date | date: "%b %-d, %Y" }}</time>
{% for tag in page.tags %}<a href="{{ '/tags/' | relative_url }}#{{ tag | slugify }}">{{ tag }}</a> {% endfor %}</p>
{{ content }}
{% if page.previous %}<a href="{{ page.previous.url | relative_url }}" rel="prev">
{{ page.previous.title | escape }}</a>{% endif %}
{% if page.next %}<a href="{{ page.next.url | relative_url }}" rel="next">{{ page.next.title | escape }}</a>{% endif %}
</article>
"""
JEKYLL_INDEX = """\
---
layout: default
---
{% for post in site.posts %}
<article><h2><a href="{{ post.url | relative_url }}">{{ post.title | escape }}</a></h2>
<time>{{ post.date | date: "%b %-d, %Y" }}</time>
{{ post.excerpt }}</article>
{% endfor %}
"""
# Jekyll has no per-tag pages without a plugin; one page with a section per tag is the cheap equivalent.
JEKYLL_TAGS = """\
---
layout: default
title: Tags
permalink: /tags/
---
{% for tag in site.tags %}
<section id="{{ tag[0] | slugify }}"><h2>{{ tag[0] }}</h2><ul>
{% for post in tag[1] %}<li><a href="{{ post.url | relative_url }}">{{ post.title | escape }}</a></li>
{% endfor %}</ul></section>
{% endfor %}
"""


def write_jekyll(site: Path, posts: list[Post]) -> str:
    write(site / "_config.yml", JEKYLL_CONFIG)
    write(site / "_layouts/default.html", JEKYLL_DEFAULT)
    write(site / "_layouts/post.html", JEKYLL_POST)
    write(site / "index.html", JEKYLL_INDEX)
    write(site / "tags.html", JEKYLL_TAGS)
    for post in posts:
        write(site / "_posts" / post.filename, yaml_front_matter(post, "layout: post\n") + post.body)
    return f"_posts/{posts[len(posts) // 2].filename}"


HUGO_CONFIG = f"""\
baseURL = "https://example.org/"
title = "{SITE_TITLE}"
languageCode = "en"
rssLimit = {FEED_LIMIT}
disableKinds = ["categories"]
[taxonomies]
  tag = "tags"
[permalinks]
  posts = "/:year/:month/:day/:filename/"
[markup.highlight]
  codeFences = true
"""
HUGO_BASEOF = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ .Site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a> · <a href="{{ "/tags/" | relURL }}">Tags</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
"""
HUGO_SINGLE = """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "Jan 2, 2006" }}</time>
{{ range .Params.tags }}<a href="{{ "/tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a> {{ end }}</p>
{{ .Content }}
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}" rel="next">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}" rel="prev">{{ .Title }}</a>{{ end }}
</article>
{{ end }}
"""
# One list template serves the home page, the posts section, /tags/ and each tag's page.
HUGO_LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = where .Site.RegularPages "Section" "posts" }}{{ end }}
{{ range $pages }}
<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
{{ if .IsPage }}<time>{{ .Date.Format "Jan 2, 2006" }}</time>
{{ .Summary }}{{ end }}</article>
{{ end }}
{{ end }}
"""


def write_hugo(site: Path, posts: list[Post]) -> str:
    write(site / "config.toml", HUGO_CONFIG)
    write(site / "layouts/_default/baseof.html", HUGO_BASEOF)
    write(site / "layouts/_default/single.html", HUGO_SINGLE)
    write(site / "layouts/_default/list.html", HUGO_LIST)
    for post in posts:
        write(site / "content/posts" / f"{post.slug}.md", yaml_front_matter(post) + post.body)
    return f"content/posts/{posts[len(posts) // 2].slug}.md"


PELICAN_CONFIG = f"""\
AUTHOR = "Bench"
SITENAME = "{SITE_TITLE}"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = False
ARTICLE_URL = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/index.html"
# Only what the other tools make too: posts, index, archive, tag pages, one Atom feed.
# The default theme needs category pages (one here, "misc"); author pages and the index of categories are off.
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = ""
FEED_DOMAIN = "https://example.org"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
FEED_MAX_ITEMS = {FEED_LIMIT}
# Pelican's own content cache: the equivalent of our .blog-cache (removed for cold builds).
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
"""


def write_pelican(site: Path, posts: list[Post]) -> str:
    write(site / "pelicanconf.py", PELICAN_CONFIG)
    for post in posts:
        meta = (
            f"Title: {post.title}\nDate: {post.date.isoformat()} 00:00\nTags: {', '.join(post.tags)}\n"
            f"Slug: {post.slug}\n\n"
        )
        write(site / "content" / post.filename, meta + post.body)
    return f"content/{posts[len(posts) // 2].filename}"


ELEVENTY_CONFIG = """\
module.exports = function () {
  return { dir: { input: ".", output: "_site", includes: "_includes" }, markdownTemplateEngine: "liquid" };
};
"""
# The same site with the official syntax-highlighting plugin (Prism, at build time): the peer that
# does the work ours does for code blocks. Its path comes from the environment (bench/README.md).
ELEVENTY_HL_CONFIG = """\
const highlight = require(process.env.BENCH_ELEVENTY_HL ||
  "/tmp/bench-peers/node_modules/@11ty/eleventy-plugin-syntaxhighlight");
module.exports = function (eleventyConfig) {
  eleventyConfig.addPlugin(highlight);
  return { dir: { input: ".", output: "_site", includes: "_includes" }, markdownTemplateEngine: "liquid" };
};
"""
ELEVENTY_BASE = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{% if title %}{{ title }} · {% endif %}SITE</title>
<link rel="alternate" type="application/atom+xml" href="/feed.xml"></head>
<body>
<header><a href="/">SITE</a> · <a href="/tags/">Tags</a></header>
<main>
{{ content | safe }}
</main>
</body>
</html>
""".replace("SITE", SITE_TITLE)
ELEVENTY_POST = """\
---
layout: base.njk
---
<article>
<h1>{{ title }}</h1>
<p><time datetime="{{ page.date.toISOString() }}">{{ page.date.toDateString() }}</time>
{% for tag in tags %}{% if tag != "posts" %}<a href="/tags/{{ tag | slugify }}/">{{ tag }}</a>
{% endif %}{% endfor %}</p>
{{ content | safe }}
</article>
"""
ELEVENTY_INDEX = """\
---
layout: base.njk
---
{% for post in collections.posts | reverse %}
<article><h2><a href="{{ post.url }}">{{ post.data.title }}</a></h2>
<time>{{ post.date.toDateString() }}</time></article>
{% endfor %}
"""
ELEVENTY_TAGS = """\
---
layout: base.njk
pagination:
  data: collections
  size: 1
  alias: tag
  filter: [all, posts]
permalink: /tags/{{ tag | slugify }}/
eleventyComputed:
  title: "Tagged {{ tag }}"
---
<h1>Tagged {{ tag }}</h1>
<ul>{% for post in collections[tag] | reverse %}
<li><a href="{{ post.url }}">{{ post.data.title }}</a></li>{% endfor %}</ul>
"""
ELEVENTY_TAG_INDEX = """\
---
layout: base.njk
permalink: /tags/
title: Tags
---
<ul>{% for tag, items in collections %}{% if tag != "all" and tag != "posts" %}
<li><a href="/tags/{{ tag | slugify }}/">{{ tag }}</a> ({{ items.length }})</li>{% endif %}{% endfor %}</ul>
"""
ELEVENTY_FEED = """\
---
permalink: /feed.xml
eleventyExcludeFromCollections: true
---
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>SITE</title><id>https://example.org/</id>
<link href="https://example.org/feed.xml" rel="self"/>
{% set latest = collections.posts | reverse %}
<updated>{{ latest[0].date.toISOString() }}</updated>
{% for post in latest.slice(0, LIMIT) %}
<entry><title>{{ post.data.title }}</title><link href="https://example.org{{ post.url }}"/>
<id>https://example.org{{ post.url }}</id><updated>{{ post.date.toISOString() }}</updated>
<content type="html">{{ post.templateContent }}</content></entry>
{% endfor %}
</feed>
""".replace("SITE", SITE_TITLE).replace("LIMIT", str(FEED_LIMIT))


def write_eleventy(site: Path, posts: list[Post]) -> str:
    write(site / "eleventy.config.cjs", ELEVENTY_CONFIG)
    write(site / "_includes/base.njk", ELEVENTY_BASE)
    write(site / "_includes/post.njk", ELEVENTY_POST)
    write(site / "index.njk", ELEVENTY_INDEX)
    write(site / "tags.njk", ELEVENTY_TAGS)
    write(site / "tag-index.njk", ELEVENTY_TAG_INDEX)
    write(site / "feed.njk", ELEVENTY_FEED)
    # A directory data file: every post gets the layout and joins the `posts` collection.
    write(site / "posts/posts.11tydata.json", json.dumps({"layout": "post.njk", "tags": ["posts"]}))
    for post in posts:
        write(site / "posts" / post.filename, yaml_front_matter(post) + post.body)
    return f"posts/{posts[len(posts) // 2].filename}"


def write_eleventy_highlighted(site: Path, posts: list[Post]) -> str:
    edited = write_eleventy(site, posts)
    write(site / "eleventy.config.cjs", ELEVENTY_HL_CONFIG)
    return edited


WRITERS = {
    "ours": write_ours,
    "jekyll": write_jekyll,
    "hugo": write_hugo,
    "pelican": write_pelican,
    "eleventy": write_eleventy,
    "eleventy-hl": write_eleventy_highlighted,
}


def generate(
    out: Path, count: int, tools: list[str], seed: int = 1, remove: Callable[[Path], object] = shutil.rmtree
) -> dict[str, Path]:
    """Write one fresh site per tool under `out`, after `remove` of the old one; returns tool -> site folder."""
    posts = make_posts(count, seed)
    sites = {}
    edits = {}
    for tool in tools:
        site = out / tool
        if site.exists():
            remove(site)
        site.mkdir(parents=True)
        edits[tool] = WRITERS[tool](site, posts)
        sites[tool] = site
    # Beside the sites, not inside: a stray file in a site would be copied as a static file by some tools.
    write(out / MANIFEST, json.dumps({"posts": count, "seed": seed, "edit": edits}, indent=1))
    return sites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write one site per tool into")
    parser.add_argument("--posts", type=int, default=1000, help="number of posts (default 1000)")
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    for tool, site in generate(args.out, args.posts, tools, args.seed).items():
        print(f"{tool}: {site}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
