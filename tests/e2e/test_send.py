"""`paperboy send` against a real SMTP server (aiosmtpd on 127.0.0.1): what it received, the
send log, a rejected recipient, a server that is down, credentials from the environment."""

from __future__ import annotations

import json
import socket
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from generator.config import load_config
from generator.pipeline import build_site
from tests.conftest import run_paperboy

ISSUE = "2026-07-01"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    """An SMTP handler that keeps every message and refuses addresses starting 'reject'."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    recorder = Recorder()
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(),
                            authenticator=authenticate, auth_require_tls=False)
    controller.start()
    recorder.port = controller.port
    recorder.logins = logins
    yield recorder
    controller.stop()


def make_issue_site(make_site, port: int, tls: str = "none") -> Path:
    site = make_site({"content/a.md": f"---\ntitle: A Paper\ndate: {ISSUE}\n---\nText.\n"},
                     site_yaml=("base_url: https://example.github.io/digest/\n"
                                f"smtp:\n  host: 127.0.0.1\n  port: {port}\n  tls: {tls}\n"
                                "  from_address: Digest <digest@example.org>\n"))
    assert build_site(site, load_config(site)).ok
    return site


def send(site: Path, *args: str, env: dict[str, str] | None = None):
    return run_paperboy("send", ISSUE, "--site", str(site), *args, env=env)


def logged(site: Path) -> list[str]:
    log = site / "send-log.jsonl"
    if not log.exists():
        return []
    return [json.loads(line)["to"] for line in log.read_text().splitlines()]


def test_send_delivers_the_issue_once_per_address(make_site, smtp_server) -> None:
    site = make_issue_site(make_site, smtp_server.port)
    result = send(site, "--to", "ada@example.org", "--to", "Bob <bob@example.org>")
    assert result.returncode == 0, result.stderr
    assert [m[1] for m in smtp_server.messages] == [["ada@example.org"], ["bob@example.org"]]
    sender, _, data = smtp_server.messages[0]
    assert sender == "digest@example.org"
    message = message_from_bytes(data, policy=policy.default)
    assert message["To"] == "ada@example.org"
    assert message["Subject"].startswith("Paper digest, 1 July 2026: A Paper")
    assert message.get_body(("plain",)).get_content().count("A Paper") >= 1
    assert logged(site) == ["ada@example.org", "bob@example.org"]

    again = send(site, "--to", "ada@example.org", "--to", "carol@example.org")
    assert again.returncode == 0, again.stderr
    assert "skip ada@example.org: already sent" in again.stdout
    assert [m[1] for m in smtp_server.messages[2:]] == [["carol@example.org"]]

    forced = send(site, "--to", "ada@example.org", "--force")
    assert forced.returncode == 0
    assert smtp_server.messages[-1][1] == ["ada@example.org"]


def test_send_reports_rejected_recipient_and_does_not_log_it(make_site, smtp_server) -> None:
    site = make_issue_site(make_site, smtp_server.port)
    result = send(site, "--to", "reject@example.org", "--to", "ada@example.org")
    assert result.returncode == 1
    assert "error: reject@example.org: rejected by the server: 550" in result.stderr
    assert [m[1] for m in smtp_server.messages] == [["ada@example.org"]]
    assert logged(site) == ["ada@example.org"]


def test_send_to_a_server_that_is_down_is_a_clear_error(make_site) -> None:
    port = free_port()  # nothing listens there
    site = make_issue_site(make_site, port)
    result = send(site, "--to", "ada@example.org")
    assert result.returncode == 1
    assert f"smtp: error: cannot send through 127.0.0.1:{port} (tls: none)" in result.stderr
    assert "Traceback" not in result.stderr
    assert logged(site) == []


def test_dry_run_connects_to_nothing_and_logs_nothing(make_site, smtp_server, tmp_path) -> None:
    site = make_issue_site(make_site, smtp_server.port)
    addresses = tmp_path / "list.txt"
    addresses.write_text("# subscribers\nada@example.org\n\nbob@example.org\n")
    result = send(site, "--list", str(addresses), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would send 2026-07-01" in result.stdout and "to bob@example.org" in result.stdout
    assert smtp_server.messages == [] and logged(site) == []


def test_bad_recipient_or_issue_is_refused_before_sending(make_site, smtp_server) -> None:
    site = make_issue_site(make_site, smtp_server.port)
    bad = send(site, "--to", "ada@example.org\r\nBcc: x@example.org")
    assert bad.returncode == 1 and "not an e-mail address" in bad.stderr
    traversal = run_paperboy("send", "../../etc", "--to", "a@example.org", "--site", str(site))
    assert traversal.returncode == 1 and "ISSUE must be" in traversal.stderr
    assert smtp_server.messages == []


def test_credentials_come_from_the_environment(make_site, smtp_server) -> None:
    site = make_issue_site(make_site, smtp_server.port)
    env = {"PAPERBOY_SMTP_USERNAME": "lab", "PAPERBOY_SMTP_PASSWORD": "s3cret"}
    assert send(site, "--to", "ada@example.org", env=env).returncode == 0
    assert smtp_server.logins == [(b"lab", b"s3cret")]
    assert logged(site) == ["ada@example.org"]
