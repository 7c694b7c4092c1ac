"""Diagnostics: user-facing problems with a file and line, collected rather than raised.

Nothing here prints; formatting is pure so tests can assert on exact strings.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in user input, e.g. ``content/a.md:4: error: date: must be YYYY-MM-DD``."""

    path: str
    line: int = 0
    column: int = 0
    level: Level = Level.ERROR
    field: str = ""
    message: str = ""
    hint: str = ""

    def format(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        text = f"{where}: {self.level.value}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def format_github(self) -> str:
        """A GitHub Actions workflow command, so the problem shows on the PR diff."""
        command = "error" if self.level is Level.ERROR else "warning"
        props = f"file={_escape_property(self.path)}"
        if self.line:
            props += f",line={self.line}"
        if self.column:
            props += f",col={self.column}"
        message = f"{self.field}: {self.message}" if self.field else self.message
        return f"::{command} {props}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass
class Diagnostics:
    """A collector passed explicitly to each stage (never a global)."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, line: int, message: str, *, field: str = "", column: int = 0,
              hint: str = "") -> None:
        self.items.append(Diagnostic(path, line, column, Level.ERROR, field, message, hint))

    def warning(self, path: str, line: int, message: str, *, field: str = "", column: int = 0,
                hint: str = "") -> None:
        self.items.append(Diagnostic(path, line, column, Level.WARNING, field, message, hint))

    def extend(self, items: Iterable[Diagnostic]) -> None:
        self.items.extend(items)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_errors(self) -> bool:
        return any(d.level is Level.ERROR for d in self.items)

    def sorted(self) -> tuple[Diagnostic, ...]:
        return tuple(sorted(set(self.items), key=_sort_key))


def _sort_key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.path, d.line, d.column, d.field, d.message)


def summarize(diagnostics: Iterable[Diagnostic]) -> str:
    """'2 errors, 1 warning in 2 files' (empty string when there is nothing)."""
    items = list(diagnostics)
    if not items:
        return ""
    errors = sum(1 for d in items if d.level is Level.ERROR)
    warnings = len(items) - errors
    files = len({d.path for d in items})
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return f"{', '.join(parts)} in {files} file{'s' if files != 1 else ''}"


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


class UserError(Exception):
    """A problem the user can fix; printed without a traceback."""

    def __init__(self, diagnostics: Iterable[Diagnostic] | str) -> None:
        if isinstance(diagnostics, str):
            self.diagnostics: tuple[Diagnostic, ...] = ()
            message = diagnostics
        else:
            self.diagnostics = tuple(diagnostics)
            message = "\n".join(d.format() for d in self.diagnostics)
        super().__init__(message)
