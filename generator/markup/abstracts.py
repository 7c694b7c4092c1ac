"""Untrusted Markdown + LaTeX (titles, abstracts) -> sanitised HTML or plain text.

The only place user text becomes HTML. Pure and cached by content: no files, no state between
calls except the reusable Markdown parser and the caches.
"""

from __future__ import annotations

import html
import re
import threading
import xml.etree.ElementTree as etree
from functools import lru_cache

import markdown
import nh3
from markdown.inlinepatterns import HTML_RE, HtmlInlineProcessor, InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from generator.markup.latex import PLACEHOLDER_RE, Protected, protect_latex
from generator.markup.lists import commonmark_lists

_CACHE_SIZE = 1 << 17


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_MATHML_TAGS = _names(
    "math semantics annotation mrow mi mn mo ms mtext mspace msup msub msubsup mfrac msqrt mroot"
    " mover munder munderover mtable mtr mtd mstyle mpadded mphantom menclose mfenced")
_MATHML_ATTRIBUTES = _names(
    "display xmlns mathvariant stretchy fence separator lspace rspace accent accentunder"
    " columnalign displaystyle scriptlevel linethickness width height depth open close"
    " separators notation movablelimits minsize maxsize largeop symmetric form columnspacing"
    " rowspacing")
_INLINE_TAGS = frozenset({"br", "em", "strong", "code", "a", "sub", "sup", "u"}) | _MATHML_TAGS
_BLOCK_TAGS = _INLINE_TAGS | {"p", "pre", "blockquote", "ul", "ol", "li"}
# Raw HTML in the source is passed to the sanitiser only for real HTML element names, so that
# "<think>" or "p<0.05" in an abstract stays visible text. MathML and SVG are never taken raw.
_HTML_TAGS = _names(
    "a abbr address area article aside audio b base bdi bdo blockquote body br button canvas"
    " caption cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed"
    " fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hr html"
    " i iframe img input ins kbd label legend li link main map mark meta meter nav noembed"
    " noscript object ol optgroup option output p param picture pre progress q rp rt ruby s samp"
    " script section select small source span strike strong style sub summary sup table tbody td"
    " template textarea tfoot th thead time title tr track tt u ul var video wbr xmp")
_DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea", "title",
     "xmp", "noembed", "select"})


def _cleaner(tags: frozenset[str]) -> nh3.Cleaner:
    attributes = {"a": {"href"}, "ol": {"start"}} | {
        tag: set(_MATHML_ATTRIBUTES) for tag in _MATHML_TAGS}
    return nh3.Cleaner(
        tags=set(tags), clean_content_tags=set(_DROPPED_WITH_CONTENT), attributes=attributes,
        url_schemes={"http", "https", "mailto"}, url_relative="deny",
        link_rel="nofollow noopener ugc", allowed_classes={"code": {"math-fallback"}},
        strip_comments=True)


_BLOCK_CLEANER = _cleaner(_BLOCK_TAGS)
_INLINE_CLEANER = _cleaner(_INLINE_TAGS)

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ue000\ue001]")
# Anything Markdown, LaTeX, typography or the sanitiser would change; text without any of it
# is wrapped directly (the fast path), byte-identical to the full pipeline (tested on arXiv).
_SPECIAL_CHAR_RE = re.compile(r"[\\$`*_\[\]<>&~{}\t\n\x85\xa0\u2028\u2029]")
_BLOCK_START_RE = re.compile(r"#|=|\d+[.)]|[-+>]")
_TAG_NAME_RE = re.compile(r"/?([A-Za-z][A-Za-z0-9-]*)(?=[\s/]|$)")
# GitHub's extended autolinks: http(s):// URLs, and www. followed by a domain name.
_BARE_URL_RE = (r"(?<![\w/@.:-])((?:https?://|www\.(?=[A-Za-z0-9-]+\.[A-Za-z0-9]))"
                r"[^\s<>\"'\ue000\ue001]+)")
_URL_TRAILER_RE = re.compile(r"(?:[.,:;!?'\"]|(?<!&#\d\d);|(?<!&#\d\d\d);)+$")
_TIE_RE = re.compile(r"(?<=\S)~(?=\S|$)")  # a text node may end just before a link
_HTML_TAG_RE = re.compile(r"<(?:[^<>\"]|\"[^\"]*\")*>")
_BLOCK_BOUNDARY_RE = re.compile(r"</?(?:p|br|li|ul|ol|blockquote|pre)\b[^>]*>")
_WHITESPACE_RE = re.compile(r"\s+")
_TAG_OR_PLACEHOLDER_RE = re.compile(r"(<[^<>]*>)|" + PLACEHOLDER_RE.pattern)
_SINGLE_STAR_RE = re.compile(r"(?<![\\*])\*(?!\*)")
# <ol start> kept by the sanitiser, unless it is not a number (raw HTML in an abstract)
_BAD_OL_START_RE = re.compile(r'<ol start="(?!\d{1,9}")[^"]*"')
_STAR_BULLET_RE = re.compile(r"(?m)^[ \t]*\*(?=[ \t])")  # "* item": a list marker


class _KnownTagProcessor(HtmlInlineProcessor):
    """Python-Markdown's raw inline HTML, limited to real HTML element names and comments."""

    def handleMatch(self, m: re.Match[str], data: str):  # type: ignore[override]
        inner = m.group(1)[1:-1]
        name = _TAG_NAME_RE.match(inner)
        if inner.startswith("!--") or (name and name[1].lower() in _HTML_TAGS):
            return super().handleMatch(m, data)
        return None, None, None


class _BareUrlProcessor(InlineProcessor):
    """Links bare http(s) URLs, leaving trailing punctuation and unbalanced ')' outside."""

    def handleMatch(self, m: re.Match[str], data: str):  # type: ignore[override]
        raw = _URL_TRAILER_RE.sub("", m.group(1))
        while raw.endswith(")") and raw.count(")") > raw.count("("):
            raw = _URL_TRAILER_RE.sub("", raw[:-1])
        url = html.unescape(raw)
        link = etree.Element("a", {"href": url if "://" in url[:8] else "http://" + url})
        link.text = AtomicString(url)
        return link, m.start(1), m.start(1) + len(raw)


def _smarten(text: str | None) -> str | None:
    if not text or isinstance(text, AtomicString):
        return text
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("''", "\u201d")
    return _TIE_RE.sub("\u00a0", text)


class _Typography(Treeprocessor):
    """LaTeX dashes, closing quotes and ties (a~b) in prose; never inside code or URLs."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            if parent.tag not in ("code", "pre"):
                parent.text = _smarten(parent.text)
            for child in parent:
                child.tail = _smarten(child.tail)


def _build_markdown() -> markdown.Markdown:
    # sane_lists: a new list where bullets and numbers change, and <ol start> as GitHub has
    md = markdown.Markdown(output_format="html", extensions=["sane_lists"])
    md.preprocessors.deregister("html_block")
    md.parser.blockprocessors.deregister("code")  # an indented abstract line is not code
    # latex.py renders code spans; images are not allowed, so "![x](u)" stays a link.
    for name in ("backtick", "image_link", "image_reference", "short_image_ref"):
        md.inlinePatterns.deregister(name)
    md.inlinePatterns.register(_KnownTagProcessor(HTML_RE, md), "html", 90)
    md.inlinePatterns.register(_BareUrlProcessor(_BARE_URL_RE, md), "bare_url", 115)
    md.treeprocessors.register(_Typography(md), "typography", 15)
    return md


_local = threading.local()


def _markdown_to_html(text: str) -> str:
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = _build_markdown()
    return md.reset().convert(text)


def _flanking(before: str, after: str) -> tuple[bool, bool]:
    """CommonMark's (left, right) flanking for a delimiter between before and after."""
    def punct(c: str) -> bool:
        return not c.isalnum() and not c.isspace() and c not in "\ue000\ue001"
    left = not after.isspace() and (not punct(after) or before.isspace() or punct(before))
    right = not before.isspace() and (not punct(before) or after.isspace() or punct(after))
    return left, right


def _escape_stray_asterisks(paragraph: str) -> str:
    """Escape single '*' that cannot pair as emphasis: "512*512", "T* improves", "Zero*,"."""
    bullets = {m.end() - 1 for m in _STAR_BULLET_RE.finditer(paragraph)}
    stars = [m.start() for m in _SINGLE_STAR_RE.finditer(paragraph) if m.start() not in bullets]
    openers: list[int] = []
    stray: set[int] = set()
    for i in stars:
        before, after = paragraph[i - 1:i] or " ", paragraph[i + 1:i + 2] or " "
        left, right = _flanking(before, after)
        if before.isalnum() and after.isalnum():
            stray.add(i)
        elif right and openers:
            openers.pop()
        elif left:
            openers.append(i)
        else:
            stray.add(i)
    stray.update(openers)
    for i in sorted(stray, reverse=True):
        paragraph = paragraph[:i] + "\\" + paragraph[i:]
    return paragraph


def _escape_block_start(title: str) -> str:
    """Keep a one-line title out of Markdown block syntax (lists, headings, rules, quotes)."""
    if re.match(r"\d+[.)]\s", title):
        cut = re.match(r"\d+", title).end()
        return title[:cut] + "\\" + title[cut:]
    if re.match(r"[#>]|[-+*]\s|([-*_])\s*(\1\s*){2,}$", title):
        return "\\" + title
    return title


def _normalise(source: str) -> str:
    return _CONTROL_RE.sub("", source.replace("\r\n", "\n").replace("\r", "\n")).strip()


@lru_cache(maxsize=8192)
def _convert(source: str, inline: bool) -> tuple[str, Protected]:
    """Markdown HTML with placeholders still in it, and the protected LaTeX fragments."""
    if inline:
        source = _WHITESPACE_RE.sub(" ", source)
    protected = protect_latex(source, inline=inline)
    text = protected.text if inline else commonmark_lists(protected.text)
    text = "\n\n".join(_escape_stray_asterisks(p) if "*" in p else p
                         for p in re.split(r"\n[ \t]*\n", text))
    if inline:
        text = _escape_block_start(text)
    try:
        out = _markdown_to_html(text)
    except RecursionError:  # block syntax nested hundreds deep ("1. 1. 1. ..."): show as text
        _local.md = None  # the parser's state stack is left half-full: never reuse it
        paragraphs = [html.escape(p, quote=False) for p in re.split(r"\n[ \t]*\n", text)]
        return (" ".join(paragraphs) if inline
                else "\n".join(f"<p>{p}</p>" for p in paragraphs)), protected
    if inline and out.startswith("<p>") and out.endswith("</p>"):
        out = out[3:-4]
    return out, protected


def _restore(markup: str, fragments: tuple[str, ...]) -> str:
    """Put fragments back; a placeholder that Markdown moved into an attribute is dropped."""
    def replace(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return PLACEHOLDER_RE.sub("", m.group(1))
        return fragments[int(m.group(2))]
    return _TAG_OR_PLACEHOLDER_RE.sub(replace, markup)


def _render(source: str, inline: bool, plain: bool) -> str:
    markup, protected = _convert(source, inline)
    fragments = protected.plain if plain else protected.html
    cleaner = _INLINE_CLEANER if inline else _BLOCK_CLEANER
    clean = cleaner.clean(_restore(markup, fragments))
    return _BAD_OL_START_RE.sub("<ol", clean) if "<ol start" in clean else clean


def _html_to_text(markup: str) -> str:
    text = _HTML_TAG_RE.sub("", _BLOCK_BOUNDARY_RE.sub(" ", markup))
    return _WHITESPACE_RE.sub(" ", html.unescape(text)).strip()


# Results computed elsewhere for these exact sources (worker processes, the build cache), keyed
# by (function name, source); see generator/markup/warm.py.
_PRECOMPUTED: dict[tuple[str, str], str] = {}


def remember(results: dict[tuple[str, str], str]) -> None:
    """Seed results that the functions below would return for the same source."""
    _PRECOMPUTED.update(results)


def is_plain_prose(source: str) -> bool:
    """True when source needs neither Markdown nor LaTeX nor escaping (the fast path)."""
    return not (_SPECIAL_CHAR_RE.search(source) or "--" in source or "''" in source
                or "://" in source or "www." in source or _BLOCK_START_RE.match(source))


@lru_cache(maxsize=_CACHE_SIZE)
def render_abstract(source: str) -> str:
    """Block HTML (paragraphs, lists, MathML), sanitised; deterministic for equal input."""
    known = _PRECOMPUTED.get(("render_abstract", source))
    if known is not None:
        return known
    source = _normalise(source)
    if is_plain_prose(source):
        return f"<p>{source}</p>" if source else ""
    return _render(source, inline=False, plain=False)


@lru_cache(maxsize=_CACHE_SIZE)
def render_title(source: str) -> str:
    """Inline HTML (no paragraphs or other blocks), sanitised; math renders inline."""
    known = _PRECOMPUTED.get(("render_title", source))
    if known is not None:
        return known
    source = _normalise(source)
    if is_plain_prose(source):
        return source
    return _render(source, inline=True, plain=False)


@lru_cache(maxsize=_CACHE_SIZE)
def plain_text(source: str) -> str:
    """Readable one-line text: macros resolved, math as $TeX$, no Markdown or tags.

    A one-line source is read as a title (a leading "1." stays text); longer text as an abstract.
    """
    known = _PRECOMPUTED.get(("plain_text", source))
    if known is not None:
        return known
    source = _normalise(source)
    if is_plain_prose(source):
        return source
    return _html_to_text(_render(source, inline="\n" not in source, plain=True))
