"""The preview server maps paths like GitHub Pages and never reads outside the site."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest

from generator.serve.static_server import make_server, resolve_request, serve_in_thread


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "out"
    (root / "papers" / "a").mkdir(parents=True)
    (root / "index.html").write_text("home")
    (root / "404.html").write_text("not here")
    (root / "papers" / "a" / "index.html").write_text("paper a")
    (tmp_path / "site.yaml").write_text("secret")
    return root


@pytest.mark.parametrize("raw", [
    "/repo/../site.yaml", "/repo/%2e%2e/site.yaml", "/repo/%2E%2E%2Fsite.yaml",
    "/repo/..%2fsite.yaml", "/repo/..\\site.yaml", "/repo/%5c..%5csite.yaml",
    "/repo/papers/%00", "/site.yaml", "/repo//etc/passwd", "/repo/%252e%252e/site.yaml",
])
def test_resolve_request_never_leaves_the_site(site: Path, raw: str) -> None:
    kind, target = resolve_request(site, "/repo/", raw)
    assert kind == "missing" or (target is not None and target.is_relative_to(site.resolve()))


def test_resolve_request_serves_directory_indexes_and_redirects(site: Path) -> None:
    assert resolve_request(site, "/repo/", "/repo/papers/a/") == (
        "file", (site / "papers/a/index.html").resolve())
    assert resolve_request(site, "/repo/", "/repo/papers/a")[0] == "redirect"
    assert resolve_request(site, "/repo/", "/other/papers/a/")[0] == "missing"


def request(port: int, path: str) -> tuple[int, bytes, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read(), response.getheader("Location") or ""


def test_server_answers_like_github_pages_over_http(site: Path) -> None:
    server = make_server(site, "/repo/", port=0)
    serve_in_thread(server)
    port = server.server_address[1]
    try:
        assert request(port, "/repo/papers/a/")[:2] == (200, b"paper a")
        assert request(port, "/repo/papers/a")[0::2] == (301, "/repo/papers/a/")
        assert request(port, "/")[0::2] == (301, "/repo/")
        assert request(port, "/repo/missing/")[:2] == (404, b"not here")
        for raw in ("/repo/../site.yaml", "/repo/%2e%2e/site.yaml", "/repo/..%2fsite.yaml"):
            status, body, _ = request(port, raw)
            assert status == 404 and b"secret" not in body
    finally:
        server.shutdown()
        server.server_close()


def test_server_binds_loopback_by_default(site: Path) -> None:
    server = make_server(site, "/", port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()
