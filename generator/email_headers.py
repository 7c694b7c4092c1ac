"""Safe values for e-mail headers: one line of text, one checked address.

Titles come from pull requests, so nothing user-written may reach a header unflattened: a
newline there would end the header and start a new one (``Bcc:`` injection).
"""

from __future__ import annotations

import re
import unicodedata
from email.headerregistry import Address
from email.utils import getaddresses

MAX_HEADER_CHARS = 200
_SPACE = re.compile(r"\s+")
_ADDR_SPEC = re.compile(r"^[^\s@<>(),;:\"\[\]\\]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}$"
                        r"|^[^\s@]+@localhost$")


def header_text(value: str, limit: int = MAX_HEADER_CHARS) -> str:
    """One line: every run of whitespace (CR, LF, U+2028...) becomes one space, controls go."""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value)
    text = _SPACE.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def clean_address(value: str) -> str | None:
    """``'Name <a@b.org>'`` or ``'a@b.org'`` normalised; None unless exactly one address."""
    if any(unicodedata.category(c) == "Cc" for c in value):
        return None
    found = getaddresses([value])
    if len(found) != 1:
        return None
    name, spec = found[0]
    if not _ADDR_SPEC.match(spec):
        return None
    username, domain = spec.rsplit("@", 1)
    return str(Address(display_name=header_text(name), username=username, domain=domain))


def address_spec(value: str) -> str:
    """The bare ``a@b.org`` of a checked address, lower-cased for comparisons and the send log."""
    return getaddresses([value])[0][1].lower()
