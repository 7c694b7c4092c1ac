"""site.yaml -> SiteConfig: typed, validated, every problem reported as ``site.yaml:LINE``.

Command-line overrides go through the same validation as the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from generator.diagnostics import Diagnostics, UserError
from generator.yaml_source import Located, YamlError, parse_yaml

CONFIG_NAME = "site.yaml"
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_DOMAIN_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class TopicsConfig:
    enabled: bool = True
    count: int | None = None  # None: chosen automatically
    related: int = 5
    seed: int = 0
    renames: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class FeedsConfig:
    rss: bool = True
    atom: bool = True
    items: int = 50
    json: bool = True
    topics: bool = True
    tags: bool = True
    digest: bool = True


@dataclass(frozen=True)
class DigestConfig:
    period: str = "daily"  # daily | weekly (ISO week)
    limit: int = 0  # papers per issue; 0: no limit
    email: bool = True


@dataclass(frozen=True)
class SmtpConfig:
    """Where `paperboy send` connects. Credentials come only from the environment."""

    host: str = "localhost"
    port: int = 587
    tls: str = "starttls"  # none | starttls | ssl
    from_address: str = ""
    reply_to: str = ""
    list_unsubscribe: tuple[str, ...] = ()
    send_log: str = "send-log.jsonl"


@dataclass(frozen=True)
class SubscribeConfig:
    action: str = ""  # form endpoint (Buttondown, listmonk, Mailchimp); empty: no box
    email_field: str = "email"
    hidden: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    text: str = "Get each digest by e-mail."


@dataclass(frozen=True)
class SearchConfig:
    enabled: bool = True


@dataclass(frozen=True)
class FetchConfig:
    """`paperboy fetch`: where its state lives, extra arXiv holidays, other source addresses."""

    state: str = "fetch-state.json"
    holidays: tuple[dt.date, ...] = ()  # evenings (US Eastern) arXiv makes no announcement
    arxiv_api: str = ""  # empty: $PAPERBOY_ARXIV_API, else arXiv's own
    arxiv_rss: str = ""  # empty: $PAPERBOY_ARXIV_RSS, else arXiv's own
    hf_api: str = ""  # empty: $PAPERBOY_HF_API, else Hugging Face's own
    page_size: int = 1000  # arXiv API results per request (arXiv allows at most 2,000)
    max_days: int = 7  # announcement days caught up in one run after missed runs


@dataclass(frozen=True)
class ArxivSource:
    """One arXiv source of `paperboy fetch`: categories and/or a search query."""

    name: str
    categories: tuple[str, ...] = ()
    query: str = ""
    include: tuple[str, ...] = ()  # a paper must mention one of these (title or abstract)
    exclude: tuple[str, ...] = ()  # ... and none of these
    authors: tuple[str, ...] = ()  # papers by these authors are always kept
    min_papers: int = 1  # fewer papers on an announcement day fails the run
    line: int = 0
    kind: str = "arxiv"


@dataclass(frozen=True)
class HuggingFaceSource:
    """Hugging Face Daily Papers, one listing per day."""

    name: str = "huggingface"
    min_upvotes: int = 0
    min_papers: int = 1  # fewer papers on a weekday fails the run; weekends may be empty
    line: int = 0
    kind: str = "huggingface"


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Paper digest"
    description: str = ""
    base_url: str = "http://localhost:8000/"
    language: str = "en"
    timezone: str = "UTC"  # IANA name: which day a date-time in an entry belongs to
    theme: str = "default"
    papers_per_page: int = 50
    content_dir: str = "content"
    output_dir: str = "output"
    max_entry_bytes: int = 1_000_000
    cname: str = ""  # custom domain for GitHub Pages; written to output/CNAME
    topics: TopicsConfig = field(default_factory=TopicsConfig)
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    subscribe: SubscribeConfig = field(default_factory=SubscribeConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    sources: tuple[ArxivSource | HuggingFaceSource, ...] = ()
    include_drafts: bool = False  # set by --drafts only

    @property
    def base_path(self) -> str:
        """The URL path all pages live under: '/' or '/repo/' for a GitHub project page."""
        return urlsplit(self.base_url).path or "/"


# ---------------------------------------------------------------------------------- validators

Validator = Callable[[Any], tuple[Any, str]]  # -> (value, error message or "")


def _text(value: Any) -> tuple[Any, str]:
    if isinstance(value, str):
        return value.strip(), ""
    return None, f"must be text, got {_describe(value)}"


def _bool(value: Any) -> tuple[Any, str]:
    if isinstance(value, bool):
        return value, ""
    return None, f"must be true or false, got {_describe(value)}"


def _int_between(low: int, high: int) -> Validator:
    def check(value: Any) -> tuple[Any, str]:
        if isinstance(value, bool) or not isinstance(value, int):
            return None, f"must be a whole number, got {_describe(value)}"
        if not low <= value <= high:
            return None, f"must be between {low} and {high}, got {value}"
        return value, ""
    return check


def _optional_count(value: Any) -> tuple[Any, str]:
    if value is None or value == "auto":
        return None, ""
    value, error = _int_between(1, 500)(value)
    return value, (error + " (or 'auto')") if error else ""


def _base_url(value: Any) -> tuple[Any, str]:
    text, error = _text(value)
    if error:
        return None, error
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        example = "https://user.github.io/repo/"
        return None, f"must be an absolute http(s) URL such as {example}, got '{text}'"
    if parts.query or parts.fragment:
        return None, f"must not have a query or fragment, got '{text}'"
    return text if text.endswith("/") else text + "/", ""


def _language(value: Any) -> tuple[Any, str]:
    text, error = _text(value)
    if error or not _LANGUAGE.match(text):
        return None, error or f"must be a language tag such as 'en' or 'pt-BR', got '{text}'"
    return text, ""


def _timezone(value: Any) -> tuple[Any, str]:
    from generator.dates import known_timezone

    text, error = _text(value)
    if error or not known_timezone(text):
        example = "an IANA time zone such as 'UTC' or 'Europe/Paris'"
        return None, error or f"must be {example}, got '{text}'"
    return text, ""


def _name(value: Any) -> tuple[Any, str]:
    text, error = _text(value)
    if error or not _NAME.match(text):
        allowed = "letters, digits, '-', '_', '.'"
        return None, error or f"must be a folder name ({allowed}), got '{text}'"
    return text, ""


def _relative_dir(value: Any) -> tuple[Any, str]:
    text, error = _text(value)
    if error:
        return None, error
    path = Path(text)
    if not text or path.is_absolute() or ".." in path.parts:
        return None, f"must be a folder inside the site, got '{text}'"
    return text, ""


def _output_dir(value: Any) -> tuple[Any, str]:
    """site.yaml's output_dir (a pull request can edit it): a folder inside the site, not the
    site itself."""
    text, error = _relative_dir(value)
    if not error and not Path(text).parts:
        return None, f"must be a folder inside the site, not the site itself, got '{text}'"
    return text, error


def _any_folder(value: Any) -> tuple[Any, str]:
    """``--output`` on the command line: any folder, relative to the current one."""
    text, error = _text(value)
    if error or not text:
        return None, error or "must name a folder"
    return os.path.abspath(Path(text).expanduser()), ""


def _domain(value: Any) -> tuple[Any, str]:
    text, error = _text(value)
    if error or not text:
        return ("", "") if not error else (None, error)
    labels = text.lower().rstrip(".").split(".")
    if len(labels) < 2 or len(text) > 253 or not all(_DOMAIN_LABEL.fullmatch(x) for x in labels):
        return None, f"must be a domain name such as papers.example.org, got '{text}'"
    return ".".join(labels), ""


def _renames(value: Any) -> tuple[Any, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        return None, "must map topic slugs to labels, e.g. {reinforcement-learning: RL}"
    return MappingProxyType({k: v.strip() for k, v in sorted(value.items())}), ""


def _choice(*allowed: str) -> Validator:
    def check(value: Any) -> tuple[Any, str]:
        if isinstance(value, str) and value.strip().lower() in allowed:
            return value.strip().lower(), ""
        return None, f"must be one of {', '.join(allowed)}, got {_describe(value)}"
    return check


def _http_url(value: Any) -> tuple[Any, str]:
    text, error = _text(value)
    if error:
        return None, error
    parts = urlsplit(text)
    if text and (parts.scheme not in ("http", "https") or not parts.netloc):
        return None, f"must be an absolute http(s) URL, got '{text}'"
    return text, ""


def _address(value: Any) -> tuple[Any, str]:
    from generator.email_headers import clean_address  # shared with mail/

    text, error = _text(value)
    if error:
        return None, error
    if text and not clean_address(text):
        return None, f"must be an address such as 'Digest <digest@example.org>', got '{text}'"
    return text, ""


def _unsubscribe(value: Any) -> tuple[Any, str]:
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        text = item.strip() if isinstance(item, str) else ""
        if not text.startswith(("https://", "http://", "mailto:")) or any(
                c in text for c in "\r\n<>, "):
            return None, f"must be https:// or mailto: URIs, got {_describe(item)}"
        found.append(text)
    return tuple(found), ""


def _hidden_fields(value: Any) -> tuple[Any, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int) for k, v in value.items()
    ):
        return None, "must map form field names to values, e.g. {l: 6f2c...}"
    return MappingProxyType({k: str(v) for k, v in sorted(value.items())}), ""


def _dates(value: Any) -> tuple[Any, str]:
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, str):
            with contextlib.suppress(ValueError):
                item = dt.date.fromisoformat(item.strip())
        if not isinstance(item, dt.date) or isinstance(item, dt.datetime):
            return None, f"must be a list of YYYY-MM-DD dates, got {_describe(item)}"
        found.append(item)
    return tuple(sorted(set(found))), ""


def _words(value: Any) -> tuple[Any, str]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) and item.strip() for item in items):
        return None, "must be a list of words or phrases"
    return tuple(" ".join(item.split()) for item in items), ""


def _categories(value: Any) -> tuple[Any, str]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, str) or not ARXIV_CATEGORY.fullmatch(item.strip()):
            return None, f"must be arXiv categories such as cs.LG or hep-th, got {_describe(item)}"
    return tuple(dict.fromkeys(item.strip() for item in items)), ""


def _query(value: Any) -> tuple[Any, str]:
    text, error = _text(value)
    if error:
        return None, error
    problem = arxiv_query_problem(text)
    return (None, problem) if problem else (text, "")


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"'{value}'"


SITE_OPTIONS: Mapping[str, Validator] = {
    "title": _text,
    "description": _text,
    "base_url": _base_url,
    "language": _language,
    "timezone": _timezone,
    "theme": _name,
    "papers_per_page": _int_between(1, 10_000),
    "content_dir": _relative_dir,
    "output_dir": _output_dir,
    "max_entry_bytes": _int_between(1_000, 100_000_000),
    "cname": _domain,
}
TOPICS_OPTIONS: Mapping[str, Validator] = {
    "enabled": _bool,
    "count": _optional_count,
    "related": _int_between(0, 50),
    "seed": _int_between(0, 2**31 - 1),
    "renames": _renames,
}
FEEDS_OPTIONS: Mapping[str, Validator] = {
    "rss": _bool,
    "atom": _bool,
    "items": _int_between(1, 10_000),
    "json": _bool,
    "topics": _bool,
    "tags": _bool,
    "digest": _bool,
}
DIGEST_OPTIONS: Mapping[str, Validator] = {
    "period": _choice("daily", "weekly"),
    "limit": _int_between(0, 100_000),
    "email": _bool,
}
SMTP_OPTIONS: Mapping[str, Validator] = {
    "host": _text,
    "port": _int_between(1, 65535),
    "tls": _choice("none", "starttls", "ssl"),
    "from_address": _address,
    "reply_to": _address,
    "list_unsubscribe": _unsubscribe,
    "send_log": _relative_dir,
}
SUBSCRIBE_OPTIONS: Mapping[str, Validator] = {
    "action": _http_url,
    "email_field": _name,
    "hidden": _hidden_fields,
    "text": _text,
}
SEARCH_OPTIONS: Mapping[str, Validator] = {
    "enabled": _bool,
}
FETCH_OPTIONS: Mapping[str, Validator] = {
    "state": _relative_dir,
    "holidays": _dates,
    "arxiv_api": _http_url,
    "arxiv_rss": _http_url,
    "hf_api": _http_url,
    "page_size": _int_between(1, 2000),
    "max_days": _int_between(1, 60),
}
ARXIV_SOURCE_OPTIONS: Mapping[str, Validator] = {
    "type": _choice("arxiv"),
    "name": _name,
    "categories": _categories,
    "query": _query,
    "include": _words,
    "exclude": _words,
    "authors": _words,
    "min_papers": _int_between(0, 100_000),
}
HF_SOURCE_OPTIONS: Mapping[str, Validator] = {
    "type": _choice("huggingface"),
    "name": _name,
    "min_upvotes": _int_between(0, 1_000_000),
    "min_papers": _int_between(0, 100_000),
}
# Command-line values that follow other rules than the same option in site.yaml.
_COMMAND_LINE: Mapping[str, Validator] = {"output_dir": _any_folder}
SECTIONS: Mapping[str, tuple[Mapping[str, Validator], type]] = {
    "topics": (TOPICS_OPTIONS, TopicsConfig),
    "feeds": (FEEDS_OPTIONS, FeedsConfig),
    "search": (SEARCH_OPTIONS, SearchConfig),
    "digest": (DIGEST_OPTIONS, DigestConfig),
    "smtp": (SMTP_OPTIONS, SmtpConfig),
    "subscribe": (SUBSCRIBE_OPTIONS, SubscribeConfig),
    "fetch": (FETCH_OPTIONS, FetchConfig),
}


def all_option_names() -> tuple[str, ...]:
    """Every site.yaml key, dotted for sections (used to keep the README in sync)."""
    names = list(SITE_OPTIONS)
    for section, (options, _cls) in SECTIONS.items():
        names.append(section)
        names.extend(f"{section}.{name}" for name in options)
    names.append("sources")
    names.extend(dict.fromkeys(f"sources[].{name}" for name in
                               [*ARXIV_SOURCE_OPTIONS, *HF_SOURCE_OPTIONS]))
    return tuple(names)


# ------------------------------------------------------------------------------------- loading

def load_config(site_root: Path, overrides: Mapping[str, Any] | None = None) -> SiteConfig:
    """Read ``site_root/site.yaml`` and apply overrides. Raises UserError with every problem."""
    path = site_root / CONFIG_NAME
    diagnostics = Diagnostics()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"{CONFIG_NAME}: error: file not found in {site_root}") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{CONFIG_NAME}: error: not valid UTF-8 ({exc.reason})") from None
    try:
        document = parse_yaml(text)
    except YamlError as exc:
        diagnostics.error(CONFIG_NAME, exc.line, exc.message, column=exc.column)
        raise UserError(diagnostics.sorted()) from None
    config = parse_config(document, diagnostics)
    if overrides:
        config = apply_overrides(config, overrides, diagnostics)
    if diagnostics.has_errors:
        raise UserError(diagnostics.sorted())
    return config


def parse_config(document: Located | None, diagnostics: Diagnostics) -> SiteConfig:
    """Validate a parsed site.yaml; problems go to ``diagnostics``, defaults fill the gaps."""
    if document is None:
        return SiteConfig()
    if not isinstance(document.value, dict):
        diagnostics.error(CONFIG_NAME, document.line, "must be a mapping of options")
        return SiteConfig()
    values = _validate_mapping(document.value, SITE_OPTIONS, "", diagnostics,
                               extra=(*SECTIONS, "sources"))
    for section, (options, cls) in SECTIONS.items():
        node = document.value.get(section)
        if node is None:
            continue
        if not isinstance(node.value, dict):
            diagnostics.error(CONFIG_NAME, node.line, "must be a mapping", field=section)
            continue
        values[section] = cls(**_validate_mapping(node.value, options, f"{section}.", diagnostics))
    if "sources" in document.value:
        values["sources"] = _parse_sources(document.value["sources"], diagnostics)
    return SiteConfig(**values)


def _parse_sources(node: Located, diagnostics: Diagnostics) -> tuple[Any, ...]:
    """``sources:``, a list of arXiv and Hugging Face sources for `paperboy fetch`."""
    if node.value is None:
        return ()
    if not isinstance(node.value, list):
        diagnostics.error(CONFIG_NAME, node.line, "must be a list of sources, e.g. "
                          "[{type: arxiv, categories: [cs.LG]}, {type: huggingface}]",
                          field="sources")
        return ()
    sources: list[Any] = []
    names: dict[str, int] = {}
    for number, item in enumerate(node.value, start=1):
        where = f"sources[{number}]"
        kind = item.value.get("type") if isinstance(item.value, dict) else None
        kind_value = kind.value if kind is not None else None
        if kind_value not in ("arxiv", "huggingface"):
            got = "no type" if kind is None else f"type {_describe(kind_value)}"
            diagnostics.error(CONFIG_NAME, (kind or item).line,
                              f"each source needs type: arxiv or type: huggingface, got {got}",
                              field=where + (".type" if kind is not None else ""))
            continue
        options = ARXIV_SOURCE_OPTIONS if kind_value == "arxiv" else HF_SOURCE_OPTIONS
        errors_before = len(diagnostics.items)
        values = _validate_mapping(item.value, options, f"{where}.", diagnostics)
        values.pop("type", None)
        if kind_value == "arxiv":
            if not values.get("categories") and not values.get("query"):
                if "categories" not in item.value and "query" not in item.value:
                    diagnostics.error(CONFIG_NAME, item.line, "an arXiv source needs "
                                      "categories, a query or both", field=where)
                continue
            values.setdefault("name", _arxiv_source_name(values))
            values.setdefault("min_papers", 0 if values.get("query") else 1)
            source: Any = ArxivSource(line=item.line, **values)
        else:
            source = HuggingFaceSource(line=item.line, **values)
        if len(diagnostics.items) > errors_before:
            continue
        if source.name in names:
            diagnostics.error(CONFIG_NAME, item.line, f"two sources named '{source.name}' "
                              f"(the other is on line {names[source.name]}); give one a name:",
                              field=where)
            continue
        names[source.name] = item.line
        sources.append(source)
    return tuple(sources)


def _arxiv_source_name(values: Mapping[str, Any]) -> str:
    """A stable name (the key of the source in the fetch state) from what the source asks."""
    from generator.slugs import short_hash

    name = "arxiv-" + "-".join(values.get("categories") or ("query",))
    if values.get("query"):
        name += "-" + short_hash(values["query"])
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)


# ------------------------------------------------------------------------ arXiv search query

ARXIV_CATEGORY = re.compile(r"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[A-Za-z]+)*)?")
QUERY_FIELDS = ("ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all")
_QUERY_TOKEN = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<op>ANDNOT|AND|OR)(?=[\s(]|$)'
                          r'|(?P<field>[A-Za-z]+):(?P<value>"[^"]*"|[^\s()"]+)|(?P<bad>\S+))')


def arxiv_query_problem(query: str) -> str:
    """Why ``query`` is not an arXiv API search query (``ti:``, ``au:``, ``abs:``, ``cat:``,
    ``all:`` ... terms joined by AND, OR, ANDNOT, with parentheses), or "" when it is one."""
    if not query.strip():
        return "must not be empty"
    if query.count('"') % 2:
        return "has an unclosed quote"
    depth, expect_term = 0, True
    for match in _QUERY_TOKEN.finditer(query.rstrip()):
        if match.group("bad"):
            word = match.group("bad")
            return (f"expected a term such as ti:word, au:name, abs:\"a phrase\", cat:cs.LG or "
                    f"all:word, or AND, OR, ANDNOT, got '{word[:40]}'")
        if match.group("open"):
            if not expect_term:
                return "needs AND, OR or ANDNOT before '('"
            depth += 1
        elif match.group("close"):
            if expect_term or depth == 0:
                return "has a ')' without a term or '(' before it"
            depth -= 1
        elif match.group("op"):
            if expect_term:
                return f"has {match.group('op')} without a term before it"
            expect_term = True
        else:
            field_name = match.group("field")
            if field_name not in QUERY_FIELDS:
                return (f"unknown field '{field_name}:' (use one of "
                        f"{', '.join(f + ':' for f in QUERY_FIELDS)})")
            if not expect_term:
                return f"needs AND, OR or ANDNOT before '{match.group(0).strip()[:40]}'"
            expect_term = False
    if expect_term:
        return "ends without a term"
    if depth:
        return "has an unclosed '('"
    return ""


def _validate_mapping(mapping: dict[str, Located], options: Mapping[str, Validator], prefix: str,
                      diagnostics: Diagnostics, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, node in mapping.items():
        if key in extra:
            continue
        validator = options.get(key)
        if validator is None:
            known = [*options, *extra]
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean '{prefix}{close[0]}'?)" if close else ""
            diagnostics.error(CONFIG_NAME, node.line, f"unknown option{hint}", field=prefix + key)
            continue
        value, error = validator(node.plain())
        if error:
            diagnostics.error(CONFIG_NAME, node.line, error, field=prefix + key)
        else:
            values[key] = value
    return values


def apply_overrides(config: SiteConfig, overrides: Mapping[str, Any],
                    diagnostics: Diagnostics) -> SiteConfig:
    """Command-line values (``base_url``, ``output_dir``, ...) validated as in the file."""
    changes: dict[str, Any] = {}
    known = {f.name for f in fields(SiteConfig)}
    for key, raw in overrides.items():
        if raw is None:
            continue
        if key not in known:
            raise ValueError(f"unknown override {key}")  # a programming error, not user input
        validator = _COMMAND_LINE.get(key) or SITE_OPTIONS.get(key, _bool)
        value, error = validator(raw)
        if error:
            diagnostics.error("command line", 0, error, field=key)
        else:
            changes[key] = value
    return replace(config, **changes)
