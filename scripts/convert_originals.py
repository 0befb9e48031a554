#!/usr/bin/env python3
"""Rebuild the blog's 16 documents from the author's original markdown.

The originals (tests/data/original/posts/, supplied by the author) are kramdown written for Jekyll
with MathJax. This script turns each into this generator's markdown, mechanically, and writes
_posts/<date>-<slug>.md (or neuralnets.md). Run it from anywhere; it is idempotent:

    python scripts/convert_originals.py            # rewrite the 16 documents
    python scripts/convert_originals.py --check    # exit 1 if a document differs from its conversion

What changes, and nothing else (the author's sentences are never edited):

Front matter
  - title, excerpt and date (with its time) are the author's; `comments: true` is kept as data.
  - `mathjax` and `includelink` are dropped (no meaning here); `layout: post` is left to the
    site's defaults; the page keeps `layout: page` and `permalink: /neuralnets/`.
  - Ours are added: `tags` (kept from the current file), `math: true` where the document has formulas,
    `render_with_jinja: true` where a demo is embedded, `stylesheets:` for page-specific CSS.
    The file name keeps the URL: the AI story's original file says 2015-11-20 but its date is
    2015-11-14, which is where it has always been published.

Body
  - `<div class="imgcap">` blocks become `<figure>`: every `<img>` with an alt text (the caption,
    or a short description from ALT for uncaptioned images, or "" for the AI story's decorative
    pictures), `<div class="thecap">` becomes `<figcaption>` (markdown inside converted to HTML,
    the stray `</a>` of two selfie captions removed). Side-by-side images get class="row".
    Inline `style` on images and captions (borders, centring, justification) is dropped: the theme
    (assets/css/figures.css) does it. The author's sizes are kept as `width` (percentages as
    style="width:N%"; a height-only size becomes the matching width).
  - Stand-alone `<img>` lines get an alt text and a blank line around them; a percentage `width`
    attribute (invalid HTML) becomes style="width:N%"; WordPress classes and title are dropped.
  - YouTube `<iframe>`s become a click-to-load video link (VIDEOS): a local poster, a plain link
    that works without JavaScript, assets/js/video.js swaps in youtube-nocookie on click.
  - Pages with a video get `scripts: [/assets/js/video.js]` (the head loads it as a module).
  - `<style>` in the AI story moves to assets/css/story.css (front matter `stylesheets:`); the
    story's styled `<hr>` becomes a plain `<hr>` styled there.
  - Math: kramdown's `$$…$$` is display math when it is a paragraph of its own (also inside a bare
    `<div>`, which is dropped) and inline math otherwise (written `\\(…\\)` here); MathJax's
    `\\\\( … \\\\)` (markdown-escaped) becomes `\\( … \\)`; inside formulas the markdown escapes
    `\\_` `\\*` `\\\\` are undone. A literal `$` in prose is escaped as `\\$`. FORMULA_FIXES lists
    the few formulas latex2mathml cannot read as written.
  - Liquid `{% post_url 2011-04-27-slug %}` becomes the permalink `/2011/04/27/slug/`.
  - BROKEN_LINKS: a link whose target never worked keeps its words without the link.
  - Fenced code keeps its language; a fence without one gets CODE_LANGUAGE (by first line) or `text`.
  - The hand-drawn SVG circuits of the neural-nets guide are replaced by the live circuit demo that
    draws the same circuit (see DEMOS); the rest of the demos are inserted after an anchor text.
"""

from __future__ import annotations

import argparse
import csv
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import markdown
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
ORIGINALS = REPO / "tests" / "data" / "original" / "posts"
TABLE = REPO / "tests" / "data" / "seed" / "posts.tsv"

# -- what the script adds, per slug ----------------------------------------------------------------

STYLESHEETS = {"ai": ["/assets/css/story.css"]}
# The guide has no excerpt of its own: its first sentences are used (the author's words).
EXCERPT = {
    "neuralnets": "Hi there, I'm a CS PhD student at Stanford. I've worked on Deep Learning for a few years as "
    "part of my research and among several of my related pet projects is ConvNetJS - a Javascript library for "
    "training Neural Networks."
}

# Alt texts for images the author left uncaptioned: a short description of what is shown.
# "" marks the AI story's decorative pictures (mood images between the story's scenes).
ALT = {
    "/assets/cifar_preview.png": "CIFAR-10 example images, one row per class: airplane, automobile, bird, cat, "
    "deer, dog, frog, horse, ship, truck",
    "/assets/cifar_weirdimages.png": "Questionable images from CIFAR-10",
    "/assets/cifar_predict.jpg": "The debugging interface: test images with predictions and training images",
    "/assets/obamafunny.jpg": "President Obama pressing his foot on a scale behind a man weighing himself, "
    "while the people around them laugh",
    "/assets/chrome1.jpeg": "A tweet with its Reply, Retweet, Favorite and More text crossed out in red",
    "/assets/chrome2.jpeg": "The HTML of the tweet actions list in the browser's inspector",
    "/assets/chrome3.jpeg": "Twitter's bar saying 2 new results",
    "/assets/chrome4.jpeg": "A Twitter timeline with some tweets highlighted green and one yellow",
    "/assets/hn.jpg": "Preview of the Hacker News analysis page",
    "/assets/tsne_preview.jpeg": "Twitter profile pictures laid out by t-SNE",
    "/assets/tsne_sentprepro.jpeg": "An account's concatenated tweets and the word list made from them",
    "/assets/tsne_eg.jpeg": "An example t-SNE embedding: small pictures arranged in clusters",
    "/assets/selfie/teaser.jpeg": "A grid of selfies",
    "/assets/rl/sl.png": "Supervised learning: a forward pass from image to log probabilities, a gradient for "
    "the correct label, and a backward pass",
    "/assets/rl/rl.png": "Reinforcement learning: a forward pass, an action sampled from the log probabilities, "
    "and a gradient scaled by the eventual reward",
    "/assets/rl/weights.png": "40 learned weight vectors of the policy network, each shown as an 80x80 image",
    "/assets/rl/nondiff1.png": "Forward pass of a network with a non-differentiable compute node sampled from a "
    "stochastic policy",
    "/assets/rl/nondiff2.png": "During training: sample and use policy gradients for the embedded policy, and "
    "backprop as usual through the rest",
    "/assets/phd/phds.jpg": "Bound PhD theses on a shelf",
    "/assets/phd/latex.png": "First page of a paper typeset in LaTeX",
    "/assets/phd/code.jpg": "Green code streaming down a dark screen",
    "/assets/phd/talk.jpg": "A speaker giving a talk to a full lecture hall",
    "/assets/phd/posters.jpg": "A conference poster hall",
    # Captioned, but the caption is only a credit: the comic itself is described.
    "/assets/phd/adviser.gif": "PhD comic: a student asks his adviser about the draft a week, three days and a "
    "day before the deadline; 30 seconds before, it comes back marked Needs work",
    "/assets/rnn/pane1.png": "Text colored by the activation of single LSTM cells: a cell sensitive to position "
    "in line, a cell that turns on inside quotes, one inside if statements, and others",
    "/assets/rnn/pane2.png": "More LSTM cells: one that turns on inside comments and quotes, one sensitive to the "
    "depth of an expression, and others",
}
DECORATIVE_PREFIXES = ("/assets/ai/",)

# YouTube videos: id -> (title on the poster and in the link, poster subtitle).
VIDEOS = {
    "AgkfIQ4IGaM": ("deepvis: a ConvNet running live on a camera, explained by Jason Yosinski", "Jason Yosinski"),
    "YOW8m2YGtRg": ("The learned Pong agent (green, right) against the hard-coded AI (left)", "Pong from Pixels"),
}

# Formulas latex2mathml cannot read as the author wrote them for MathJax: (slug, old, new).
FORMULA_FIXES: list[tuple[str, str, str]] = [
    # MathJax accepts an unstarred align inside $$; latex2mathml wants the environment alone.
    ("rl", "\\begin{align}", "\\begin{align*}"),
    ("rl", "\\end{align}", "\\end{align*}"),
]

# Links whose original target never worked: (slug, markdown as written, replacement).
BROKEN_LINKS: list[tuple[str, str, str]] = [
    # The target is the link text itself, a relative URL that was a 404 on the original site too;
    # the words stay, without a link (tests/data/original_exceptions.yml lists it).
    ("phd", "[You and Your Research](You and Your Research)", "You and Your Research"),
]

# Unlabelled fences: first line of the block -> language (the same choice the site made before).
CODE_LANGUAGE_DEFAULT = "text"

# Demo embeds: (slug, anchor text, block). The block goes after the paragraph (or code block) that
# contains the anchor. `replaces_svg` drops the author's static SVG drawing of the same circuit.
ILSVRC_NOTE = (
    '<aside class="editor-note"><strong>Editor’s note.</strong> Try the labeling interface: '
    '<a href="/demos/ilsvrc/">ImageNet labeling demo</a></aside>'
)


@dataclass(frozen=True)
class Demo:
    slug: str
    anchor: str
    block: str
    replaces_svg: bool = False


def lead(text: str) -> str:
    return f'<p class="demo-lead"><strong>Editor’s note.</strong> {text}</p>'


DEMOS = [
    Demo("manually-classifying-cifar10", "I encourage people to try this for themselves", ILSVRC_NOTE),
    Demo(
        "visualizing-top-tweeps-with-t-sne-in-Javascript",
        "First, take a look at the [final demo]",
        lead(
            "The original demo page is linked above. Below, the same t-SNE runs in your browser on this "
            "blog’s own posts, compared by the words they use (switch to digits or paste your own data)."
        )
        + '\n\n{{ demo("tsne", dataset="posts") }}',
    ),
    Demo(
        "feature-learning-escapades",
        "A small crop of a 6000x6000 image",
        lead(
            "Run t-SNE yourself: the explorer below lays out handwritten digits (or this blog’s posts) in your browser."
        )
        + '\n\n{{ demo("tsne", dataset="digits") }}',
    ),
    Demo(
        "what-i-learned-from-competing-against-a-convnet-on-imagenet",
        "A crop of a screenshot of the",
        lead("A version of the labeling interface runs below; try it out for yourself.")
        + '\n\n{{ demo("ilsvrc", mode="practice") }}',
    ),
    Demo(
        "selfie",
        "You can see that selfies cluster in some fun ways",
        lead(
            "The selfie layout above is a picture. Below, t-SNE runs live in your browser on handwritten "
            "digits, the same algorithm on a smaller dataset."
        )
        + '\n\n{{ demo("tsne", dataset="digits") }}',
    ),
    Demo(
        "neuralnets",
        "Lets first consider a single, simple circuit",
        '{{ demo("circuits", circuit="mul", values="x=-2,y=3") }}',
        True,
    ),
    Demo(
        "neuralnets",
        "Lets drill down into details and get two gates involved",
        '{{ demo("circuits", circuit="add-mul", values="x=-2,y=5,z=-4") }}',
        True,
    ),
    Demo(
        "neuralnets",
        "Lets look again at our example circuit with the numbers filled in",
        '{{ demo("circuits", circuit="add-mul", values="x=-2,y=5,z=-4") }}',
        True,
    ),
    Demo(
        "neuralnets",
        "Indeed, these all give the same values as the backpropagated gradients",
        '{{ demo("circuits", circuit="neuron", values="a=1,b=2,c=-3,x=-1,y=3") }}',
    ),
    Demo(
        "neuralnets",
        "var dc = 1.0 * dx1; // done!",
        '{{ demo("circuits", circuit="expression", expression="((a*b+c)*d)*((a*b+c)*d)") }}',
    ),
    Demo(
        "neuralnets",
        "We see that initially our classifier only had 33% training accuracy",
        '{{ demo("circuits", circuit="playground", model="svm") }}',
    ),
    Demo(
        "neuralnets",
        "I hope your takeaway is that a 2-layer Neural Net is really not such a scary thing",
        '{{ demo("circuits", circuit="playground", model="net") }}',
    ),
]

# -- the conversion --------------------------------------------------------------------------------

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def split_code(text: str) -> list[tuple[bool, str]]:
    """[(is_code, chunk)]: fenced code blocks apart from prose, so prose rules never touch code."""
    parts: list[tuple[bool, str]] = []
    buffer: list[str] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        marker = FENCE.match(line.rstrip("\n"))
        if fence is None and marker:
            if buffer:
                parts.append((False, "".join(buffer)))
            buffer, fence = [line], marker.group(1)
        elif fence is not None:
            buffer.append(line)
            if line.strip() == fence[0] * len(line.strip()) and len(line.strip()) >= len(fence):
                parts.append((True, "".join(buffer)))
                buffer, fence = [], None
        else:
            buffer.append(line)
    if buffer:
        parts.append((fence is not None, "".join(buffer)))
    return parts


def label_fence(code: str) -> str:
    first, rest = code.split("\n", 1)
    marker = FENCE.match(first)
    assert marker
    if marker.group(2).strip():
        return code
    return f"{marker.group(1)}{CODE_LANGUAGE_DEFAULT}\n{rest}"


IMG = re.compile(r"<img\b([^>]*?)\s*/?>", re.S)
ATTR = re.compile(r"""([\w-]+)\s*=\s*("[^"]*"|'[^']*')""")


def attributes(tag_inside: str) -> dict[str, str]:
    return {name.lower(): html.unescape(value[1:-1]) for name, value in ATTR.findall(tag_inside)}


def plain(html_text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", html_text)).split())


def inline_html(text: str) -> str:
    """Markdown inside a caption (raw HTML blocks are not converted) -> inline HTML."""
    text = " ".join(text.split())
    converted = markdown.markdown(text)
    return re.sub(r"^<p>|</p>$", "", converted.strip())


def image_tag(attrs: dict[str, str], alt: str, extra_style: str = "") -> str:
    src = attrs["src"]
    parts = [f'<img src="{html.escape(src)}" alt="{html.escape(alt, quote=False).replace(chr(34), "&quot;")}"']
    style = attrs.get("style", "")
    width = attrs.get("width", "")
    height = attrs.get("height", "")
    percent = re.search(r"(?<![-\w])width:\s*(\d+)%", style)
    pixels = re.search(r"(?<![-\w])width:\s*(\d+)px", style)
    if width.endswith("%") or percent:
        share = width[:-1] if width.endswith("%") else percent.group(1)
        parts.append(' class="full"' if share == "100" else f' style="width:{share}%"')
    elif width.isdigit() or pixels:
        parts.append(f' width="{width if width.isdigit() else pixels.group(1)}"')
    elif height.isdigit():
        # The author sized this one by height; the same size as a width keeps it (CSS scales down).
        with Image.open(REPO / src.lstrip("/")) as image:
            natural_w, natural_h = image.size
        parts.append(f' width="{round(natural_w * int(height) / natural_h)}"')
    parts.append(extra_style)
    return "".join(parts) + ">"


def alt_for(src: str, caption: str) -> str:
    if src in ALT:
        return ALT[src]
    if src.startswith(DECORATIVE_PREFIXES):
        return ""
    if caption:
        return caption
    raise SystemExit(f"no alt text for {src}: add it to ALT in {__file__}")


def find_div_end(text: str, start: int) -> int:
    """Index just after the `</div>` that closes the `<div` at `start`."""
    depth = 0
    for match in re.finditer(r"<div\b|</div>", text[start:]):
        depth += 1 if match.group(0) == "<div" else -1
        if depth == 0:
            return start + match.end()
    raise ValueError("unclosed <div>")


def convert_figure(block: str) -> str:
    caption_match = re.search(r'<div class="thecap"[^>]*>(.*?)</div>', block, re.S)
    caption_html = caption_match.group(1) if caption_match else ""
    caption_html = caption_html.replace("</a></div>", "</div>")
    if caption_html.count("</a>") > caption_html.count("<a "):
        caption_html = re.sub(r"\s*</a>\s*$", "", caption_html.strip())  # the stray </a> in two captions
    caption = inline_html(caption_html) if caption_html.strip() else ""
    images = [attributes(m.group(1)) for m in IMG.finditer(block)]
    side_by_side = len(images) > 1 and bool(re.search(r"inline-block|max-width:49%|width:30%", block))
    lines = ['<figure class="row">' if side_by_side else "<figure>"]
    for attrs in images:
        lines.append(image_tag(attrs, alt_for(attrs["src"], plain(caption))))
    if caption:
        lines.append(f"<figcaption>{caption}</figcaption>")
    lines.append("</figure>")
    return "\n".join(lines)


def video_embed(video_id: str) -> str:
    title, _ = VIDEOS[video_id]
    return (
        f'<a class="video-embed" href="https://www.youtube.com/watch?v={video_id}" '
        f'data-embed="https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1">'
        f'<img src="/assets/video/{video_id}.svg" alt="Play video: {html.escape(title)} (YouTube)" '
        'width="640" height="360"></a>'
    )


POST_URL = re.compile(r"\{% post_url (\d{4})-(\d\d)-(\d\d)-([\w-]+) %\}")


def convert_liquid(text: str) -> str:
    """Jekyll's `{% post_url date-slug %}` -> that post's permalink (this site's `pretty` style)."""
    text = POST_URL.sub(r"/\1/\2/\3/\4/", text)
    assert "{%" not in text and "{{" not in text, "unknown Liquid tag in an original"
    return text


def convert_html_blocks(text: str) -> str:
    # Page-specific CSS moves to a stylesheet; the styled <hr> becomes a plain one.
    text = re.sub(r"<style>.*?</style>\n*", "", text, flags=re.S)
    text = re.sub(r"<hr style=\"[^\"]*\">", "<hr>", text)
    # Centred video with a caption under it (RL post) -> a figure.
    text = re.sub(
        r'<div style="text-align:center;">\s*<iframe[^>]*src="https://www\.youtube\.com/embed/([\w-]+)[^"]*"[^>]*>'
        r"</iframe>\s*<br>\s*(.*?)\s*</div>",
        lambda m: f"<figure>\n{video_embed(m.group(1))}\n<figcaption>{inline_html(m.group(2))}</figcaption>\n</figure>",
        text,
        flags=re.S,
    )
    # Centred video alone (selfie post) -> the video link on its own.
    text = re.sub(
        r'<div style="text-align:center;">\s*<iframe[^>]*src="https://www\.youtube\.com/embed/([\w-]+)[^"]*"[^>]*>'
        r"</iframe>\s*</div>",
        lambda m: f"<p>{video_embed(m.group(1))}</p>",
        text,
        flags=re.S,
    )
    assert "<iframe" not in text
    # imgcap divs -> figures.
    out, position = [], 0
    for match in re.finditer(r'<div class="(?:imgright )?imgcap"', text):
        if match.start() < position:
            continue
        end = find_div_end(text, match.start())
        out += [text[position : match.start()], "\n\n" + convert_figure(text[match.start() : end]) + "\n\n"]
        position = end
    text = "".join(out) + text[position:]
    # A centred single image (CIFAR post) -> the image alone.
    text = re.sub(r'<div style="text-align:center;">(<img[^>]*>)</div>', r"\1", text)
    # Stand-alone images (not yet converted: no alt), also inside a link (HN post): alt text,
    # valid sizes, a paragraph of their own.
    text = re.sub(r'<a href="([^"]+)">\s*(<img[^>]*>)\s*</a>', r'<a href="\1">\2</a>', text)

    def standalone(match: re.Match[str]) -> str:
        attrs = attributes(match.group(1))
        if "alt" in attrs:
            return match.group(0)
        return image_tag(attrs, alt_for(attrs["src"], ""))

    text = IMG.sub(standalone, text)
    lone_image = r"(?:<a href=[^>]*>)?<img[^>]*>(?:</a>)?"
    text = re.sub(rf"^({lone_image})\n(?=\S)", r"\1\n\n", text, flags=re.M)
    text = re.sub(rf"(?<=\S)\n({lone_image})$", r"\n\n\1", text, flags=re.M)
    # The guide's static circuit drawings (each is replaced by a live demo: see DEMOS).
    text = re.sub(r'<div class="svgdiv">\s*<svg.*?</svg>\s*</div>\n*', "<!--SVG-->\n\n", text, flags=re.S)
    return text


MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


def tex_from_markdown(tex: str) -> str:
    r"""Formula text as MathJax saw it: kramdown had already undone `\_`, `\*`, `\\`."""
    return MD_ESCAPE.sub(r"\1", tex)


def convert_math(text: str, slug: str) -> str:
    def paren(match: re.Match[str]) -> str:
        return "\\(" + tex_from_markdown(match.group(1)) + "\\)"

    # MathJax inline delimiters written with markdown escapes: \\( … \\)
    text = re.sub(r"\\\\\((.+?)\\\\\)", paren, text, flags=re.S)
    text = re.sub(r"\\\\\[(.+?)\\\\\]", lambda m: "$$" + tex_from_markdown(m.group(1)) + "$$", text, flags=re.S)
    # Display $$ wrapped in a bare <div>: the div goes.
    text = re.sub(r"^<div>\n(\$\$.*?\$\$)\n</div>$", r"\1", text, flags=re.S | re.M)

    def dollars(match: re.Match[str]) -> str:
        tex = match.group(1)
        before = text[: match.start()].rsplit("\n", 1)[-1]
        after = text[match.end() :].split("\n", 1)[0]
        is_block = not before.strip() and not after.strip()
        # Inside $$ kramdown does no markdown processing, but the author escaped `_` for it anyway
        # (MathJax would show a literal underscore); the subscripts are meant.
        tex = tex.replace("\\_", "_")
        return f"$${tex}$$" if is_block else f"\\({tex.strip()}\\)"

    text = re.sub(r"\$\$(.+?)\$\$", dollars, text, flags=re.S)
    return text


def escape_dollars(text: str) -> str:
    """A lone `$` in kramdown prose is a dollar sign; here `$…$` could be read as math."""
    pieces = re.split(r"(`+[^`]*?`+|\$\$.*?\$\$|\\\(.*?\\\))", text, flags=re.S)
    return "".join(p if i % 2 else re.sub(r"(?<!\\)\$", r"\\$", p) for i, p in enumerate(pieces))


def insert_demos(text: str, slug: str) -> str:
    for demo in (d for d in DEMOS if d.slug == slug):
        index = text.find(demo.anchor)
        assert index >= 0, f"{slug}: demo anchor not found: {demo.anchor}"
        end = block_end(text, index)
        if demo.replaces_svg:
            svg = text.find("<!--SVG-->\n\n", end)
            assert svg >= 0 and text[end:svg].strip() == "", f"{slug}: no SVG drawing after {demo.anchor}"
            text = text[:svg] + demo.block + "\n\n" + text[svg + len("<!--SVG-->\n\n") :]
        else:
            text = text[:end] + "\n\n" + demo.block + text[end:]
    assert "<!--SVG-->" not in text, f"{slug}: a circuit drawing has no demo"
    return text


def block_end(text: str, index: int) -> int:
    """End of the paragraph, figure or fenced code block that contains `index`."""
    line_start = text.rfind("\n", 0, index) + 1
    in_fence = sum(1 for _ in re.finditer(r"^```", text[:line_start], flags=re.M)) % 2 == 1
    if in_fence:
        closing = re.compile(r"^```\s*$", re.M).search(text, index)
        assert closing
        return closing.end()
    blank = re.compile(r"\n[ \t]*\n").search(text, index)
    end = blank.start() if blank else len(text)
    figure_open = text.rfind("<figure", 0, index)
    if figure_open > text.rfind("</figure>", 0, index):
        end = text.index("</figure>", index) + len("</figure>")
    return end


def convert_body(body: str, slug: str) -> str:
    parts = []
    for is_code, chunk in split_code(body):
        if is_code:
            parts.append(label_fence(chunk))
        else:
            chunk = convert_html_blocks(convert_liquid(chunk))
            chunk = convert_math(chunk, slug)
            parts.append(escape_dollars(chunk))
    text = "".join(parts)
    for fix_slug, old, new in FORMULA_FIXES + BROKEN_LINKS:
        if fix_slug == slug:
            assert old in text, (slug, old)
            text = text.replace(old, new)
    text = insert_demos(text, slug)
    text = re.sub(r"<figure.*?</figure>", lambda m: re.sub(r"\n\s*\n", "\n", m.group(0)), text, flags=re.S)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
    return text


# -- front matter and files ------------------------------------------------------------------------


def yaml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def front_matter(meta: dict[str, str], row: dict[str, str], has_demo: bool, has_video: bool, tags: list[str]) -> str:
    slug = row["slug"]
    lines = [f"title: {yaml_string(meta['title'])}"]
    if row["layout"] == "page":
        lines += ["layout: page", f"permalink: {row['permalink']}"]
    else:
        lines.append(f"date: {meta['date']}")
    excerpt = meta.get("excerpt") or EXCERPT[slug]
    lines += [f"excerpt: {yaml_string(excerpt)}", f"tags: [{', '.join(tags)}]"]
    if meta.get("comments") == "true":
        lines.append("comments: true")
    if row["has_math"] == "yes":
        lines.append("math: true")
    if has_demo:
        lines.append("render_with_jinja: true")
    if slug in STYLESHEETS:
        lines.append(f"stylesheets: [{', '.join(STYLESHEETS[slug])}]")
    if has_video:
        lines.append("scripts: [/assets/js/video.js]")
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def read_original(path: Path) -> tuple[dict[str, str], str]:
    text = path.read_text("utf-8")
    match = FRONT.match(text)
    assert match, path
    meta = {}
    for line in match.group(1).splitlines():
        key, _, value = line.partition(":")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        meta[key.strip()] = value
    return meta, text[match.end() :]


def rows() -> list[dict[str, str]]:
    with open(TABLE, encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def original_for(row: dict[str, str]) -> Path:
    if row["slug"] == "neuralnets":
        return ORIGINALS / "nntutorial.md"
    (path,) = [p for p in ORIGINALS.glob(f"*-{row['slug']}.markdown") if p.stem[11:] == row["slug"]]
    return path


def target_for(row: dict[str, str]) -> Path:
    if row["layout"] == "page":
        return REPO / f"{row['slug']}.md"
    return REPO / "_posts" / f"{row['date']}-{row['slug']}.md"


def current_tags(path: Path) -> list[str]:
    """Topic tags are this site's own (the originals have none): kept from the current file."""
    match = re.search(r"^tags: \[(.*)\]$", path.read_text("utf-8"), flags=re.M)
    assert match, f"{path}: no tags"
    return [tag.strip() for tag in match.group(1).split(",")]


def convert(row: dict[str, str]) -> str:
    meta, body = read_original(original_for(row))
    has_demo = any(d.slug == row["slug"] and "{{" in d.block for d in DEMOS)
    converted = convert_body(body, row["slug"])
    has_video = 'class="video-embed"' in converted
    return front_matter(meta, row, has_demo, has_video, current_tags(target_for(row))) + converted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report documents that differ; write nothing")
    args = parser.parse_args()
    differing = []
    for row in rows():
        text, target = convert(row), target_for(row)
        if args.check:
            if not target.exists() or target.read_text("utf-8") != text:
                differing.append(str(target.relative_to(REPO)))
        else:
            target.write_text(text, "utf-8")
    if differing:
        print("differ from their conversion:", *differing, sep="\n  ")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
