"""Lists as GitHub's preview (CommonMark) reads them, rewritten for Python-Markdown.

Contributors check their abstract in GitHub's preview. Python-Markdown differs on lists in
three ways that they meet: a list must follow a blank line, items are numbered only with
``1.``, and a nested list needs four spaces. ``commonmark_lists`` rewrites the list lines of a
block text so that Python-Markdown (with ``sane_lists``) builds the lists CommonMark would:

- a bullet list, or an ordered list starting at 1, may interrupt a paragraph (a blank line is
  put before it);
- ``1)`` items become ``1.`` items;
- each item's nesting comes from CommonMark's rule (a line belongs to an item when it is
  indented at least to the item's content), and is written as four spaces per level.

One pass over the lines with a stack of open items: linear in the length of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ITEM_RE = re.compile(r"( *)([-+*]|(\d{1,9})[.)])(?:([ \t]+)(.*)|$)")
_THEMATIC_BREAK_RE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE_RE = re.compile(r" {0,3}(?:```|~~~)")
_NOT_PARAGRAPH_RE = re.compile(r" {0,3}(?:#|>)")
_INDENT = "    "  # Python-Markdown's tab_length
# Deeper items are written at this depth: Python-Markdown nests lists by recursion, and a few
# hundred levels (hostile input) raise RecursionError.
MAX_DEPTH = 8


@dataclass(frozen=True)
class _Item:
    content_column: int  # a line indented this far belongs to the item
    ordered: bool


def commonmark_lists(text: str) -> str:
    """``text`` with its list lines rewritten as described in the module docstring."""
    lines = text.expandtabs(4).split("\n")
    out: list[str] = []
    open_items: list[_Item] = []
    # blank | paragraph | nested (text inside an item after a blank line) | other (a list
    # item, heading, quote or fence, or a lazy line inside a list)
    previous = "blank"
    fenced = False
    for line in lines:
        if _FENCE_RE.match(line):
            fenced = not fenced
        if fenced or _FENCE_RE.match(line):
            out.append(line)
            previous = "other"
            continue
        if not line.strip():
            out.append("")
            previous = "blank"
            continue
        item = _ITEM_RE.fullmatch(line)
        if item and not _THEMATIC_BREAK_RE.match(line) and _may_start_here(
                item, previous, bool(open_items)):
            out.extend(_item_lines(item, open_items, previous))
            previous = "other"
            continue
        indent = len(line) - len(line.lstrip(" "))
        if open_items and previous == "blank":
            while open_items and indent < open_items[-1].content_column:
                open_items.pop()
            if open_items:
                line = _INDENT * min(len(open_items), MAX_DEPTH) + line.lstrip(" ")
                previous = "nested"
        out.append(line)
        if previous not in ("paragraph", "nested"):  # a paragraph's next lines stay in it
            previous = "other" if _NOT_PARAGRAPH_RE.match(line) or open_items else "paragraph"
    return "\n".join(out)


def _may_start_here(item: re.Match[str], previous: str, in_list: bool) -> bool:
    """CommonMark: only a non-empty bullet or a list starting at 1 interrupts a paragraph."""
    if previous != "paragraph" or in_list:
        return True
    number = item[3]
    return bool(item[5] and item[5].strip()) and (number is None or int(number) == 1)


def _item_lines(item: re.Match[str], open_items: list[_Item], previous: str) -> list[str]:
    """The item's line, after a blank line where Python-Markdown would otherwise read it as
    part of the text before it: a paragraph, text inside an item, or a list of another kind."""
    indent = len(item[1])
    ordered = item[3] is not None
    sibling = None
    while open_items and indent < open_items[-1].content_column:
        sibling = open_items.pop()
    other_kind = sibling is not None and sibling.ordered != ordered
    marker = item[3] + "." if ordered else item[2]
    spaces = len(item[4] or " ")
    width = len(item[2]) + (1 if spaces > 4 or not item[5] else spaces)
    separate = (previous == "paragraph" and not open_items) or previous == "nested" or other_kind
    lines = [""] if separate else []
    depth = min(len(open_items), MAX_DEPTH)
    lines.append(f"{_INDENT * depth}{marker} {item[5] or ''}".rstrip())
    open_items.append(_Item(indent + width, ordered))
    return lines
