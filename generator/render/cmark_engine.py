"""The opt-in fast engine (`markdown: {engine: cmark}`, issue #19): GitHub's cmark-gfm (C, through
`cmarkgfm`) parses the markdown; this generator's features are passes around it, reusing the
default engine's own code so both engines agree where they can:

- before cmark, the Python-Markdown engine's preprocessors run on the text exactly as there
  (whitespace normalising, math -> MathML through tex.py, kramdown's `$$` and `{:toc}` rules,
  fenced code -> Pygments through fences.py): each leaves a placeholder in that engine's stash,
  which cmark passes through as text;
- cmark-gfm with tables, strikethrough, autolinks and footnotes, raw HTML kept (UNSAFE, and no
  `tagfilter`: posts embed demos and iframes, and the default engine keeps raw HTML too);
- after cmark: code blocks cmark found itself (indented, or fenced inside a list) highlighted with
  the same Pygments objects; attribute lists, heading ids, permalinks and the table of contents
  (cmark_passes.py); placeholders swapped back, a block one without its `<p>` as Python-Markdown
  does. Where the engines differ, tests/test_cmark_engine.py lists it with the reason."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable, Mapping
from typing import Any

import cmarkgfm
from cmarkgfm.cmark import Options
from markdown import Markdown
from markdown.extensions.codehilite import CodeHilite
from markdown.util import HTML_PLACEHOLDER_RE

from generator.render.cmark_passes import Toc, block_attributes, definition_lists, headings

# (The cache key's rules for this engine are markup.CMARK_RULES: bump them when a pass here changes its output.)
# The default engine's preprocessors that run before cmark, in its order (priority 30 to 25).
# Its html_block preprocessor (20) is left out: cmark reads raw HTML itself.
PREPROCESSORS = ("normalize_whitespace", "math", "kramdown_math", "fenced_code_block")
EXTENSIONS = ("table", "strikethrough", "autolink")  # not "tagfilter" (it escapes <iframe>, <script>)
BASE_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_SOURCEPOS | Options.CMARK_OPT_FOOTNOTES
CODE_BLOCK = re.compile(r'<pre data-sourcepos="[^"]*"><code(?: class="language-([^"]+)")?>(.*?)</code></pre>', re.S)
# cmark turns `&#2;` into the character, so Python-Markdown's placeholders could be forged from text
# (and point at no stash entry). Before cmark each real one becomes one keyed by a secret, which never
# reaches the output: the HTML stays the same from run to run.
SECRET = secrets.token_hex(8)
PLACEHOLDER = re.compile(f"\x02{SECRET}([0-9]+)\x03")
ALONE = re.compile(f"<p>(\x02{SECRET}[0-9]+\x03)</p>")
BLOCK_TAG = re.compile(r"^</?([^ >]+)")
# md_in_html's common form: an opening tag alone on its line with markdown="1", its closing tag
# alone on a later line. Blank lines inside them end cmark's HTML block, so the inside is markdown.
MARKDOWN_IN_HTML = re.compile(
    r"""^(<([A-Za-z][\w-]*)\b[^>\n]*?)[ ]+markdown=(["']?)(?:1|block)\3([^>\n]*>)[ \t]*$""", re.M
)
TEXT_QUOTES = re.compile(r">[^<>]*&quot;[^<>]*<")  # a text run holding an escaped `"` (runs never overlap)


def convert(text: str, md: Markdown, settings: Mapping[str, Any]) -> tuple[str, Toc]:
    """HTML and table of contents of `text`. `md` is the default engine for the same settings,
    freshly reset: its preprocessors and Pygments objects are used, its stash filled."""
    source = text
    for run in _passes(md):
        source = run(source)
    if "\x02" in source:  # (each pattern below starts with a fixed text: a substring test first)
        source = HTML_PLACEHOLDER_RE.sub(lambda m: f"\x02{SECRET}{m[1]}\x03", source)
    if "markdown=" in source:
        source = _markdown_in_html(source)
    options = BASE_OPTIONS | (Options.CMARK_OPT_SMART if settings.get("smart_quotes") else 0)
    out = cmarkgfm.markdown_to_html_with_extensions(source, options=options, extensions=EXTENSIONS)
    stash = md.htmlStash.rawHtmlBlocks

    def swap_back(fragment: str) -> str:
        return PLACEHOLDER.sub(lambda m: str(stash[int(m[1])]), fragment)

    if "<pre" in out:
        out = CODE_BLOCK.sub(lambda match: _highlight(md, match[1], html.unescape(match[2])), out)
    # cmark writes `"` in text as `&quot;`; Python-Markdown leaves it (same text, fewer bytes).
    if "&quot;" in out:  # (the search alone, tried at every `>`, is ~15 µs a post)
        out = TEXT_QUOTES.sub(lambda match: match[0].replace("&quot;", '"'), out)
    if "{" in out:
        out = block_attributes(out)
    if "\n:" in out:
        out = definition_lists(out)
    out, toc = headings(out, settings, swap_back)
    if "\x02" not in out:  # no placeholder left to swap back
        return out, toc
    return swap_back(ALONE.sub(lambda match: _unwrapped(md, match[1], swap_back), out)), toc


def _passes(md: Markdown) -> tuple[Callable[[str], str], ...]:
    """The engine's PREPROCESSORS as calls on text, found once per engine (looking each up in its
    registry cost ~3 µs a text): through `run_text` when a preprocessor has one (ours), so the text
    is not split into lines and joined again between passes (their `run` is `run_text` between a
    join and a split)."""
    found: tuple[Callable[[str], str], ...] | None = getattr(md, "generator_cmark_passes", None)
    if found is None:
        found = tuple(_text_pass(md.preprocessors[name]) for name in PREPROCESSORS if name in md.preprocessors)
        md.generator_cmark_passes = found  # type: ignore[attr-defined]
    return found


def _text_pass(preprocessor: Any) -> Callable[[str], str]:
    run_text = getattr(preprocessor, "run_text", None)
    if run_text is not None:
        return run_text  # type: ignore[no-any-return]
    return lambda text: "\n".join(preprocessor.run(text.split("\n")))


def _markdown_in_html(text: str) -> str:
    """Linear: searches that succeed cover disjoint stretches, and a tag whose closing line was not
    found once is not searched for again (it would not be found further on either)."""
    out, copied, unclosed = [], 0, set()
    for match in MARKDOWN_IN_HTML.finditer(text):
        if match.start() < copied or match[2] in unclosed:
            continue
        closing = re.compile(rf"^[ \t]*</{re.escape(match[2])}>[ \t]*$", re.M).search(text, match.end())
        if closing is None:
            unclosed.add(match[2])
            continue
        out += [text[copied : match.start()], f"{match[1]}{match[4]}\n\n", text[match.end() + 1 : closing.start()]]
        out += ["\n\n", closing[0]]
        copied = closing.end()
    out.append(text[copied:])
    return "".join(out)


def _unwrapped(md: Markdown, placeholder: str, swap_back: Any) -> str:
    """Python-Markdown's rule: a block-level stash entry alone in a paragraph loses the `<p>`."""
    swapped = swap_back(placeholder)
    tag = BLOCK_TAG.match(swapped)
    block = tag is not None and (tag[1][0] in "!?@%" or md.is_block_level(tag[1]))
    return swapped if block else f"<p>{placeholder}</p>"


def _highlight(md: Markdown, lang: str | None, code: str) -> str:
    """A code block the fence preprocessor did not take: codehilite's treeprocessor's rule (an
    indented block's `:::lang` line names its language), with fences.py's reused objects."""
    config = dict(md.treeprocessors["hilite"].config)  # type: ignore[attr-defined]
    style = config.pop("pygments_style", "default")
    block = CodeHilite(code, tab_length=md.tab_length, style=style, **{**config, "lang": lang})
    if lang:
        return md.preprocessors["fenced_code_block"].objects.hilite(block)  # type: ignore[attr-defined]
    return block.hilite()
