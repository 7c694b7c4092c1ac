"""`paperboy send`: mail a built issue's email.eml over SMTP, once per address.

The send log (JSON lines) records each address the server accepted, written as soon as it
accepted it, so a rerun skips those and an address that was not reached is never marked sent.
Credentials come only from the environment, never from site.yaml.
"""

from __future__ import annotations

import json
import os
import re
import smtplib
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.config import SiteConfig, SmtpConfig
from generator.diagnostics import UserError
from generator.email_headers import address_spec, clean_address

USERNAME_ENV = "PAPERBOY_SMTP_USERNAME"
PASSWORD_ENV = "PAPERBOY_SMTP_PASSWORD"
TIMEOUT_SECONDS = 30
_ISSUE_KEY = re.compile(r"^\d{4}-(\d{2}-\d{2}|W\d{2})$")

Echo = Callable[[str], None]


@dataclass(frozen=True)
class SendReport:
    issue: str
    sent: tuple[str, ...]
    skipped: tuple[str, ...]  # already in the send log
    failed: tuple[tuple[str, str], ...]  # (address, reason)


def find_issue(output_dir: Path, key: str) -> tuple[str, Path]:
    """(issue key, path of its email.eml); ``latest`` is the newest built issue."""
    digests = output_dir / "digests"
    if key == "latest":
        built = sorted(p.parent.name for p in digests.glob("*/email.eml"))
        if not built:
            raise UserError(f"{digests}: error: no built issue with an email.eml; build first")
        key = built[-1]
    if not _ISSUE_KEY.match(key):
        raise UserError(f"error: ISSUE must be YYYY-MM-DD, YYYY-Www or latest, got '{key}'")
    path = digests / key / "email.eml"
    if not path.is_file():
        raise UserError(f"{path}: error: no such issue in the built site; "
                        "run `paperboy build` first (is digest.email on?)")
    return key, path


def read_recipients(addresses: Iterable[str], list_file: Path | None) -> tuple[str, ...]:
    """Checked bare addresses, in order, without duplicates; every bad one is reported."""
    raw = [(f"--to {a}", a) for a in addresses]
    if list_file is not None:
        lines = list_file.read_text(encoding="utf-8").splitlines()
        raw += [(f"{list_file}:{n}", line.strip()) for n, line in enumerate(lines, start=1)
                if line.strip() and not line.lstrip().startswith("#")]
    found: dict[str, None] = {}
    problems = []
    for where, text in raw:
        if clean_address(text) is None:
            problems.append(f"{where}: error: not an e-mail address: {text!r}")
        else:
            found.setdefault(address_spec(text), None)
    if problems:
        raise UserError("\n".join(problems))
    if not found:
        raise UserError("error: no recipients; give --to ADDRESS or --list FILE")
    return tuple(found)


def load_sent(log_path: Path, issue: str) -> set[str]:
    if not log_path.is_file():
        return set()
    sent = set()
    for number, line in enumerate(log_path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise UserError(f"{log_path}:{number}: error: not a send-log record") from None
        if record.get("issue") == issue:
            sent.add(str(record.get("to", "")).lower())
    return sent


def _log_sent(log_path: Path, issue: str, address: str, message_id: str) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as log:
        log.write(json.dumps({"issue": issue, "to": address, "message_id": message_id}) + "\n")
        log.flush()
        os.fsync(log.fileno())


def send_issue(config: SiteConfig, site_root: Path, key: str, recipients: Sequence[str], *,
               dry_run: bool = False, force: bool = False, echo: Echo = print) -> SendReport:
    issue, eml_path = find_issue(site_root / config.output_dir, key)
    sender = clean_address(config.smtp.from_address) if config.smtp.from_address else None
    if not sender:
        raise UserError("site.yaml: error: smtp.from_address: set the sender's address to send")
    log_path = site_root / config.smtp.send_log
    already = set() if force else load_sent(log_path, issue)
    todo = [a for a in recipients if a not in already]
    skipped = tuple(a for a in recipients if a in already)
    message = eml_path.read_bytes()
    subject = _header(message, "Subject")
    for address in skipped:
        echo(f"skip {address}: already sent {issue} (use --force to send again)")
    if dry_run:
        for address in todo:
            echo(f"would send {issue} \"{subject}\" to {address} via {_where(config.smtp)}")
        return SendReport(issue, (), skipped, ())
    if not todo:
        return SendReport(issue, (), skipped, ())
    sent, failed = _deliver(config.smtp, address_spec(sender), message, todo,
                            lambda a: _log_sent(log_path, issue, a, _header(message, "Message-ID")))
    for address in sent:
        echo(f"sent {issue} to {address}")
    return SendReport(issue, tuple(sent), skipped, tuple(failed))


def _deliver(smtp: SmtpConfig, sender: str, message: bytes, todo: Sequence[str],
             on_sent: Callable[[str], None]) -> tuple[list[str], list[tuple[str, str]]]:
    sent: list[str] = []
    failed: list[tuple[str, str]] = []
    with _connect(smtp) as connection:
        for index, address in enumerate(todo):
            try:
                connection.sendmail(sender, [address], f"To: {address}\r\n".encode() + message)
            except smtplib.SMTPRecipientsRefused as exc:
                code, reason = exc.recipients[address]
                failed.append((address, f"rejected by the server: {code} {_text(reason)}"))
                continue
            except (smtplib.SMTPException, OSError) as exc:
                failed += [(a, f"not sent: {_reason(exc)}") for a in todo[index:]]
                break
            on_sent(address)
            sent.append(address)
    return sent, failed


def _connect(smtp: SmtpConfig) -> smtplib.SMTP:
    """Connect, secure and log in; the certificate is checked against the system's trust store
    (or the bundle named by ``SSL_CERT_FILE``) and the host name."""
    where = _where(smtp)
    context = ssl.create_default_context()
    connection: smtplib.SMTP | None = None
    try:
        if smtp.tls == "ssl":
            connection = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS,
                                          context=context)
        else:
            connection = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS)
        if smtp.tls == "starttls":
            connection.starttls(context=context)
        username = os.environ.get(USERNAME_ENV)
        if username:
            connection.login(username, os.environ.get(PASSWORD_ENV, ""))
    except (smtplib.SMTPException, OSError) as exc:
        if connection is not None:
            connection.close()
        raise UserError(f"smtp: error: cannot send through {where}: {_reason(exc)}") from None
    return connection


def _where(smtp: SmtpConfig) -> str:
    return f"{smtp.host}:{smtp.port} (tls: {smtp.tls})"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _header(message: bytes, name: str) -> str:
    from email import message_from_bytes, policy

    return str(message_from_bytes(message, policy=policy.default).get(name, ""))
