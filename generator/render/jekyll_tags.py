"""Jekyll's Liquid tags: `include` with `key=value` parameters (read as `include.key`),
`include_relative` (confined to the site), `highlight` (Pygments), `link`, `post_url`, and the
tags of the plugins built in here: jekyll-seo-tag's `seo`, jekyll-feed's `feed_meta` and jekyll-gist's
`gist` (a link, when the site names the plugin)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

import liquid
from liquid.ast import BlockNode, Node
from liquid.builtin.expressions import FilteredExpression
from liquid.builtin.expressions._tokenize import tokenize
from liquid.exceptions import LiquidError, LiquidSyntaxError, TemplateNotFoundError
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_TAG, Token
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from generator.frontmatter import decode_text, parse_document
from generator.render import jekyll_plugins, jekyll_seo

# Jekyll's include syntax: a file name (or `{{ variable }}`) then `key=value` pairs.
INCLUDE = re.compile(r"\s*(?P<name>{{.*?}}|[^\s{]+)(?P<params>.*)", re.S)
PARAM = re.compile(r"""(?P<key>[\w-]+)\s*=\s*(?P<value>"[^"]*"|'[^']*'|[\w.\[\]"'-]+)""")


def body_text(path: Path, relative: str) -> str:
    """The file without its front matter, padded with blank lines so error lines are real lines."""
    text = decode_text(path.read_bytes(), relative)
    document = parse_document(text, relative)
    if not document.has_front_matter:
        return text
    return "\n" * (document.body_line - 1) + document.body


class IncludeNode(Node):
    __slots__ = ("name", "params", "relative", "root")

    def __init__(self, token: Token, name: str, params: list[tuple[str, Any]], relative: bool, root: Path):
        super().__init__(token)
        self.name, self.params, self.relative, self.root = name, params, relative, root

    def _name(self, context: Any) -> str:
        if self.name.startswith("{{"):
            return context.env.from_string(self.name).render(**_flat(context)).strip()
        return self.name

    def _template(self, context: Any, name: str) -> Any:
        if not self.relative:
            return context.env.get_template(name)
        # include_relative: beside the including file, and never outside the site.
        base = (self.root / (context.template.name or "")).parent
        path = (base / name).resolve()
        if not path.is_relative_to(self.root.resolve()) or not path.is_file():
            raise TemplateNotFoundError(
                f"{name!r}: include_relative reads files inside the site only", token=self.token
            )
        relative = path.relative_to(self.root.resolve()).as_posix()
        return context.env.from_string(body_text(path, relative), name=relative)

    def render_to_output(self, context: Any, buffer: TextIO) -> int:
        name = self._name(context)
        try:
            template = self._template(context, name)
        except TemplateNotFoundError as e:  # reported at the including file's line
            e.token, e.template_name = self.token, context.template.name
            raise
        values = {key: value.evaluate(context) for key, value in self.params}
        with context.extend({"include": values}, template=template):
            template.render_with_context(context, buffer, partial=True)
        return True


def _flat(context: Any) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name in ("site", "page", "layout", "include", "paginator", "jekyll"):
        value = context.resolve(name)
        if value is not None and not isinstance(value, liquid.Undefined):
            flat[name] = value
    return flat


class IncludeTag(Tag):
    block = False

    def __init__(self, env: liquid.Environment, root: Path, relative: bool) -> None:
        super().__init__(env)
        self.root, self.relative = root, relative
        self.name = "include_relative" if relative else "include"

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        if stream.current.kind != TOKEN_EXPRESSION:
            raise LiquidSyntaxError(f"{self.name} needs a file name", token=token)
        match = INCLUDE.match(stream.current.value)
        assert match is not None  # the pattern accepts any non-empty expression
        params = []
        rest = match["params"]
        for found in PARAM.finditer(rest):
            inner = TokenStream(tokenize(found["value"], parent_token=stream.current))
            params.append((found["key"], FilteredExpression.parse(self.env, inner)))
        leftover = PARAM.sub("", rest).strip()
        if leftover:
            raise LiquidSyntaxError(f'{self.name}: cannot read {leftover!r}; write key="value"', token=token)
        # (the parser moves past the expression token itself)
        return IncludeNode(token, match["name"], params, self.relative, self.root)


class HighlightNode(Node):
    __slots__ = ("language", "linenos", "body")

    def __init__(self, token: Token, language: str, linenos: bool, body: BlockNode) -> None:
        super().__init__(token)
        self.language, self.linenos, self.body = language, linenos, body

    def render_to_output(self, context: Any, buffer: TextIO) -> int:
        code = _render(self.body, context)
        try:
            lexer = get_lexer_by_name(self.language)
        except ClassNotFound:
            lexer = TextLexer()
        formatter = HtmlFormatter(nowrap=not self.linenos, linenos="table" if self.linenos else False)
        highlighted = pygments_highlight(code.strip("\n"), lexer, formatter)
        lang = html.escape(self.language)
        buffer.write(
            f'<figure class="highlight"><pre><code class="language-{lang}" data-lang="{lang}">'
            f"{highlighted}</code></pre></figure>"
        )
        return True


def _render(block: BlockNode, context: Any) -> str:
    from io import StringIO

    out = StringIO()
    block.render(context, out)
    return out.getvalue()


class HighlightTag(Tag):
    name = "highlight"
    end = "endhighlight"

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        words = stream.current.value.split() if stream.current.kind == TOKEN_EXPRESSION else []
        if not words:
            raise LiquidSyntaxError("highlight needs a language, e.g. {% highlight python %}", token=token)
        if stream.current.kind == TOKEN_EXPRESSION:
            next(stream)
        body = get_parser(self.env).parse_block(stream, frozenset(("endhighlight", TOKEN_EOF)))
        stream.expect(TOKEN_TAG, value="endhighlight")
        return HighlightNode(token, words[0], "linenos" in words[1:], body)


class ValueNode(Node):
    """A tag whose output is computed from its argument text (`link`, `post_url`, `seo` …)."""

    __slots__ = ("argument", "compute")

    def __init__(self, token: Token, argument: str, compute: Callable[[Any, str], str]) -> None:
        super().__init__(token)
        self.argument, self.compute = argument, compute

    def render_to_output(self, context: Any, buffer: TextIO) -> int:
        try:
            buffer.write(self.compute(context, self.argument))
        except LookupError as e:
            raise LiquidError(str(e.args[0]), token=self.token) from e
        return True


def value_tag(tag_name: str, compute: Callable[[Any, str], str]) -> type[Tag]:
    class ValueTag(Tag):
        block = False
        name = tag_name

        def parse(self, stream: TokenStream) -> Node:
            # The parser moves past the current token after parse(): stay on the last one we read.
            token = stream.current
            argument = ""
            if stream.peek.kind == TOKEN_EXPRESSION:
                next(stream)
                argument = stream.current.value.strip()
            return ValueNode(token, argument, compute)

    return ValueTag


def register(
    env: liquid.Environment, root: Path, links: Mapping[str, str], site_values: Callable[[], Mapping[str, Any]]
) -> None:
    baseurl = str(site_values().get("baseurl") or "")

    def link(context: Any, argument: str) -> str:
        target = argument.strip().strip("'\"")
        if target not in links:
            raise LookupError(f"link: no page or post at {target!r}; give its path from the site root")
        return baseurl + links[target]

    def post_url(context: Any, argument: str) -> str:
        target = argument.strip().strip("'\"")
        key = "post:" + target.rsplit("/", 1)[-1]
        if key not in links:
            raise LookupError(f"post_url: no post named {target!r}; give YYYY-MM-DD-slug of a file in _posts/")
        return baseurl + links[key]

    def gist(context: Any, argument: str) -> str:
        words = argument.split()
        if not words:
            raise LookupError("gist: give the gist's id, e.g. {% gist user/1234567 [file.py] %}")

        def value(word: str) -> str:  # jekyll-gist reads a variable of that name when there is one
            found = context.resolve(word) if re.fullmatch(r"[A-Za-z_]\w*", word) else None
            return str(found) if found is not None and not isinstance(found, liquid.Undefined) else word

        return jekyll_plugins.gist_link(value(words[0]), value(words[1]) if len(words) > 1 else "")

    env.tags["include"] = IncludeTag(env, root, relative=False)
    env.tags["include_relative"] = IncludeTag(env, root, relative=True)
    env.tags["highlight"] = HighlightTag(env)
    env.tags["link"] = value_tag("link", link)(env)
    env.tags["post_url"] = value_tag("post_url", post_url)(env)
    if "jekyll-gist" in jekyll_plugins.named(site_values()):
        env.tags["gist"] = value_tag("gist", gist)(env)
    env.tags["seo"] = value_tag("seo", lambda c, a: jekyll_seo.seo(_flat(c), a))(env)
    env.tags["feed_meta"] = value_tag("feed_meta", lambda c, a: jekyll_seo.feed_meta(_flat(c)))(env)
