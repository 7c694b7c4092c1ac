"""Remembered output of leaf templates, such as the paper card a list page includes once per
paper (``paperboy serve``): a tag page of 3,000 papers is then mostly joining strings.

A template qualifies when it extends, includes and imports nothing, and has no blocks, macros,
``{% set %}`` or ``random`` filter; its output is then a function of the values of the names it
reads. A call is remembered only when each of those values is frozen: plain scalars, Markup,
dates, the view dataclasses of generator/site/views.py, or tuples of these. Any other value (a
function such as ``asset``, a loop, a namespace, a dict) renders as usual. The same bytes
either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.utils import missing
from markupsafe import Markup

MAX_ENTRIES = 100_000  # remembered outputs; then the memo starts afresh
_SCALARS = (str, int, float, bool, type(None), dt.date, Markup)
_VIEWS_MODULE = "generator.site.views"
# blocks and other templates make the output depend on more than the names read; macros and
# assignments are what ``{% import %}`` takes from a template, which needs it really run
_NOT_LEAF = (nodes.Extends, nodes.Block, nodes.Include, nodes.Import, nodes.FromImport,
             nodes.Macro, nodes.Assign, nodes.AssignBlock)

# (template name, source, values of the names it reads) -> output; lives as long as the
# process, across template environments (serve makes one per rebuild)
_MEMO: dict[tuple, str] = {}
# (template name, ids of the values) -> (source, the values, output)
_BY_ID: dict[tuple, tuple[tuple, tuple, str]] = {}
# (options, name, file name, source) -> compiled template code
_CODE: dict[tuple, Any] = {}
# template source -> the names it reads, or None when it is not a leaf
_LEAVES: dict[str, tuple[str, ...] | None] = {}


class FragmentEnvironment(jinja2.Environment):
    """An Environment whose leaf templates remember their output."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.template_class = FragmentTemplate
        self.leaves: dict[str, tuple[tuple, tuple[str, ...]]] = {}  # name -> (source, names)
        # the options that change output, so that other environments never share a memo entry
        self.options = (self.autoescape, self.trim_blocks, self.lstrip_blocks,
                        self.keep_trailing_newline, self.undefined, self.finalize)
        # what else the compiled code depends on: the syntax and the optimizer
        self.compile_options = (
            self.block_start_string, self.block_end_string, self.variable_start_string,
            self.variable_end_string, self.comment_start_string, self.comment_end_string,
            self.line_statement_prefix, self.line_comment_prefix, self.newline_sequence,
            self.optimized, tuple(self.extensions), self.is_async)

    def compile(self, source: Any, name: str | None = None, filename: str | None = None,
                raw: bool = False, defer_init: bool = False) -> Any:
        if not isinstance(source, str) or name is None or raw or defer_init:
            return super().compile(source, name, filename, raw, defer_init)
        names = leaf_names(self, source)
        if names is not None:
            self.leaves[name] = ((self.options, source), names)
        # serve makes an environment per rebuild: compile each template source once
        key = (self.options, self.compile_options, name, filename, source)
        code = _CODE.get(key)
        if code is None:
            code = super().compile(source, name, filename)
            if len(_CODE) > 1024:
                _CODE.clear()
            _CODE[key] = code
        return code


class FragmentTemplate(jinja2.Template):
    leaf = False

    @classmethod
    def _from_namespace(cls, environment: jinja2.Environment, namespace: MutableMapping[str, Any],
                        globals: MutableMapping[str, Any]) -> jinja2.Template:
        template = super()._from_namespace(environment, namespace, globals)
        leaf = getattr(environment, "leaves", {}).get(template.name)
        if leaf is not None:
            template.root_render_func = _remembering(template.root_render_func,
                                                     template.name, *leaf)
            template.leaf = True
        return template

    def new_context(self, vars: dict[str, Any] | None = None, shared: bool = False,
                    locals: Mapping[str, Any] | None = None) -> Any:
        """For a leaf, a context that is only made if the output is not remembered: an
        include copies every variable of the page into a new context, per card."""
        if not self.leaf:
            return super().new_context(vars, shared, locals)
        return PendingContext(self, vars, shared, locals)


class PendingContext:
    """What Template.new_context would return, made when first needed; until then it only
    looks names up, exactly as the real one would (jinja2.runtime.new_context)."""

    def __init__(self, template: jinja2.Template, vars: dict[str, Any] | None, shared: bool,
                 locals: Mapping[str, Any] | None) -> None:
        self._template, self._vars, self._shared, self._locals = template, vars, shared, locals
        self._real: Any = None

    def resolve_or_missing(self, key: str) -> Any:
        if self._real is not None:
            return self._real.resolve_or_missing(key)
        if self._locals:
            value = self._locals.get(key, missing)
            if value is not missing:
                return value
        if self._vars and key in self._vars:
            return self._vars[key]
        if not self._shared and key in self._template.globals:
            return self._template.globals[key]
        return missing

    def real(self) -> Any:
        if self._real is None:
            self._real = jinja2.Template.new_context(self._template, self._vars, self._shared,
                                                     self._locals)
        return self._real

    def __getattr__(self, name: str) -> Any:  # anything else: the real context
        return getattr(self.real(), name)


def forget() -> None:
    """Drop every remembered output (they are only ever shortcuts)."""
    _MEMO.clear()
    _BY_ID.clear()


def leaf_names(env: jinja2.Environment, source: str) -> tuple[str, ...] | None:
    """The names a leaf template reads, sorted; None when it is not a leaf."""
    if source not in _LEAVES:
        bare = env.overlay()
        bare.globals = {}  # else meta leaves out the globals a template reads (asset, range)
        try:
            tree = bare.parse(source)
        except jinja2.TemplateSyntaxError:
            return None  # compiling reports it
        leaf = not any(True for _ in tree.find_all(_NOT_LEAF)) and not any(
            f.name == "random" for f in tree.find_all(nodes.Filter))
        if len(_LEAVES) > 4096:
            _LEAVES.clear()
        _LEAVES[source] = tuple(sorted(meta.find_undeclared_variables(tree))) if leaf else None
    return _LEAVES[source]


def _remembering(run: Callable[[Any], Iterator[str]], name: str | None, source: tuple,
                 names: tuple[str, ...]) -> Callable[[Any], Iterator[str]]:
    def render(context: Any) -> Iterator[str]:
        return run(context.real() if isinstance(context, PendingContext) else context)

    def root(context: Any) -> Iterator[str]:
        values = tuple(context.resolve_or_missing(n) for n in names)
        # the same objects as last time (a card the plan kept): no hashing of whole views
        ids = (name, *map(id, values))
        seen = _BY_ID.get(ids)
        if seen is not None and seen[0] == source and all(
                a is b for a, b in zip(seen[1], values, strict=True)):
            yield seen[2]
            return
        if not all(_frozen(v) for v in values):
            yield from render(context)
            return
        key = (name, source, values)
        try:
            output = _MEMO.get(key)
        except TypeError:  # a frozen view holding something unhashable after all
            yield from render(context)
            return
        if output is None:
            output = "".join(render(context))
            if len(_MEMO) >= MAX_ENTRIES:
                _MEMO.clear()
            _MEMO[key] = output
        if len(_BY_ID) >= MAX_ENTRIES:
            _BY_ID.clear()
        _BY_ID[ids] = (source, values, output)  # holds the values: their ids stay theirs
        yield output
    return root


def _frozen(value: object) -> bool:
    if isinstance(value, _SCALARS) or value is missing:
        return True
    if type(value) is tuple:
        return all(_frozen(v) for v in value)  # type: ignore[union-attr]
    return type(value).__module__ == _VIEWS_MODULE and getattr(
        type(value), "__dataclass_params__", None) is not None and type(
        value).__dataclass_params__.frozen  # type: ignore[attr-defined]
