"""E-mail issues: the HTML and text parts (CSS inlined), the ``.eml`` message with safe
headers, and ``paperboy send`` over SMTP."""

from generator.mail.issue_email import TEMPLATES as EMAIL_TEMPLATES
from generator.mail.issue_email import email_inputs, render_emails_of, render_issue_emails
from generator.mail.send import read_recipients, send_issue

__all__ = ["EMAIL_TEMPLATES", "email_inputs", "read_recipients", "render_emails_of",
           "render_issue_emails", "send_issue"]
