"""RIS and CSL-JSON records of a paper, from the same CitationSource as its BibTeX entry.

Pure. Values are plain text from entries (hostile): RIS values are kept on one line so no field
can start another tag, and CSL-JSON is written by the json module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from generator.site.scholarly import CitationSource, citation_key

_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_EITHER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")  # a break or a control


def _one_line(text: str) -> str:
    if _EITHER.search(text) is None:  # nearly every value: one search instead of two passes
        return text.strip()
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", text)).strip()


def render_ris(s: CitationSource) -> str:
    """One RIS record: ``JOUR`` for a paper with a DOI and no arXiv ID, else ``UNPB``
    (a preprint); lines end with CRLF as the format asks."""
    kind = "JOUR" if s.doi and not s.arxiv else "UNPB"
    year, month, day = s.date_iso.split("-")
    lines = [("TY", kind), ("TI", s.title), *(("AU", a) for a in s.authors),
             ("PY", year), ("DA", f"{year}/{month}/{day}"), ("AB", s.abstract),
             ("UR", s.arxiv_url or s.url)]
    if s.doi:
        lines.append(("DO", s.doi))
    if s.pdf_url:
        lines.append(("L1", s.pdf_url))
    if s.arxiv:
        lines += [("PB", "arXiv"), ("M1", f"arXiv:{s.arxiv}")]
    lines += [("KW", k) for k in s.keywords]
    lines.append(("LA", s.language))
    kept = ((tag, _one_line(value)) for tag, value in lines)
    return "".join(f"{tag}  - {value}\r\n" for tag, value in kept if value) + "ER  - \r\n"


def csl_json_item(s: CitationSource, key: str | None = None) -> dict[str, object]:
    """One CSL-JSON item (the format of Zotero, Mendeley and citeproc)."""
    year, month, day = (int(part) for part in s.date_iso.split("-"))
    item: dict[str, object] = {
        "id": key or citation_key(s.authors, s.date_iso[:4], s.title),
        "type": "article-journal" if s.doi and not s.arxiv else "article",
        "title": s.title,
        "author": [csl_name(a) for a in s.authors],
        "issued": {"date-parts": [[year, month, day]]},
        "abstract": s.abstract,
        "URL": s.arxiv_url or s.url,
        "language": s.language,
    }
    if s.doi:
        item["DOI"] = s.doi
    if s.arxiv:
        item["number"] = f"arXiv:{s.arxiv}"
        item["publisher"] = "arXiv"
    if s.keywords:
        item["keyword"] = ", ".join(s.keywords)
    return item


def csl_name(name: str) -> dict[str, str]:
    """"Ada Lovelace" and "Lovelace, Ada" -> family and given; one word -> a literal name."""
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return {"family": family, "given": given} if given else {"literal": family}
    words = name.split()
    if len(words) < 2:
        return {"literal": name.strip()}
    return {"family": words[-1], "given": " ".join(words[:-1])}


def render_csl_json(items: Sequence[dict[str, object]]) -> bytes:
    """A CSL-JSON file: a list with one item per line."""
    return join_csl_items([csl_list_item(item) for item in items])


def csl_list_item(item: dict[str, object]) -> str:
    """One item on one line, as render_csl_json writes it, so that a paper listed by many files
    is encoded once. One line, not indented: json's indenting encoder is pure Python and cost
    more than the rest of the three formats together (reference managers read either)."""
    return json.dumps(item, ensure_ascii=False, sort_keys=True)


def join_csl_items(items: Sequence[str]) -> bytes:
    """render_csl_json's bytes from csl_list_item texts."""
    if not items:
        return b"[]\n"
    return ("[\n" + ",\n".join(items) + "\n]\n").encode()


def unique_keys(keys: Sequence[str]) -> list[str]:
    """Citation keys made unique within one file: the second ``smith2024deep`` gets ``b``."""
    seen: dict[str, int] = {}
    result = []
    for key in keys:
        count = seen.get(key, 0)
        seen[key] = count + 1
        suffix = chr(ord("a") + count) if count < 26 else str(count)
        result.append(key if count == 0 else key + suffix)
    return result
