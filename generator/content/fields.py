"""Entry fields: one spec per field, and validation of one entry mapping against them.

The specs also feed generator.schema, so the JSON Schema and the validator cannot drift.
No file I/O here: content.py finds and parses files, this module only checks values.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.diagnostics import Diagnostics
from generator.slugs import slugify
from generator.yaml_source import BadScalar, Located

# Patterns are written in the common subset of Python `re` and ECMA-262 so that the JSON Schema
# can carry them verbatim.
# New-style IDs have four digits after the dot up to 2014 and five from 2015 (YYMM.NNNNN).
# The one arXiv ID rule (importers use it too, so they never write an ID the loader rejects):
# group 1 is the ID, group 2 the optional version.
ARXIV_ID_PATTERN = (r"((?:0\d|1[0-4])(?:0[1-9]|1[0-2])\.\d{4}|(?:1[5-9]|[2-9]\d)(?:0[1-9]|1[0-2])"
                    r"\.\d{5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[a-z]+)?)?/\d{7})(v[1-9]\d*)?")
ARXIV_PATTERN = f"^{ARXIV_ID_PATTERN}$"
DOI_PATTERN = r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$"
URL_PATTERN = r"^https?://[^\s\x00-\x1f/?#]+(?:[/?#]\S*)?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# RFC 3339 date-times as Hugo and Jekyll front matter writes them; the offset may be left out
# (the time is then in the site's time zone), and a space may stand for the "T".
DATETIME_PATTERN = (r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
                    r"(?:[Zz]|[+-]\d{2}:\d{2})?$")
DATE_MESSAGE = "must be YYYY-MM-DD or a date-time such as 2025-02-02T22:23:00Z"
NON_BLANK_PATTERN = r"\S"

ARXIV_ID = re.compile(ARXIV_ID_PATTERN)  # use fullmatch
_DOI_RE = re.compile(DOI_PATTERN)
_URL_RE = re.compile(URL_PATTERN)
_DATE_RE = re.compile(DATE_PATTERN)
_DATETIME_RE = re.compile(DATETIME_PATTERN)
# First YYMM with five-digit arXiv numbers (2015-01); before that they have four.
_FIVE_DIGIT_ARXIV_FROM = 1501

# Bounds on every field, so that no entry from a pull request can make the build slow or huge.
# Far above real papers (arXiv cs, 40k abstracts: longest title 226 characters, abstract 3,488,
# 3,303 authors, longest author 512); every page, feed and index stays linear in the entry.
MAX_TITLE = 1000  # characters
MAX_ABSTRACT = 20_000
MAX_TEXT = 300  # submitted_by
MAX_AUTHORS = 5000
MAX_AUTHOR = 1000
MAX_TAGS = 50
MAX_TAG = 100
MAX_URL = 2000
MAX_UPVOTES = 1_000_000_000
# Digest days: wide enough for any archive, narrow enough that timelines and date arithmetic
# (weeks, months, feeds' timestamps) never leave the calendar.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)


class FieldError(Exception):
    """A bad field value; ``line`` overrides the key's line (e.g. for a list item)."""

    def __init__(self, message: str, hint: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.line = line


@dataclass(frozen=True)
class FieldSpec:
    """One entry field: how to parse it and its JSON Schema fragment."""

    name: str
    parse: Callable[[Located], Any]
    schema: Mapping[str, Any]
    description: str
    required: bool = False


@dataclass
class CheckedEntry:
    """One entry after validation: the good values, the line of every field, and whether any
    error was reported. ``values`` holds parsed values even when ``ok`` is False."""

    path: str
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    ok: bool = True


@dataclass(frozen=True)
class Body:
    """Markdown text below the front matter and the line where it starts."""

    text: str
    line: int


# -- value display ------------------------------------------------------------------------


def describe(value: Any) -> str:
    """What a YAML value is, for 'got ...' messages about its type."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.date):
        return "a date"
    return "binary data" if isinstance(value, bytes) else "an unsupported value"


def show(value: Any, limit: int = 60) -> str:
    """A value as written, quoted and cut short, safe to put on one line."""
    if not _is_scalar(value):
        return describe(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = repr(str(value))
    if len(text) > limit:
        text = text[: limit - 4] + "...'"
    return text


def display_key(key: str) -> str:
    """A mapping key as a field name in a message (odd keys are quoted and cut short)."""
    if key.isprintable() and ":" not in key and 0 < len(key) <= 40:
        return key
    return show(key, 40)


# -- parsers: Located -> normalised value, or FieldError -----------------------------------


def _parse_text(loc: Located, limit: int = MAX_TEXT) -> str:
    if loc.value is None:
        raise FieldError("must not be empty")
    if not isinstance(loc.value, str):
        raise FieldError(f"must be text, got {describe(loc.value)}",
                         hint="put quotes around it" if _is_scalar(loc.value) else "")
    text = loc.value.strip()
    if not text:
        raise FieldError("must not be empty")
    _check_length(text, limit)
    return text


def _check_length(text: str, limit: int, what: str = "") -> None:
    if len(text) > limit:
        raise FieldError(f"{what}is {len(text)} characters long, over the limit of {limit}")


def _parse_title(loc: Located) -> str:
    title = _parse_text(loc, MAX_TITLE)
    from generator.markup import plain_text  # only titles with markup are rendered here

    if not plain_text(title).strip():
        raise FieldError(f"{show(title)} has no text once markup is removed",
                         hint="write the title as words; Markdown and LaTeX are for styling")
    return title


def _parse_abstract(loc: Located) -> str:
    return _parse_text(loc, MAX_ABSTRACT)


def _parse_date(loc: Located) -> dt.date:
    """A date, or a date-time (kept whole: content.loader takes its day in the site's zone)."""
    value = loc.value
    if isinstance(value, dt.date):
        return _in_range(value)
    text = value.strip() if isinstance(value, str) else ""
    if _DATE_RE.match(text) or _DATETIME_RE.match(text):
        try:
            if len(text) == 10:
                return _in_range(dt.date.fromisoformat(text))
            return _in_range(dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00")))
        except ValueError:
            raise FieldError(f"no such date {show(value)}") from None
    raise FieldError(f"{DATE_MESSAGE}, got {show(value)}")


def _in_range(date: dt.date) -> dt.date:
    day = date.date() if isinstance(date, dt.datetime) else date
    if not MIN_DATE <= day <= MAX_DATE:
        raise FieldError(f"{day.isoformat()} is outside {MIN_DATE.isoformat()} to "
                         f"{MAX_DATE.isoformat()}")
    return date


def _parse_authors(loc: Located) -> tuple[str, ...]:
    if isinstance(loc.value, str):
        raise FieldError("must be a list of names, got a single string",
                         hint="write authors: [First Author, Second Author]")
    if not isinstance(loc.value, list):
        raise FieldError(f"must be a list of names, got {describe(loc.value)}")
    if len(loc.value) > MAX_AUTHORS:
        raise FieldError(f"has {len(loc.value)} names, over the limit of {MAX_AUTHORS}")
    names = []
    for number, item in enumerate(loc.value, start=1):
        if not isinstance(item.value, str) or not item.value.strip():
            got = show(item.value) if isinstance(item.value, str) else describe(item.value)
            raise FieldError(f"item {number} must be a non-empty name, got {got}", line=item.line)
        if len(item.value) > MAX_AUTHOR:
            raise FieldError(f"item {number} is {len(item.value)} characters long, over the "
                             f"limit of {MAX_AUTHOR}", line=item.line)
        names.append(" ".join(item.value.split()))
    return tuple(names)


def _parse_arxiv(loc: Located) -> tuple[str, str | None]:
    value = loc.value
    if isinstance(value, float):
        value = _arxiv_from_float(value)
    if not isinstance(value, str):
        raise FieldError(f"must be an arXiv ID like 2302.06675 or hep-th/9901001, got "
                         f"{show(value)}")
    match = ARXIV_ID.fullmatch(value.strip())
    if not match:
        raise FieldError("must be an arXiv ID like 2302.06675 or hep-th/9901001, got "
                         f"{show(value)}")
    return match.group(1), match.group(2)


def _arxiv_from_float(number: float) -> str:
    """The ID an unquoted new-style arXiv ID was written as, when YAML read it as a float.

    YAML drops leading and trailing zeros (0704.0010 -> 704.001). The number of digits after
    the dot is fixed by the year and month, so a lost trailing zero can be detected.
    """
    whole, _, digits = repr(number).partition(".")
    if not whole.isdigit() or not digits.isdigit() or len(whole) > 4:
        return repr(number)
    yymm = whole.zfill(4)
    expected = 5 if int(yymm) >= _FIVE_DIGIT_ARXIV_FROM else 4
    if len(digits) < expected:
        raise FieldError(f"read as the number {number!r}, which may have lost digits; "
                         "quote the arXiv ID")
    return f"{yymm}.{digits}"


def _parse_doi(loc: Located) -> str:
    value = loc.value
    if isinstance(value, str):
        _check_length(value.strip(), MAX_URL)
    match = _DOI_RE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise FieldError(f"must be a DOI like 10.1234/abc, got {show(value)}")
    return match.group(1)


def _parse_url(loc: Located) -> str:
    value = loc.value
    if isinstance(value, str):
        _check_length(value.strip(), MAX_URL)
    if not isinstance(value, str) or not _URL_RE.match(value.strip()):
        raise FieldError(f"must be an absolute http(s) URL, got {show(value)}")
    return value.strip()


def _parse_tags(loc: Located) -> tuple[str, ...]:
    if not isinstance(loc.value, list):
        hint = "write tags: [first-tag, second-tag]"
        if isinstance(loc.value, str) and loc.value.isprintable() and len(loc.value) < 60:
            hint = f"write tags: [{loc.value.strip()}]"
        raise FieldError(f"must be a list of tags, got {describe(loc.value)}", hint=hint)
    if len(loc.value) > MAX_TAGS:
        raise FieldError(f"has {len(loc.value)} tags, over the limit of {MAX_TAGS}",
                         hint="keep the few that say what the paper is about")
    tags = set()
    for number, item in enumerate(loc.value, start=1):
        if not isinstance(item.value, str):
            raise FieldError(f"item {number} must be text, got {describe(item.value)}",
                             hint="put quotes around it" if _is_scalar(item.value) else "",
                             line=item.line)
        if len(item.value) > MAX_TAG:
            raise FieldError(f"tag {number} is {len(item.value)} characters long, over the limit "
                             f"of {MAX_TAG}", line=item.line)
        tag = slugify(item.value)
        if not tag:
            raise FieldError(f"tag {show(item.value)} has no letters or digits", line=item.line)
        tags.add(tag)
    return tuple(sorted(tags))


def _parse_upvotes(loc: Located) -> int:
    value = loc.value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FieldError(f"must be a whole number >= 0, got {show(value)}")
    if value > MAX_UPVOTES:
        raise FieldError(f"must be at most {MAX_UPVOTES}")
    return value


def _parse_bool(loc: Located) -> bool:
    if not isinstance(loc.value, bool):
        raise FieldError(f"must be true or false, got {show(loc.value)}")
    return loc.value


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, list | dict | bytes) and value is not None


# -- the specs -----------------------------------------------------------------------------

_TEXT = {"type": "string", "pattern": NON_BLANK_PATTERN, "maxLength": MAX_TEXT}
_URL = {"type": "string", "format": "uri", "pattern": URL_PATTERN, "maxLength": MAX_URL}

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", _parse_title, {**_TEXT, "maxLength": MAX_TITLE},
              "Paper title (Markdown/LaTeX allowed).", True),
    FieldSpec("abstract", _parse_abstract, {**_TEXT, "maxLength": MAX_ABSTRACT},
              "Abstract; in a Markdown entry it is the text below the front matter.", True),
    FieldSpec("date", _parse_date,
              {"type": "string", "pattern": f"{DATE_PATTERN}|{DATETIME_PATTERN}"},
              f"Day the paper is listed under, YYYY-MM-DD from {MIN_DATE} to {MAX_DATE}, or an "
              "RFC 3339 date-time (its day in the site's time zone).", True),
    FieldSpec("authors", _parse_authors,
              {"type": "array", "maxItems": MAX_AUTHORS,
               "items": {"type": "string", "pattern": NON_BLANK_PATTERN,
                         "maxLength": MAX_AUTHOR}},
              "Author names, one per item."),
    FieldSpec("arxiv", _parse_arxiv, {"type": "string", "pattern": ARXIV_PATTERN},
              "arXiv ID such as 2302.06675, 2302.06675v2 or hep-th/9901001."),
    FieldSpec("doi", _parse_doi, {"type": "string", "pattern": DOI_PATTERN, "maxLength": MAX_URL},
              "DOI such as 10.1234/abc; a https://doi.org/ prefix is removed."),
    FieldSpec("url", _parse_url, _URL, "Landing page of the paper (http or https)."),
    FieldSpec("pdf", _parse_url, _URL, "Link to the PDF (http or https)."),
    FieldSpec("code", _parse_url, _URL, "Link to the code (http or https)."),
    FieldSpec("project", _parse_url, _URL, "Project page (http or https)."),
    FieldSpec("thumbnail", _parse_url, _URL, "Image shown with the paper (http or https)."),
    FieldSpec("tags", _parse_tags, {"type": "array", "maxItems": MAX_TAGS,
                                    "items": {"type": "string", "maxLength": MAX_TAG}},
              "Tags; each is turned into a slug, duplicates are merged."),
    FieldSpec("upvotes", _parse_upvotes, {"type": "integer", "minimum": 0,
                                          "maximum": MAX_UPVOTES},
              "Number of upvotes, a whole number >= 0."),
    FieldSpec("submitted_by", _parse_text, _TEXT, "Who suggested the paper."),
    FieldSpec("comment", _parse_text, _TEXT,
              "The authors' comment on arXiv (pages, figures, venue)."),
    FieldSpec("journal_ref", _parse_text, _TEXT, "Journal reference, as arXiv gives it."),
    FieldSpec("draft", _parse_bool, {"type": "boolean"},
              "true keeps the entry out of the site unless drafts are included."),
)
FIELDS_BY_NAME: Mapping[str, FieldSpec] = {spec.name: spec for spec in FIELDS}


# -- validation of one mapping -------------------------------------------------------------


def validate_entry(entry: Located, path: str, diagnostics: Diagnostics, *,
                   body: Body | None = None) -> CheckedEntry:
    """Check one entry mapping; report every problem to ``diagnostics``.

    ``body`` is the Markdown text below the front matter (None for YAML entries). The caller
    must pass a Located whose value is a dict.
    """
    checked = CheckedEntry(path, entry.line)
    for key, loc in entry.value.items():
        spec = FIELDS_BY_NAME.get(key)
        if spec is None:
            _report_unknown(key, loc, checked, diagnostics)
            continue
        checked.lines[key] = loc.line
        if loc.value is None and not spec.required:
            continue
        bad = list(_bad_scalars(loc))
        if bad:  # unreadable values: reported here, with the entry's other problems
            checked.ok = False
            for scalar in bad:
                diagnostics.error(path, scalar.line, scalar.message, field=key,
                                  column=scalar.column)
            continue
        try:
            checked.values[key] = spec.parse(loc)
        except FieldError as exc:
            checked.ok = False
            diagnostics.error(path, exc.line or loc.line, exc.message, field=key, hint=exc.hint)
    if body is not None:
        _take_body(entry, body, checked, diagnostics)
    _report_missing(entry, body, checked, diagnostics)
    return checked


def _bad_scalars(loc: Located) -> Iterator[BadScalar]:
    if isinstance(loc.value, BadScalar):
        yield loc.value
    elif isinstance(loc.value, list):
        for item in loc.value:
            yield from _bad_scalars(item)
    elif isinstance(loc.value, dict):
        for item in loc.value.values():
            yield from _bad_scalars(item)


def _report_unknown(key: str, loc: Located, checked: CheckedEntry,
                    diagnostics: Diagnostics) -> None:
    checked.ok = False
    close = difflib.get_close_matches(key, FIELDS_BY_NAME, n=1)
    message = f"unknown field (did you mean '{close[0]}'?)" if close else "unknown field"
    diagnostics.error(checked.path, loc.line, message, field=display_key(key))


def _take_body(entry: Located, body: Body, checked: CheckedEntry,
               diagnostics: Diagnostics) -> None:
    text = body.text.strip()
    if not text:
        return
    if "abstract" in entry.value:
        checked.ok = False
        diagnostics.error(checked.path, checked.lines["abstract"],
                          "given both in the front matter and below it; keep one",
                          field="abstract")
        return
    checked.lines["abstract"] = body.line
    if len(text) > MAX_ABSTRACT:
        checked.ok = False
        diagnostics.error(checked.path, body.line, f"is {len(text)} characters long, over the "
                          f"limit of {MAX_ABSTRACT}", field="abstract")
        return
    checked.values["abstract"] = text


def _report_missing(entry: Located, body: Body | None, checked: CheckedEntry,
                    diagnostics: Diagnostics) -> None:
    for spec in FIELDS:
        if spec.required and spec.name not in entry.value and spec.name not in checked.lines:
            checked.ok = False
            hint = ("write the abstract below the closing '---'"
                    if body is not None and spec.name == "abstract" else "")
            diagnostics.error(checked.path, entry.line, "required field is missing",
                              field=spec.name, hint=hint)
