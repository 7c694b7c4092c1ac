"""E-mail issues: the HTML and text parts (CSS inlined), the ``.eml`` message with safe
headers, and ``paperboy send`` over SMTP."""

from generator.mail.issue_email import render_issue_emails
from generator.mail.send import read_recipients, send_issue

__all__ = ["read_recipients", "render_issue_emails", "send_issue"]
