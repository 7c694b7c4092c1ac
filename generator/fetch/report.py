"""The run report of `paperboy fetch`, as Markdown (the pull request's body) and as JSON."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any

OK, NO_ANNOUNCEMENT, UP_TO_DATE, FAILED = "ok", "no announcement", "up to date", "failed"


@dataclass
class Written:
    path: str  # relative to the site
    arxiv: str
    title: str


@dataclass
class SourceRun:
    """What one source gave in one run. ``expected`` is what the source itself reported."""

    name: str
    kind: str  # arxiv | huggingface
    status: str = OK
    days: list[str] = field(default_factory=list)
    fetched: int = 0
    expected: int | None = None
    new: int = 0
    duplicates: int = 0
    filtered: int = 0
    written: list[Written] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)  # "2302.06675: v1 -> v2"
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add_expected(self, count: int) -> None:
        self.expected = (self.expected or 0) + count

    def fail(self, message: str) -> None:
        self.status = FAILED
        self.problems.append(message)


@dataclass
class FetchReport:
    now: dt.datetime
    sources: list[SourceRun]

    @property
    def status(self) -> str:
        if any(run.status == FAILED for run in self.sources):
            return FAILED
        if any(run.written or run.versions for run in self.sources):
            return OK
        if any(run.status == NO_ANNOUNCEMENT for run in self.sources):
            return NO_ANNOUNCEMENT
        return OK if any(run.days for run in self.sources) else UP_TO_DATE

    @property
    def written(self) -> int:
        return sum(len(run.written) for run in self.sources)

    def headline(self) -> str:
        count = self.written
        papers = f"{count} new paper{'s' if count != 1 else ''}"
        if self.status == FAILED:
            failed = [run.name for run in self.sources if run.status == FAILED]
            return f"FAILED: {', '.join(failed)} (see below); {papers} from the other sources"
        if self.status == NO_ANNOUNCEMENT:
            return "No announcement since the last run; nothing to add"
        if self.status == UP_TO_DATE:
            return "Every source is up to date; nothing to add"
        return f"{papers}"

    def to_json(self) -> str:
        data: dict[str, Any] = {"now": self.now.isoformat(), "status": self.status,
                                "written": self.written,
                                "sources": [asdict(run) for run in self.sources]}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        lines = [f"## Paperboy fetch, {self.now.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC", "",
                 f"**{self.headline()}**", "",
                 "| source | days | status | fetched | expected | new | duplicates "
                 "| filtered out | written |",
                 "|---|---|---|---|---|---|---|---|---|"]
        for run in self.sources:
            expected = "-" if run.expected is None else str(run.expected)
            lines.append(f"| {run.name} | {', '.join(run.days) or '-'} | {run.status} "
                         f"| {run.fetched} | {expected} | {run.new} | {run.duplicates} "
                         f"| {run.filtered} | {len(run.written)} |")
        for run in self.sources:
            lines += ["", f"### {run.name}", ""]
            lines += [f"- **error:** {_escape(problem)}" for problem in run.problems]
            lines += [f"- {_escape(note)}" for note in run.notes]
            lines += [f"- new version: {line}" for line in run.versions]
            if run.written:
                count = len(run.written)
                lines += ["", f"<details><summary>{count} {'entry' if count == 1 else 'entries'}"
                          " written</summary>", ""]
                lines += [f"- `{item.path}`: {_escape(item.title)}" for item in run.written]
                lines += ["", "</details>"]
            elif not (run.problems or run.notes or run.versions):
                lines.append("- nothing new")
        return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    """Untrusted titles in Markdown: one line, no HTML, table, link or emphasis syntax, and no
    @mention or #reference (a zero-width space follows them) that would notify anyone."""
    text = " ".join(text.split())
    for char in "\\`*_[]<>|!~&":
        text = text.replace(char, "\\" + char)
    return text.replace("@", "@\u200b").replace("#", "#\u200b")
