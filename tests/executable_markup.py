"""Find markup that a browser or feed reader could execute, in built pages and feeds.

Used by the property tests: whatever an entry says, no output file may contain any of it.
The check is deliberately stricter than browsers: scheme names are compared after removing
whitespace and control characters, as browsers do before deciding what a URL is.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

DANGEROUS_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "form",
    "input", "button", "textarea", "select", "base", "link", "meta", "svg", "foreignobject",
    "template", "portal", "noscript", "image", "animate", "set", "handler", "listener",
})
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "srcset", "codebase", "cite", "longdesc", "usemap", "dynsrc", "lowsrc", "ping",
})
SAFE_SCHEMES = ("http:", "https:", "mailto:")
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")
# The theme's own head: a stylesheet link and a few metas are expected on every page.
_THEME_TAGS = frozenset({"link", "meta"})
# The theme's own widgets, recognised by their exact attributes: the search box and search page
# (form, input, submit button, noscript hint), the BibTeX copy button, the site's one script
# (a content-hashed static file) and the JSON-LD data block (not executed, "<" escaped).
_THEME_SCRIPT = re.compile(r"/(?:[\w.-]+/)*static/(?:site|filters|readers)\.[0-9a-f]{10}\.js")
# The reader widgets (filter box, For you page): their forms post nowhere and their inputs are
# the filter's fields; readers.js gets the site's base path and the ranking folder.
_FILTER_INPUTS = {"w", "xw", "a", "xa", "g", "xg"}
_THEME_WIDGETS = {
    "form": lambda a: (a.get("role") == "search" and str(a.get("data-search")).endswith(
        "/pagefind/pagefind.js")) or (a.get("class") == "filter-form" and a.get("method") == "get"),
    "input": lambda a: (a.get("type") == "search" and a.get("class") == "search-input") or (
        a.get("type") == "text" and a.get("name") in _FILTER_INPUTS) or (
        a.get("type") == "radio" and a.get("name") == "m") or (
        a.get("type") == "file" and "data-profile-import" in a),
    "button": lambda a: a == {"type": "submit"} or (
        a.get("data-copy") == "bibtex" and a.get("class") == "copy-button") or (
        a.get("type") == "button" and any(k.startswith("data-profile-") for k in a)),
    "noscript": lambda a: not a,
    "script": lambda a: a == {"type": "application/ld+json"} or (
        set(a) - {"data-base", "data-ranking"} == {"type", "src"} and a["type"] == "module"
        and _THEME_SCRIPT.fullmatch(str(a["src"])) is not None),
}


class _Finder(HTMLParser):
    def __init__(self, allow_theme_head: bool, allow_styles: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.allow_theme_head = allow_theme_head
        self.allow_styles = allow_styles
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        styled = self.allow_styles and tag == "style"
        if tag in DANGEROUS_TAGS and not styled and not self._theme_tag(tag, dict(attrs)):
            self.problems.append(f"<{tag}> element")
        for name in names:
            if name == "style" and self.allow_styles:
                continue
            if name.startswith("on") or name in ("style", "srcdoc", "http-equiv"):
                self.problems.append(f"{name}= attribute on <{tag}>")
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value and not is_safe_url(value):
                self.problems.append(f"{name}={value!r} on <{tag}>")

    def _theme_tag(self, tag: str, attrs: dict[str, str | None]) -> bool:
        if self.allow_theme_head and tag in _THEME_WIDGETS:
            return _THEME_WIDGETS[tag](attrs)
        if not self.allow_theme_head or tag not in _THEME_TAGS:
            return False
        if tag == "meta":
            return "http-equiv" not in attrs
        return attrs.get("rel") in ("stylesheet", "alternate", "canonical", "icon")


def is_safe_url(value: str) -> bool:
    """True for http(s)/mailto and for scheme-less (relative) URLs."""
    compact = _IGNORED_IN_SCHEME.sub("", value).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.\-]*):", compact)
    return scheme is None or compact.startswith(SAFE_SCHEMES)


def html_problems(markup: str, *, allow_theme_head: bool = False,
                  allow_styles: bool = False) -> list[str]:
    """``allow_styles``: e-mail HTML, whose theme CSS is inlined into style attributes."""
    finder = _Finder(allow_theme_head, allow_styles)
    finder.feed(markup)
    finder.close()
    return finder.problems


_RSS_HTML = ("description", "{http://purl.org/rss/1.0/modules/content/}encoded")


def feed_problems(data: bytes) -> list[str]:
    """Text that readers render as HTML (RSS description and content, Atom type="html"),
    and every link."""
    problems = []
    for element in ET.fromstring(data).iter():
        is_html = element.tag in _RSS_HTML or element.get("type") in ("html", "xhtml")
        if is_html and element.text:
            problems.extend(html_problems(element.text))
        for name, value in element.attrib.items():
            if name in ("href", "src") and not is_safe_url(value):
                problems.append(f"{name}={value!r} in feed")
    return problems


def output_problems(output: Path) -> dict[str, list[str]]:
    """Problems by file for every HTML page and XML feed under ``output``."""
    found: dict[str, list[str]] = {}
    for path in sorted(output.rglob("*")):
        if path.suffix == ".html":
            problems = html_problems(path.read_text("utf-8"), allow_theme_head=True,
                                     allow_styles=path.name == "email.html")
        elif path.suffix == ".xml":
            problems = feed_problems(path.read_bytes())
        else:
            continue
        if problems:
            found[path.relative_to(output).as_posix()] = problems
    return found
