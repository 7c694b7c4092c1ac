"""Load entries: find content files, read and split them, validate them, and make Papers.

Bad content never raises; every problem becomes a Diagnostic with a file and line. Field rules
live in fields.py; nothing here renders Markdown.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from functools import partial
from pathlib import Path
from types import MappingProxyType

from generator.cache import DiskCache
from generator.content.fields import (
    Body,
    CheckedEntry,
    describe,
    display_key,
    validate_entry,
)
from generator.content.stored import StoredEntries
from generator.dates import day_in_zone
from generator.diagnostics import Diagnostic, Diagnostics
from generator.models import LoadResult, Paper, SourceRef
from generator.slugs import short_hash, slugify
from generator.yaml_source import NOT_PRINTABLE, Located, YamlError, parse_yaml

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
YAML_SUFFIXES = frozenset({".yaml", ".yml"})
_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CLOSING_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_NOT_WORD = re.compile(r"[\W_]+")
# Characters YAML refuses (its printable set); found here to report a line and column.
_NOT_YAML_PRINTABLE = NOT_PRINTABLE
_UNKNOWN_TAG = re.compile(r"determine a constructor for the tag 'tag:yaml\.org,2002:(.*)'")
PARSE_MIN_PER_WORKER = 1000  # files; below this, forking costs more than it saves
_OPTIONAL_TEXT = ("doi", "url", "pdf", "code", "project", "submitted_by", "thumbnail", "comment",
                  "journal_ref")


@dataclass(frozen=True)
class EntryFile:
    """A content file found on disk; ``rel`` is its POSIX path relative to the site root."""

    rel: str
    path: Path
    size: int

    @property
    def is_markdown(self) -> bool:
        return Path(self.rel).suffix.lower() in MARKDOWN_SUFFIXES


class _FileError(Exception):
    """A problem that stops a whole file from being read (caught inside this module)."""

    def __init__(self, message: str, line: int = 1, column: int = 0, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint


def load_content(site_root: Path, content_dir: str = "content", *, include_drafts: bool = False,
                 max_entry_bytes: int = 1_000_000, cache: EntryCache | None = None,
                 timezone: str = "UTC", disk_cache: DiskCache | None = None) -> LoadResult:
    """Read every entry under ``site_root/content_dir`` and validate it.

    Papers with an error (and drafts, unless ``include_drafts``) are left out; papers are
    sorted newest first, then by slug. Diagnostics are sorted by path and line. Only an
    unreadable content folder raises (OSError). With ``cache`` (kept by the caller between
    builds, e.g. by ``paperboy serve``) a file whose stat did not change is not parsed again;
    with ``disk_cache`` (a build) a file whose bytes did not change (content/stored.py).
    A date-time in an entry counts for its day in ``timezone`` (the site's).
    """
    return load_scan(site_root, content_dir, include_drafts=include_drafts,
                     max_entry_bytes=max_entry_bytes, cache=cache, timezone=timezone,
                     disk_cache=disk_cache).result


@dataclass(frozen=True)
class Scan:
    """A full load with its parts: every file found, every entry (in path, line order) and
    the planned papers of the valid entries, drafts included (see delta.py)."""

    result: LoadResult
    files: tuple[EntryFile, ...] = ()
    entries: tuple[CheckedEntry, ...] = ()
    planned: tuple[Paper, ...] = ()


def load_scan(site_root: Path, content_dir: str = "content", *, include_drafts: bool = False,
              max_entry_bytes: int = 1_000_000, cache: EntryCache | None = None,
              timezone: str = "UTC", disk_cache: DiskCache | None = None) -> Scan:
    """load_content(), keeping what it found."""
    diagnostics = Diagnostics()
    base = site_root / content_dir
    if not base.exists():
        diagnostics.warning(_relative(site_root, base), 0,
                            "content folder not found; the site has no papers")
        return Scan(LoadResult((), diagnostics.sorted()))
    entries: list[CheckedEntry] = []
    found = find_entry_files(site_root, base, diagnostics)
    if cache is None:  # a full build: files are parsed on every core, results kept in order
        stored = (StoredEntries(disk_cache, max_entry_bytes)
                  if disk_cache is not None and disk_cache.folder is not None else None)
        for file_entries, local in _parse_files(found, max_entry_bytes, stored):
            diagnostics.extend(local)
            entries.extend(file_entries)
    else:
        for entry_file in found:
            entries.extend(_entries_of(entry_file, max_entry_bytes, diagnostics, cache))
        cache.keep_only({entry_file.rel for entry_file in found})
    entries = site_days(entries, timezone)
    entries.sort(key=lambda entry: (entry.path, entry.line))
    validate_unique(entries, diagnostics)
    planned = plan_papers([entry for entry in entries if entry.ok])
    papers = planned if include_drafts else [paper for paper in planned if not paper.draft]
    return Scan(LoadResult(newest_first(papers), diagnostics.sorted()), tuple(found),
                tuple(entries), tuple(planned))


def newest_first(papers: list[Paper]) -> tuple[Paper, ...]:
    papers = sorted(papers, key=lambda paper: paper.slug)
    papers.sort(key=lambda paper: paper.date, reverse=True)  # stable: slug order within a date
    return tuple(papers)


@dataclass
class EntryCache:
    """Parsed entries per file, keyed by the file's stat; the caller may also forget paths."""

    files: dict[str, tuple[tuple[int, ...], tuple[CheckedEntry, ...], tuple]] = dataclass_field(
        default_factory=dict)

    def forget(self, rel: str) -> None:
        self.files.pop(rel, None)

    def keep_only(self, rels: set[str]) -> None:
        for rel in set(self.files) - rels:
            del self.files[rel]


def _parse_files(found: list[EntryFile], max_bytes: int, stored: StoredEntries | None = None
                 ) -> list[tuple[list[CheckedEntry], tuple[Diagnostic, ...]]]:
    """Each file's entries and diagnostics, in order; files ``stored`` knows by their bytes
    are not parsed again, the others are parsed on every core (and remembered)."""
    from generator.workers import map_forked

    parse = partial(_parse_file, max_bytes=max_bytes)
    if stored is None:
        return map_forked(parse, found, min_per_worker=PARSE_MIN_PER_WORKER)
    results: list[tuple[list[CheckedEntry], tuple[Diagnostic, ...]] | None] = []
    misses: list[tuple[int, str | None]] = []  # (position, digest of the bytes read)
    for entry_file in found:
        digest = _digest_of(entry_file, max_bytes)
        hit = stored.lookup(entry_file.rel, digest) if digest is not None else None
        if hit is None:
            misses.append((len(results), digest))
        results.append(hit)
    parsed = map_forked(parse, [found[i] for i, _ in misses],
                        min_per_worker=PARSE_MIN_PER_WORKER)
    for (position, digest), result in zip(misses, parsed, strict=True):
        results[position] = result
        if digest is not None:
            stored.remember(found[position].rel, digest, result)
    stored.save()
    return [result for result in results if result is not None]


def _digest_of(entry_file: EntryFile, max_bytes: int) -> str | None:
    """SHA-256 of a file small enough to be an entry; None when it is not (parsing reports)."""
    if entry_file.size > max_bytes:
        return None
    try:
        data = entry_file.path.read_bytes()
    except OSError:
        return None
    return StoredEntries.digest(data) if len(data) <= max_bytes else None


def _parse_file(entry_file: EntryFile,
                max_bytes: int) -> tuple[list[CheckedEntry], tuple[Diagnostic, ...]]:
    local = Diagnostics()
    text = read_entry_file(entry_file, max_bytes, local)
    entries = [] if text is None else parse_entries(entry_file.rel, text, local,
                                                    markdown=entry_file.is_markdown)
    return entries, tuple(local)


def _entries_of(entry_file: EntryFile, max_bytes: int, diagnostics: Diagnostics,
                cache: EntryCache | None) -> list[CheckedEntry]:
    stamp = file_stamp(entry_file.path) if cache is not None else None
    hit = cache.files.get(entry_file.rel) if cache is not None else None
    if hit is not None and stamp is not None and hit[0] == stamp:
        diagnostics.extend(hit[2])
        return [replace(entry) for entry in hit[1]]  # validate_unique may mark copies not ok
    entries, local = _parse_file(entry_file, max_bytes)
    diagnostics.extend(local)
    if cache is not None and stamp is not None:
        cache.files[entry_file.rel] = (stamp, tuple(replace(e) for e in entries),
                                       tuple(local))
    return entries


def file_stamp(path: Path) -> tuple[int, ...] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino, info.st_ctime_ns)


# -- finding and reading files -------------------------------------------------------------


def find_entry_files(site_root: Path, base: Path, diagnostics: Diagnostics) -> list[EntryFile]:
    """Entry files under ``base``, skipping names starting with '.' or '_' and README.md.

    Symbolic links are reported, never followed. An unreadable sub-folder is reported; an
    unreadable ``base`` raises OSError.
    """
    found: list[EntryFile] = []
    prefix = _relative(site_root, base)
    pending = [(base, "" if prefix == "." else prefix + "/")]
    while pending:
        folder, rel = pending.pop()
        try:
            with os.scandir(folder) as scan:
                items = sorted(scan, key=lambda item: item.name)
        except OSError as exc:
            if folder == base:
                raise
            diagnostics.error(rel.rstrip("/"), 0, f"cannot read folder: {exc.strerror or exc}")
            continue
        for item in items:
            if item.name.startswith((".", "_")) or item.name.lower() == "readme.md":
                continue
            if item.is_symlink() and (_is_entry_name(item.name) or item.is_dir()):
                # A link from a pull request could read (and publish) files outside the site.
                diagnostics.error(rel + item.name, 0, "is a symbolic link; entries and their "
                                  "folders must be regular files inside the site")
            elif item.is_dir(follow_symlinks=False):
                pending.append((Path(item.path), f"{rel}{item.name}/"))
            elif _is_entry_name(item.name) and item.is_file():
                found.append(EntryFile(rel + item.name, Path(item.path), _size(item)))
    return found


def _is_entry_name(name: str) -> bool:
    suffix = os.path.splitext(name)[1].lower()
    return suffix in MARKDOWN_SUFFIXES or suffix in YAML_SUFFIXES


def _size(item: os.DirEntry[str]) -> int:
    try:
        return item.stat().st_size
    except OSError:
        return 0  # reading it will report the problem


def _relative(site_root: Path, path: Path) -> str:
    try:
        return path.relative_to(site_root).as_posix()
    except ValueError:
        return path.as_posix()


def read_entry_file(entry_file: EntryFile, max_bytes: int, diagnostics: Diagnostics) -> str | None:
    """The file's text with BOM removed and line endings made '\\n'; None after reporting."""
    too_big_hint = "split it into smaller files or raise max_entry_bytes in site.yaml"
    if entry_file.size > max_bytes:
        diagnostics.error(entry_file.rel, 1, f"file is {entry_file.size} bytes, over the limit "
                          f"of {max_bytes} bytes", hint=too_big_hint)
        return None
    try:
        data = entry_file.path.read_bytes()
    except OSError as exc:
        diagnostics.error(entry_file.rel, 1, f"cannot read file: {exc.strerror or exc}")
        return None
    if len(data) > max_bytes:  # grew since it was listed
        diagnostics.error(entry_file.rel, 1, f"file is {len(data)} bytes, over the limit "
                          f"of {max_bytes} bytes", hint=too_big_hint)
        return None
    try:
        return decode_entry_bytes(data)
    except _FileError as exc:
        diagnostics.error(entry_file.rel, exc.line, exc.message)
        return None


def decode_entry_bytes(data: bytes) -> str:
    """UTF-8 text (optional BOM, CRLF or CR line endings) -> text with '\\n' endings."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    if data.startswith(_UTF16_BOMS):
        raise _FileError("is UTF-16 encoded; save the file as UTF-8")
    nul = data.find(b"\0")
    if nul >= 0:
        raise _FileError("contains a NUL byte; is this a binary file?", _line_at(data, nul))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _FileError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as "
                         "UTF-8", _line_at(data, exc.start)) from None
    if not text.strip():
        raise _FileError("file is empty")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _line_at(data: bytes, offset: int) -> int:
    # CR-only files count their lines like YAML does.
    head = data[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return head.count(b"\n") + 1


# -- parsing one file into entry mappings --------------------------------------------------


def parse_entries(rel: str, text: str, diagnostics: Diagnostics, *,
                  markdown: bool) -> list[CheckedEntry]:
    """Validate every entry in one file's text; file-level problems are reported here."""
    try:
        if markdown:
            return [_parse_markdown(rel, text, diagnostics)]
        return _parse_yaml_file(rel, text, diagnostics)
    except _FileError as exc:
        diagnostics.error(rel, exc.line, exc.message, column=exc.column, hint=exc.hint)
        return []


def split_front_matter(text: str) -> tuple[str, Body]:
    """(front-matter YAML, body) of a Markdown entry; the YAML starts on line 2."""
    first, _, rest = text.partition("\n")
    if first.rstrip() != "---":
        raise _FileError("no front matter; did you forget the opening '---' line?")
    closing = _CLOSING_FENCE.search(rest)
    if closing is None:
        raise _FileError("front matter starting at line 1 is never closed; add a line with "
                         "'---'")
    closing_line = rest.count("\n", 0, closing.start()) + 2
    body = rest[closing.end() + 1:]
    blank_prefix = len(body) - len(body.lstrip())
    body_line = closing_line + 1 + body.count("\n", 0, blank_prefix)
    return rest[: closing.start()], Body(body, body_line)


def _parse_markdown(rel: str, text: str, diagnostics: Diagnostics) -> CheckedEntry:
    front, body = split_front_matter(text)
    tree = _parse_yaml(front, line_offset=1)
    if tree is None:
        raise _FileError("front matter is empty; expected fields such as title and date")
    _require_mapping(tree)
    return validate_entry(tree, rel, diagnostics, body=body)


def _parse_yaml_file(rel: str, text: str, diagnostics: Diagnostics) -> list[CheckedEntry]:
    tree = _parse_yaml(text)
    if tree is None:
        raise _FileError("file is empty")
    _require_mapping(tree)
    if "papers" not in tree.value:
        return [validate_entry(tree, rel, diagnostics)]
    for key, value in tree.value.items():
        if key != "papers":
            diagnostics.error(rel, value.line, "unknown key in a list file (only 'papers' "
                              "belongs here)", field=display_key(key))
    papers = tree.value["papers"]
    if not isinstance(papers.value, list):
        diagnostics.error(rel, papers.line, f"must be a list of entries, got "
                          f"{describe(papers.value)}", field="papers")
        return []
    if not papers.value:
        diagnostics.warning(rel, papers.line, "the list is empty", field="papers")
    entries = []
    for number, item in enumerate(papers.value, start=1):
        if isinstance(item.value, dict):
            entries.append(validate_entry(item, rel, diagnostics))
        else:
            diagnostics.error(rel, item.line, f"item {number} must be a mapping of fields, got "
                              f"{describe(item.value)}", field="papers")
    return entries


def _parse_yaml(text: str, line_offset: int = 0) -> Located | None:
    bad = _NOT_YAML_PRINTABLE.search(text)
    if bad is not None:
        line_start = text.rfind("\n", 0, bad.start()) + 1
        raise _FileError(f"control character U+{ord(bad.group()):04X} is not allowed in YAML",
                         text.count("\n", 0, bad.start()) + 1 + line_offset,
                         bad.start() - line_start + 1)
    try:
        return parse_yaml(text, line_offset=line_offset, lenient=True)
    except YamlError as exc:
        lines = text.split("\n")
        index = exc.line - line_offset - 1
        line = lines[index] if 0 <= index < len(lines) and exc.column > 0 else ""
        tab = line[exc.column - 1:exc.column] == "\t"
        hint = "indent YAML with spaces, not tabs" if tab else ""
        raise _FileError(_yaml_message(exc.message), exc.line, exc.column, hint) from None
    except (RecursionError, MemoryError):
        raise _FileError("YAML is nested too deeply", line_offset + 1) from None


def _yaml_message(message: str) -> str:
    # Some PyYAML messages append a multi-line position; the diagnostic has its own.
    message = message.split("\n")[0]
    unknown_tag = _UNKNOWN_TAG.search(message)
    return f"tag '!!{unknown_tag.group(1)}' is not allowed" if unknown_tag else message


def _require_mapping(tree: Located) -> None:
    if not isinstance(tree.value, dict):
        raise _FileError(f"expected a mapping of fields (key: value), got "
                         f"{describe(tree.value)}", tree.line)


# -- across files: duplicates and slugs ----------------------------------------------------


def validate_unique(entries: list[CheckedEntry], diagnostics: Diagnostics) -> None:
    """Report an entry that repeats an earlier one's arXiv ID, DOI or title; mark it not ok.

    ``entries`` must be in (path, line) order: the first one keeps its place.
    """
    seen: dict[tuple[str, str], CheckedEntry] = {}
    for entry in entries:
        keys = identity_keys(entry)
        for field, key, reason in keys:
            first = seen.get((field, key))
            if first is not None:
                entry.ok = False
                diagnostics.error(entry.path, entry.lines[field], f"duplicate of {first.path}:"
                                  f"{first.lines[field]} ({reason})", field=field)
                break
        for field, key, _ in keys:
            seen.setdefault((field, key), entry)


def identity_keys(entry: CheckedEntry) -> list[tuple[str, str, str]]:
    keys = []
    if "arxiv" in entry.values:
        arxiv = entry.values["arxiv"][0]
        keys.append(("arxiv", arxiv.casefold(), f"same arXiv ID {arxiv}"))
    if "doi" in entry.values:
        doi = entry.values["doi"]
        keys.append(("doi", doi.casefold(), f"same DOI {doi}"))
    if "title" in entry.values:
        title = _NOT_WORD.sub(" ", entry.values["title"].casefold()).strip()
        if title:
            keys.append(("title", title, "same title"))
    return keys


def site_days(entries: list[CheckedEntry], timezone: str) -> list[CheckedEntry]:
    """Entries whose ``date`` is a date-time get, instead, its day in the site's time zone
    (copies: cached entries keep the date-time, so a new ``timezone`` takes effect)."""
    result = []
    for entry in entries:
        value = entry.values.get("date")
        if isinstance(value, dt.datetime):
            entry = replace(entry, values={**entry.values, "date": day_in_zone(value, timezone)})
        result.append(entry)
    return result


def plan_papers(entries: list[CheckedEntry]) -> list[Paper]:
    """Papers with unique slugs for valid entries (drafts included, so slugs never depend on
    whether drafts are shown)."""
    slugs = assign_slugs(entries)
    return [make_paper(entry, slug) for entry, slug in zip(entries, slugs, strict=True)]


def assign_slugs(entries: list[CheckedEntry]) -> list[str]:
    """One slug per entry, unique, and stable when other entries are added.

    Among entries sharing a base slug the earliest (date, path, line) keeps it; the others
    get a suffix hashed from their own source location, which other entries cannot change.
    """
    groups: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        groups.setdefault(base_slug(entry), []).append(index)
    slugs = [""] * len(entries)
    taken = set(groups)
    others: list[tuple[str, int]] = []
    for base, members in groups.items():
        members.sort(key=lambda i: (entries[i].values["date"], entries[i].path, entries[i].line))
        slugs[members[0]] = base
        others.extend((base, index) for index in members[1:])
    others.sort(key=lambda item: (entries[item[1]].path, entries[item[1]].line))
    for base, index in others:
        slugs[index] = _suffixed_slug(base, entries[index], taken)
    return slugs


def base_slug(entry: CheckedEntry) -> str:
    if "arxiv" in entry.values:
        return slugify(entry.values["arxiv"][0], keep_dots=True)
    return slugify(entry.values["title"], max_length=60) or "paper"


def _suffixed_slug(base: str, entry: CheckedEntry, taken: set[str]) -> str:
    location = f"{entry.path}:{entry.line}"
    slug = f"{base}-{short_hash(location)}"
    counter = 2
    while slug in taken:  # only after a hash clash: give up on stability, keep uniqueness
        slug = f"{base}-{short_hash(location, 16)}-{counter}"
        counter += 1
    taken.add(slug)
    return slug


def make_paper(entry: CheckedEntry, slug: str) -> Paper:
    values = entry.values
    arxiv, version = values.get("arxiv", (None, None))
    return Paper(
        slug=slug, title=values["title"], abstract=values["abstract"], date=values["date"],
        source=SourceRef(entry.path, entry.line), authors=values.get("authors", ()),
        arxiv=arxiv, arxiv_version=version, tags=values.get("tags", ()),
        upvotes=values.get("upvotes"), draft=values.get("draft", False),
        field_lines=MappingProxyType(dict(entry.lines)),
        **{name: values.get(name) for name in _OPTIONAL_TEXT},
    )
