"""`paperboy send` over STARTTLS and implicit TLS against a real aiosmtpd server with a
self-signed certificate made for the test: the certificate is verified (trusted only through
SSL_CERT_FILE), credentials are sent only inside TLS, and a wrong password is a clear error."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.conftest import run_paperboy
from tests.e2e.test_send import ISSUE, Recorder, free_port, logged, make_issue_site

CREDENTIALS = {"PAPERBOY_SMTP_USERNAME": "lab", "PAPERBOY_SMTP_PASSWORD": "s3cret"}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


class TlsRecorder(Recorder):
    """Also notes whether each message arrived over TLS."""

    def __init__(self) -> None:
        super().__init__()
        self.over_tls: list[bool] = []

    async def handle_DATA(self, server, session, envelope):
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.over_tls.append(encrypted or session.ssl is not None)
        return await super().handle_DATA(server, session, envelope)


def start_server(certificate: tuple[Path, Path], mode: str):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    recorder = TlsRecorder()
    logins: list[bytes] = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append(auth_data.password)
        # handled=False: aiosmtpd itself answers a failure with 535 (the default, True, means
        # "the hook already replied", and the client would wait for an answer forever).
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    # With implicit TLS the whole connection is encrypted, but aiosmtpd only counts STARTTLS
    # for auth_require_tls, so that check is asked for in STARTTLS mode only.
    options = ({"tls_context": context, "require_starttls": True, "auth_require_tls": True}
               if mode == "starttls" else {"ssl_context": context, "auth_require_tls": False})
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(),
                            authenticator=authenticate, **options)
    controller.start()
    recorder.port, recorder.logins = controller.port, logins
    return controller, recorder


@pytest.fixture(params=["starttls", "ssl"])
def tls_server(request, certificate):
    controller, recorder = start_server(certificate, request.param)
    recorder.mode = request.param
    yield recorder
    controller.stop()


def send(site: Path, env: dict[str, str]):
    return run_paperboy("send", ISSUE, "--site", str(site), "--to", "ada@example.org", env=env)


def test_tls_send_verifies_the_certificate_and_logs_in_inside_tls(
        make_site, tls_server, certificate) -> None:
    site = make_issue_site(make_site, tls_server.port, tls_server.mode)
    result = send(site, {**CREDENTIALS, "SSL_CERT_FILE": str(certificate[0])})
    assert result.returncode == 0, result.stderr
    assert [m[1] for m in tls_server.messages] == [["ada@example.org"]]
    assert tls_server.over_tls == [True]
    assert tls_server.logins == [b"s3cret"]
    assert logged(site) == ["ada@example.org"]


def test_untrusted_certificate_is_a_clear_error_and_sends_nothing(make_site, tls_server) -> None:
    site = make_issue_site(make_site, tls_server.port, tls_server.mode)
    result = send(site, CREDENTIALS)  # the test certificate is not in the system trust store
    assert result.returncode == 1
    assert (f"smtp: error: cannot send through 127.0.0.1:{tls_server.port} "
            f"(tls: {tls_server.mode})") in result.stderr
    assert "certificate verify failed" in result.stderr
    assert "Traceback" not in result.stderr
    assert tls_server.messages == [] and tls_server.logins == [] and logged(site) == []


def test_wrong_password_is_a_clear_error_and_sends_nothing(
        make_site, tls_server, certificate) -> None:
    site = make_issue_site(make_site, tls_server.port, tls_server.mode)
    env = {**CREDENTIALS, "PAPERBOY_SMTP_PASSWORD": "wrong", "SSL_CERT_FILE": str(certificate[0])}
    result = send(site, env)
    assert result.returncode == 1
    assert "535" in result.stderr and "Traceback" not in result.stderr
    assert "wrong" not in result.stderr
    assert tls_server.messages == [] and logged(site) == []
