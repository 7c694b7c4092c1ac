"""Line-aware, bounded YAML: every value keeps the line it came from.

Only plain data (mappings, lists, scalars) is produced; aliases, Python tags and deep nesting
are rejected with a located message instead of being expanded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

try:  # libyaml is ~6x faster and keeps node marks
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - wheels ship libyaml on every supported platform
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 20
_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_STANDARD_PREFIX = "tag:yaml.org,2002:"
# YAML's printable set. Raw text is checked before parsing; this catches the same characters
# written as escapes ("\x00", "\e", "\uFFFE"), which XML feeds and terminals cannot take.
NOT_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Located:
    """A YAML value and where it starts (1-based line and column in the whole file)."""

    value: Any  # dict[str, Located] | list[Located] | scalar
    line: int
    column: int = 1

    def plain(self) -> Any:
        """The value with all location wrappers removed."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


@dataclass(frozen=True)
class BadScalar:
    """A scalar that cannot be read (an impossible date, an escaped control character), kept in
    its place by ``parse_yaml(lenient=True)`` so the rest of the file is still checked and
    every problem is reported in one run. ``message`` does not name the key."""

    message: str
    line: int
    column: int = 0


class YamlError(Exception):
    """Bad YAML; ``line``/``column`` are 1-based in the whole file."""

    def __init__(self, message: str, line: int, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def parse_yaml(text: str, *, line_offset: int = 0, lenient: bool = False) -> Located | None:
    """Parse one YAML document. ``line_offset`` is added to lines (front matter starts later).

    Returns None for an empty document. Raises YamlError; with ``lenient`` a scalar that cannot
    be read becomes a BadScalar value instead, and only the document's structure can fail.
    """
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = (mark.line + 1 + line_offset) if mark else line_offset + 1
            column = (mark.column + 1) if mark else 0
            problem = exc.problem or exc.context or "invalid YAML"
            if problem.startswith("but ") and exc.context:  # "but found another document"
                problem = f"{exc.context}, {problem}"
            raise YamlError(f"YAML syntax error: {problem}", line, column) from None
        except yaml.YAMLError as exc:
            raise YamlError(f"YAML error: {exc}", line_offset + 1) from None
        if node is None:
            return None
        _refuse_aliases(text, line_offset)
        return _convert(loader, node, line_offset, depth=0, seen=set(), lenient=lenient)
    finally:
        loader.dispose()


def _refuse_aliases(text: str, offset: int) -> None:
    """Report the first alias where it is written (composed nodes only know the anchor).

    Aliases are refused outright: that also disarms "billion laughs" bombs.
    """
    if "*" not in text:
        return
    for event in yaml.parse(text, Loader=_Loader):  # the text already parsed once
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            raise YamlError("YAML aliases (*name) are not allowed", mark.line + 1 + offset,
                            mark.column + 1)


def _convert(loader: Any, node: yaml.Node, offset: int, depth: int, seen: set[int],
             lenient: bool = False) -> Located:
    line = node.start_mark.line + 1 + offset
    column = node.start_mark.column + 1
    if id(node) in seen:
        raise YamlError("YAML aliases (*name) are not allowed here", line, column)
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise YamlError(f"YAML nested more than {MAX_DEPTH} levels deep", line, column)
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        raise YamlError(f"tag '{_short_tag(node.tag)}' is not allowed", line, column)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Located] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError("mapping keys must be plain text", key_node.start_mark.line + 1
                                + offset, key_node.start_mark.column + 1)
            key = str(_scalar(loader, key_node, offset))
            if key in result:
                raise YamlError(f"duplicate key '{key}'", key_node.start_mark.line + 1 + offset,
                                key_node.start_mark.column + 1)
            key_line = key_node.start_mark.line + 1 + offset
            if id(value_node) in seen:  # report the alias where it is used, not its anchor
                raise YamlError("YAML aliases (*name) are not allowed here", key_line,
                                key_node.start_mark.column + 1)
            # A value is reported at its key's line: that is where people look.
            value = _convert_value(loader, key, value_node, offset, depth, seen, lenient)
            result[key] = Located(value.value, key_line, key_node.start_mark.column + 1)
        return Located(result, line, column)
    if isinstance(node, yaml.SequenceNode):
        return Located([_convert(loader, item, offset, depth + 1, seen, lenient)
                        for item in node.value], line, column)
    try:
        return Located(_scalar(loader, node, offset), line, column)
    except YamlError as exc:
        if not lenient:
            raise
        return Located(BadScalar(exc.message, exc.line, exc.column), line, column)


def _convert_value(loader: Any, key: str, node: yaml.Node, offset: int, depth: int,
                   seen: set[int], lenient: bool = False) -> Located:
    """Convert a mapping value; a bad scalar's message names its key."""
    try:
        return _convert(loader, node, offset, depth + 1, seen, lenient)
    except YamlError as exc:
        named = exc.message.startswith(("no such date", "control character"))
        if isinstance(node, yaml.ScalarNode) and named:
            raise YamlError(f"{key}: {exc.message}", exc.line, exc.column) from None
        raise


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_STANDARD_PREFIX) if tag.startswith(_STANDARD_PREFIX) else tag


def _scalar(loader: Any, node: yaml.ScalarNode, offset: int) -> Any:
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or node.start_mark
        problem = f"tag '{_short_tag(node.tag)}' is not allowed" if node.tag else (
            (exc.problem or "unsupported value").split("\n")[0])
        raise YamlError(problem, mark.line + 1 + offset, mark.column + 1) from None
    except ValueError:  # an impossible date such as 2024-02-30
        shown = node.value if len(node.value) <= 40 else node.value[:36] + "..."
        problem = (f"no such date '{shown}'" if node.tag.endswith(":timestamp")
                   else f"invalid value '{shown}' ({len(node.value)} characters)"
                   if len(node.value) > 40 else f"invalid value '{shown}'")
        raise YamlError(problem, node.start_mark.line + 1 + offset,
                        node.start_mark.column + 1) from None
    bad = NOT_PRINTABLE.search(value) if isinstance(value, str) else None
    if bad is not None:
        raise YamlError(f"control character U+{ord(bad.group()):04X} is not allowed (written as "
                        "an escape)", node.start_mark.line + 1 + offset,
                        node.start_mark.column + 1)
    return value


def scalar_source(value: Located) -> str:
    """Text form of a scalar for messages (dates and numbers as written)."""
    return str(value.value)
