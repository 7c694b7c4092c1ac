"""build_message(): one digest issue as a multipart/alternative .eml (RFC 5322, CRLF).

Deterministic: Date, Message-ID and the MIME boundary derive from the issue and its content,
never from the clock or a random source, so rebuilding gives the same bytes. Every header value
passes through mail_headers, so no title can add or break a header.
"""

from __future__ import annotations

import hashlib
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from generator.config import SiteConfig
from generator.dates import timestamp
from generator.email_headers import clean_address, header_text
from generator.site import Issue

ONE_CLICK = "List-Unsubscribe=One-Click"


def sender_address(config: SiteConfig) -> str:
    """``smtp.from_address``, else ``digest@<host of base_url>`` (fine for a preview file)."""
    if config.smtp.from_address:
        return clean_address(config.smtp.from_address) or config.smtp.from_address
    host = urlsplit(config.base_url).hostname or "localhost"
    return clean_address(f"{header_text(config.title)} <digest@{host}>") or f"digest@{host}"


def build_message(config: SiteConfig, issue: Issue, subject: str, html: str, text: str) -> bytes:
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = header_text(subject)
    message["From"] = sender_address(config)
    if config.smtp.reply_to:
        message["Reply-To"] = config.smtp.reply_to
    last = max((p.date for p in issue.papers), default=issue.end)
    message["Date"] = format_datetime(timestamp(last))
    digest = hashlib.sha256(f"{config.base_url}\n{issue.key}\n{html}".encode()).hexdigest()
    host = urlsplit(config.base_url).hostname or "localhost"
    message["Message-ID"] = f"<{issue.key}.{digest[:16]}@{host}>"
    if config.smtp.list_unsubscribe:
        message["List-Unsubscribe"] = ", ".join(f"<{u}>" for u in config.smtp.list_unsubscribe)
        if any(u.startswith("https://") for u in config.smtp.list_unsubscribe):
            message["List-Unsubscribe-Post"] = ONE_CLICK  # RFC 8058 one-click
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    # Quoted-printable writes "=" as "=3D", so a boundary starting "==" never occurs in a part.
    message.set_boundary(f"==paperboy-{digest[16:40]}")
    return message.as_bytes()
