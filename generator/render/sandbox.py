"""The environment for Jinja written inside posts and pages: Jinja's immutable sandbox, plus
attributes only on template data (template_data.py), includes only from `_includes/`, and resource
limits (output bytes, loop iterations, recursion depth) that end in a located one-line error.

Layouts and includes rendered as layouts are the theme's own code and are not limited here."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Cycler, Joiner, Namespace

from generator.config_schema import JINJA_LIMITS
from generator.errors import TemplateError
from generator.render.template_data import SCALARS, VIEWS

# What a post's Jinja may read attributes of: data, plus Jinja's own helpers (loop, namespace …).
# Lists and dicts appear only as fresh results of filters (`where`, `sort`); the immutable sandbox
# refuses their mutating methods.
READABLE = (*SCALARS, *VIEWS, tuple, list, dict, range, LoopContext, Macro, Namespace, Cycler, Joiner, jinja2.Undefined)
FORMAT_WIDTH = re.compile(r"\d+")


@dataclass(frozen=True)
class JinjaLimits:
    output_bytes: int = JINJA_LIMITS["output_bytes"].default
    loop_iterations: int = JINJA_LIMITS["loop_iterations"].default
    recursion_depth: int = JINJA_LIMITS["recursion_depth"].default


def limits_from_config(values: Mapping[str, Any]) -> JinjaLimits:
    """`jinja_limits: {output_bytes: …, loop_iterations: …, recursion_depth: …}` in _config.yml."""
    raw = values.get("jinja_limits") or {}  # checked against the schema when the config loaded
    known = {f.name for f in fields(JinjaLimits)}
    raw = {key: value for key, value in raw.items() if key in known}
    return JinjaLimits(**raw)


class LimitExceeded(TemplateError):
    """Raised inside the template frame, so template_error() reports the post's own line."""


class IncludeNotFound(jinja2.TemplateNotFound):
    """Not in `_includes/` (or outside it): reported with the rule, not the layouts' advice."""


class IncludesLoader(jinja2.BaseLoader):
    """A post may include (import, extend) files of `_includes/` only — not `.env`, not a layout."""

    def __init__(self, root: Path, text: Callable[[Path, str], str]) -> None:
        self.root = root
        self.folder = (root / "_includes").resolve()
        self.text = text

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = (self.folder / template.lstrip("/")).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            raise IncludeNotFound(template)
        relative = path.relative_to(self.root.resolve()).as_posix()
        mtime = path.stat().st_mtime
        return self.text(path, relative), relative, lambda: path.stat().st_mtime == mtime


class LimitedCodeGenerator(CodeGenerator):
    """Every `for` loop iterates through `environment.counted(…)`; every `~` result is size-checked."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        node.iter = nodes.Call(nodes.EnvironmentAttribute("counted"), [node.iter], [], None, None)
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.sized(")
        super().visit_Concat(node, frame)
        self.write(")")


class PostSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = LimitedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, limits: JinjaLimits, **options: Any) -> None:
        super().__init__(**options)
        self.limits = limits
        self.iterations = 0
        self.depth = 0
        self.globals["lipsum"] = self.charged_lipsum
        self.finalize = self.sized

    def begin(self) -> None:
        """Limits are per document: reset before each render."""
        self.iterations = 0
        self.depth = 0

    # -- what may be read -------------------------------------------------------------------
    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return isinstance(obj, READABLE) and super().is_safe_attribute(obj, attr, value)

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        # An error at once, not an Undefined that prints as "" and hides the attempt.
        raise SecurityError(f"attribute {attribute!r} of a {type(obj).__name__!r} value is not template data")

    # -- limits ---------------------------------------------------------------------------------
    def fail(self, what: str, key: str) -> LimitExceeded:
        return LimitExceeded(
            f"post Jinja exceeded {what}; simplify the template or raise jinja_limits.{key} in _config.yml"
        )

    def counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.charge(1)
            yield item

    def charge(self, iterations: int) -> None:
        self.iterations += iterations
        if self.iterations > self.limits.loop_iterations:
            raise self.fail(f"{self.limits.loop_iterations} loop iterations", "loop_iterations")

    def charged_lipsum(self, n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
        self.charge(n * max)  # placeholder text is cheap per word, but not per million paragraphs
        return self.sized(jinja2.utils.generate_lorem_ipsum(n, html, min, max))

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:  # noqa: A002
        # An include renders inside the including template's frame: count those frames, so an
        # include that includes itself ends at the recursion limit, not in Python's RecursionError.
        frame, depth = sys._getframe(), 0
        while frame is not None:
            depth += frame.f_code.co_name == "root" and "__jinja_template__" in frame.f_globals
            frame = frame.f_back
        if depth > self.limits.recursion_depth:
            raise self.fail(f"recursion depth {self.limits.recursion_depth}", "recursion_depth")
        return super().get_template(name, parent, globals)

    def sized(self, value: Any) -> Any:
        if isinstance(value, (str, list, tuple)) and len(value) > self.limits.output_bytes:
            raise self.fail(f"{self.limits.output_bytes} bytes of output", "output_bytes")
        return value

    def check_arguments(self, args: Iterable[Any]) -> None:
        """A number larger than the output limit (`"x"|center(10**9)`, `s.ljust(10**9)`) can only
        make a value too large to publish: refuse it before it is built. A range handed to a filter
        or method (`range(99999)|sum`) is iterated without a `for`: charge it as loop iterations."""
        for arg in args:
            if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > self.limits.output_bytes:
                raise self.fail(f"{self.limits.output_bytes} bytes of output", "output_bytes")
            if isinstance(arg, range):
                self.charge(len(arg))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if __obj == __self.counted:  # the wrapper visit_For puts around every loop's iterable
            return __self.counted(*args)
        __self.check_arguments((*args, *kwargs.values()))
        __self._check_string_method(__obj, args)
        if isinstance(__obj, LoopContext):  # `loop(children)` in a recursive for
            args = (__self.counted(args[0]), *args[1:]) if args else args
        nested = isinstance(__obj, (Macro, LoopContext))
        if nested:
            __self.depth += 1
            if __self.depth > __self.limits.recursion_depth:
                __self.depth = 0
                raise __self.fail(f"recursion depth {__self.limits.recursion_depth}", "recursion_depth")
        try:
            return __self.sized(super().call(__context, __obj, *args, **kwargs))
        finally:
            if nested and __self.depth:
                __self.depth -= 1

    def _check_string_method(self, method: Any, args: tuple[Any, ...]) -> None:
        target = getattr(method, "__wrapped__", method)
        receiver = getattr(target, "__self__", None)
        if not isinstance(receiver, str):
            return
        name = getattr(target, "__name__", "")
        if name in ("format", "format_map"):
            self.check_arguments(
                int(n) for field in re.findall(r"\{[^{}]*\}", receiver) for n in FORMAT_WIDTH.findall(field)
            )
        elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
            count = receiver.count(args[0]) if args[0] else len(receiver) + 1
            self.check_arguments([len(receiver) + count * max(0, len(args[1]) - len(args[0]))])
        elif name == "join" and args and isinstance(args[0], (list, tuple)):
            parts = args[0]
            self.check_arguments([sum(len(p) for p in parts if isinstance(p, str)) + len(receiver) * len(parts)])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
                    self.check_arguments([len(sequence) * times])
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
            if right * math.log2(abs(left)) > 8 * self.limits.output_bytes:
                raise self.fail(f"{self.limits.output_bytes} bytes of output", "output_bytes")
        elif operator == "%" and isinstance(left, str):
            self.check_arguments(int(n) for n in FORMAT_WIDTH.findall(left))
        return self.sized(super().call_binop(context, operator, left, right))


def guarded_filter(env: PostSandbox, function: Callable[..., Any]) -> Callable[..., Any]:
    """Filters are called directly by compiled code, not through `call`: check them here."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        env.check_arguments((*args, *kwargs.values()))
        return env.sized(function(*args, **kwargs))

    guarded.__dict__.update(getattr(function, "__dict__", {}))  # keeps Jinja's pass_context / pass_environment marks
    return guarded


def render_limited(env: PostSandbox, template: jinja2.Template, context: Mapping[str, Any]) -> str:
    """Render, counting output bytes as they are produced; past the limit the error is thrown into
    the template where it is paused, so the message names the post's line that was printing."""
    env.begin()
    chunks: list[str] = []
    size = 0
    stream = template.generate(context)
    for chunk in stream:
        size += len(chunk.encode("utf-8", "surrogatepass")) if not chunk.isascii() else len(chunk)
        if size > env.limits.output_bytes:
            stream.throw(env.fail(f"{env.limits.output_bytes} bytes of output", "output_bytes"))
        chunks.append(chunk)
    return "".join(chunks)
