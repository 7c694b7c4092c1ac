"""LaTeX in user text (math, text macros, accents) -> HTML fragments behind placeholders.

Runs before Markdown so that `_` and `*` in math never reach it. It does not sanitise:
abstracts.py does.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from latex2mathml.converter import convert as _latex_to_mathml

PLACEHOLDER_RE = re.compile("\ue000(\\d+)\ue001")

_STRAY_LT_RE = re.compile(r"<(?!/?(?:m[a-z]*|semantics|annotation)[\s>/])")
_SPECIAL_RE = re.compile(r"[\\$`{]")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
_INLINE_DOLLAR_RE = re.compile(r"\$(?![\s$])((?:\\.|[^\\$])+?)(?<!\s)\$(?!\d)", re.S)
_NAME_RE = re.compile(r"[A-Za-z]+\*?")
_SPACES_RE = re.compile(r"[ \t]*")
_SYMBOL_ACCENT_ARG_RE = re.compile(r"\{\\?([A-Za-z])\}|\\?([A-Za-z])")
_LETTER_ACCENT_ARG_RE = re.compile(r"\{\\?([A-Za-z])\}| +([A-Za-z])(?![A-Za-z])")
# \cite and friends are dropped with the space or tie before them:
# "prior work~\cite{x}." -> "prior work."
# The look-behind starts a match only where a run of spaces begins: without it a long run of
# '~' is re-scanned from every position (quadratic; same matches either way).
_REFERENCE_RE = re.compile(
    r"(?<![ \t~])[ \t~]*\\(?:cite[a-z]*|[cC]ref|ref|eqref|autoref|label)\*?(?:\[[^\]]*\])*"
    r"\{[^{}]*\}"
)
# Openers whose closer is searched for to the end of the text ('[', '{', '\\(', '$'): their
# number times the paragraph's length bounds the parsers' work (measured: ~3 µs per unit in
# Python-Markdown's link scan). A paragraph over either budget is shown as plain text instead
# of being parsed, so rendering stays linear in the entry's size. Real abstracts stay far
# below (arXiv cs 2025, 40k abstracts: at most ~80 openers, 139,360 units in a paragraph).
MAX_OPENERS = 100
MAX_OPENER_WORK = 400_000
_OPENER_RE = re.compile(r"[\[{$\\]")
_PARAGRAPH_BREAK_RE = re.compile(r"(\n[ \t]*\n)")

_ESCAPED_CHARS = "%&#_{}$"
_TAGS = {"textbf": "strong", "textit": "em", "emph": "em", "textsl": "em", "texttt": "code",
         "underline": "u", "textsuperscript": "sup", "textsubscript": "sub"}
_SWITCHES = {"bf": "strong", "bfseries": "strong", "it": "em", "itshape": "em", "em": "em",
             "sl": "em", "tt": "code", "ttfamily": "code"}
_CONTENT_ONLY = {"textsc", "textrm", "textsf", "textup", "textnormal", "textmd", "text", "mbox"}
_DROPPED = {"footnote", "sc", "rm", "sf", "normalfont", "xspace", "noindent", "newline",
            "par", "smallskip", "medskip", "bigskip", "vspace", "hspace"}
_WORDS = {"eg": "e.g.", "ie": "i.e.", "etal": "et al.", "etc": "etc.", "vs": "vs.",
          "LaTeX": "LaTeX", "TeX": "TeX", "ldots": "…", "dots": "…", "textasciitilde": "&#126;",
          "textbackslash": "&#92;", "S": "§", "textendash": "–", "textemdash": "—"}
_ACCENTS = {"'": "\u0301", "`": "\u0300", '"': "\u0308", "^": "\u0302", "~": "\u0303",
            "=": "\u0304", ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306",
            "H": "\u030b"}
_SPACING = {" ": " ", ",": " ", ";": " ", ":": " ", "!": "", "-": "", "/": "", "@": ""}


@dataclass(frozen=True)
class Protected:
    """Text for Markdown with placeholders, and what each placeholder stands for."""

    text: str
    html: tuple[str, ...]  # fragment per placeholder, as HTML
    plain: tuple[str, ...]  # fragment per placeholder, as HTML whose text is the plain form


def protect_latex(source: str, *, inline: bool) -> Protected:
    """Replace math, code spans and LaTeX text macros by placeholders or HTML entities.

    inline=True renders display math inline (titles).
    """
    scanner = _Scanner(inline)
    if _within_budget(source):
        text = scanner.scan(_REFERENCE_RE.sub("", source))
    else:  # each paragraph on its own; one over the budget is kept as plain text
        text = "".join(
            part if index % 2 else scanner.scan(_REFERENCE_RE.sub("", part))
            if _within_budget(part) else scanner.stash(html.escape(part, quote=False))
            for index, part in enumerate(_PARAGRAPH_BREAK_RE.split(source)))
    return Protected(text, tuple(scanner.html), tuple(scanner.plain))


def _within_budget(text: str) -> bool:
    openers = len(_OPENER_RE.findall(text))
    return openers <= MAX_OPENERS and openers * len(text) <= MAX_OPENER_WORK


@lru_cache(maxsize=16384)
def render_math(tex: str, display: bool) -> str:
    """MathML for one TeX expression, or its escaped source in <code> when it cannot convert."""
    try:
        mathml = _latex_to_mathml(tex, display="block" if display else "inline")
    # latex2mathml raises many exception types on bad input; a typo in an abstract must not
    # stop the build, and the reader still sees the TeX.
    except Exception:
        return f'<code class="math-fallback">{html.escape(tex)}</code>'
    # latex2mathml copies \text{...} verbatim, so "\text{<think>}" would arrive as a tag.
    return _STRAY_LT_RE.sub("&lt;", mathml)


def _find_unescaped(s: str, needle: str, start: int) -> int:
    """Index of needle in s at or after start, skipping backslash escapes; -1 if absent."""
    i = start
    while i < len(s):
        if s.startswith(needle, i):
            return i
        i += 2 if s[i] == "\\" else 1
    return -1


def _matching_brace(s: str, i: int) -> int:
    """Index of the '}' closing the '{' at s[i], or -1."""
    depth = 0
    j = i
    while j < len(s):
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return -1


def _braced_arg(s: str, i: int) -> tuple[str, int] | None:
    """The {argument} starting at s[i] (spaces allowed before it) and the index after it."""
    j = _SPACES_RE.match(s, i).end()
    if j >= len(s) or s[j] != "{":
        return None
    end = _matching_brace(s, j)
    return None if end < 0 else (s[j + 1:end], end + 1)


def _unescape_url(url: str) -> str:
    return re.sub(r"\\([%#_&~$])", r"\1", url.strip())


def _is_web_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


class _Scanner:
    """One left-to-right pass; recursive for macro arguments."""

    def __init__(self, inline: bool) -> None:
        self.inline = inline
        self.html: list[str] = []
        self.plain: list[str] = []

    def stash(self, fragment: str, plain: str | None = None) -> str:
        self.html.append(fragment)
        self.plain.append(fragment if plain is None else plain)
        return f"\ue000{len(self.html) - 1}\ue001"

    def scan(self, s: str) -> str:
        out: list[str] = []
        i = 0
        while match := _SPECIAL_RE.search(s, i):
            out.append(s[i:match.start()])
            piece, i = self._special(s, match.start())
            out.append(piece)
        out.append(s[i:])
        return "".join(out)

    def _special(self, s: str, i: int) -> tuple[str, int]:
        c = s[i]
        if c == "`":
            return self._backticks(s, i)
        if c == "$":
            return self._dollar(s, i)
        if c == "{":
            return self._group(s, i)
        return self._backslash(s, i)

    def _math(self, tex: str, display: bool) -> str:
        display = display and not self.inline
        delimiter = "$$" if display else "$"
        return self.stash(render_math(tex.strip(), display),
                          html.escape(f"{delimiter}{tex.strip()}{delimiter}"))

    def _dollar(self, s: str, i: int) -> tuple[str, int]:
        if s.startswith("$$", i):
            end = _find_unescaped(s, "$$", i + 2)
            tex = s[i + 2:end]
            if end > i + 2 and tex.strip() and not _BLANK_LINE_RE.search(tex):
                return self._math(tex, True), end + 2
            return "$$", i + 2
        match = _INLINE_DOLLAR_RE.match(s, i)
        if match and not _BLANK_LINE_RE.search(match[1]):
            return self._math(match[1], False), match.end()
        return "$", i + 1

    def _delimited_math(self, s: str, i: int) -> tuple[str, int] | None:
        closing = "\\)" if s[i + 1] == "(" else "\\]"
        end = _find_unescaped(s, closing, i + 2)
        if end < 0 or not s[i + 2:end].strip() or _BLANK_LINE_RE.search(s[i + 2:end]):
            return None
        return self._math(s[i + 2:end], closing == "\\]"), end + 2

    def _backticks(self, s: str, i: int) -> tuple[str, int]:
        """``LaTeX quotes`` open with “; other backtick runs are Markdown code spans."""
        n = len(s) - i - len(s[i:].lstrip("`"))
        if n == 2:
            return "&#8220;", i + 2
        closing = re.compile(rf"(?<!`){'`' * n}(?!`)").search(s, i + n)
        if closing is None or _BLANK_LINE_RE.search(s, i, closing.start()):
            return "&#96;" * n, i + n
        code = s[i + n:closing.start()]
        return self.stash(f"<code>{html.escape(code.strip(), quote=False)}</code>"), closing.end()

    def _group(self, s: str, i: int) -> tuple[str, int]:
        """{\\bf x} switches become tags; braces around a macro are LaTeX grouping, dropped."""
        end = _matching_brace(s, i)
        if end < 0:
            return "{", i + 1
        body = s[i + 1:end]
        switch = re.match(r"\\([a-z]+)(?![A-Za-z])\s*", body)
        if switch and switch[1] in _SWITCHES:
            return self._wrap(_SWITCHES[switch[1]], body[switch.end():]), end + 1
        if body.startswith("\\"):
            return self.scan(body), end + 1
        return "{" + self.scan(body) + "}", end + 1

    def _wrap(self, tag: str, body: str) -> str:
        return self.stash(f"<{tag}>") + self.scan(body) + self.stash(f"</{tag}>")

    def _backslash(self, s: str, i: int) -> tuple[str, int]:
        nxt = s[i + 1:i + 2]
        if nxt in ("(", "["):
            return self._delimited_math(s, i) or (s[i:i + 2], i + 2)
        if nxt and nxt in _ESCAPED_CHARS:
            return f"&#{ord(nxt)};", i + 2
        if nxt and nxt in _ACCENTS and (accented := self._accent(s, i)):
            return accented
        if nxt in ("~", "^"):
            return f"&#{ord(nxt)};", i + 4 if s.startswith("{}", i + 2) else i + 2
        if nxt and nxt in _SPACING:
            return _SPACING[nxt], i + 2
        name = _NAME_RE.match(s, i + 1)
        if name is None:
            return s[i:i + 2], i + 2
        return self._macro(s, i, name[0].rstrip("*"), name.end())

    def _accent(self, s: str, i: int) -> tuple[str, int] | None:
        """\\'e, \\'{e}, \\"{\\i}, \\c{c} -> precomposed letters."""
        pattern = _LETTER_ACCENT_ARG_RE if s[i + 1].isalpha() else _SYMBOL_ACCENT_ARG_RE
        match = pattern.match(s, i + 2)
        if match is None:
            return None
        letter = match[1] or match[2]
        return unicodedata.normalize("NFC", letter + _ACCENTS[s[i + 1]]), match.end()

    def _macro(self, s: str, i: int, name: str, after: int) -> tuple[str, int]:
        if name in _WORDS:
            return _WORDS[name], after
        if name in _SWITCHES or name in _DROPPED:
            arg = _braced_arg(s, after) if name in ("footnote", "vspace", "hspace") else None
            if arg and name == "footnote":
                return " (" + self.scan(arg[0]) + ")", arg[1]
            return "", arg[1] if arg else after
        arg = _braced_arg(s, after)
        if arg is None:
            return "\\" + s[i + 1:after], after
        body, end = arg
        if name in _TAGS:
            return self._wrap(_TAGS[name], body), end
        if name in _CONTENT_ONLY:
            return self.scan(body), end
        if name in ("url", "href", "textcolor", "colorbox", "color"):
            return self._two_arg_macro(s, name, body, end)
        return "\\" + s[i + 1:after], after

    def _two_arg_macro(self, s: str, name: str, first: str, end: int) -> tuple[str, int]:
        """\\url{u}, \\href{u}{text}, \\textcolor{c}{text}, \\color{c}."""
        if name == "color":
            return "", end
        if name == "url":
            url = _unescape_url(first)
            text = html.escape(url)
            return (self.stash(f'<a href="{text}">{text}</a>') if _is_web_url(url) else text), end
        second = _braced_arg(s, end)
        if second is None:
            return self.scan(first), end
        body, end = second
        if name != "href" or not _is_web_url(_unescape_url(first)):
            return self.scan(body), end
        href = html.escape(_unescape_url(first))
        return self.stash(f'<a href="{href}">') + self.scan(body) + self.stash("</a>"), end
