"""`paperboy serve` as users run it: a real server in a subprocess on a free port, edits on
disk, pages and reload events over HTTP."""

from __future__ import annotations

import gzip
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, SITES, copy_site
from tests.e2e.serve_process import WAIT, Events, Server, save_via_rename

ATTENTION = "content/2024-03/attention.md"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    site = copy_site(SITES / "full", tmp_path_factory.mktemp("serve") / "site")
    server = Server(site)
    yield server, site
    server.stop()


def edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text()
    assert old in text
    save_via_rename(path, text.replace(old, new, 1))


def test_serve_edit_changes_the_page_and_sends_a_reload(served) -> None:
    server, site = served
    status, page = server.get(f"{server.base}papers/1706.03762/")
    assert status == 200 and "Attention Is All You Need" in page
    assert 'id="paperboy-live"' in page and "paperboy-overlay" not in page
    events = Events(server.port)
    edit(site, ATTENTION, 'title: "Attention Is All You Need"', 'title: "Attention Is Plenty"')
    assert events.next()[0] == "reload"
    events.close()
    page = server.get(f"{server.base}papers/1706.03762/")[1]
    assert "Attention Is Plenty" in page and "Attention Is All You Need" not in page
    digest = server.get(f"{server.base}digests/2024-03-12/")[1]
    assert "Attention Is Plenty" in digest  # list pages are never stale
    assert not (site / "output").exists()  # serve never writes into output/


def test_serve_broken_entry_shows_overlay_then_recovers(served) -> None:
    server, site = served
    events = Events(server.port)
    edit(site, "content/adam.yaml", "date: 2024-03-10", "date: 10/03/2024")
    assert events.next()[0] == "reload"
    message = ("content/adam.yaml:2: error: date: must be YYYY-MM-DD or a "
               "date-time such as 2025-02-02T22:23:00Z, got &#x27;10/03/2024&#x27;")
    for path in ("", "papers/adam-a-method-for-stochastic-optimization/", "no/such/page/"):
        status, page = server.get(f"{server.base}{path}")
        assert status == (404 if path.startswith("no/") else 200)
        assert 'id="paperboy-overlay"' in page and message in page, path
    assert "Adam" in server.get(f"{server.base}papers/adam-a-method-for-stochastic-optimization/"
                                )[1]  # the last good build is still served
    assert any(line.startswith("content/adam.yaml:2: error: date:") for line in server.errors)
    edit(site, "content/adam.yaml", "date: 10/03/2024", "date: 2024-03-09")
    assert events.next()[0] == "reload"
    events.close()
    page = server.get(f"{server.base}digests/2024-03-09/")[1]
    assert "paperboy-overlay" not in page and "Adam: A Method" in page
    assert server.process.poll() is None


def test_serve_broken_template_names_its_line(served) -> None:
    server, site = served
    theme = site / "themes/mine/templates"
    theme.mkdir(parents=True)
    (site / "themes/mine/theme.yaml").write_text("extends: default\n")
    (theme / "tag.html").write_text('{% extends "default/tag.html" %}\n{% block content %}\n'
                                    "<p>v1</p>{{ super() }}{% endblock %}\n")
    events = Events(server.port)
    edit(site, "site.yaml", "language: en", "language: en\ntheme: mine")
    assert events.next()[0] == "reload"
    (theme / "tag.html").write_text('{% extends "default/tag.html" %}\n{% block content %}\n'
                                    "{% if %}{% endblock %}\n")
    assert events.next()[0] == "reload"
    page = server.get(server.base)[1]
    assert "themes/mine/templates/tag.html:3: error: template:" in page
    (theme / "tag.html").write_text('{% extends "default/tag.html" %}\n{% block content %}\n'
                                    "<p>mine</p>{{ super() }}{% endblock %}\n")
    assert events.next()[0] == "reload"
    events.close()
    assert "<p>mine</p>" in server.get(f"{server.base}tags/optimization/")[1]
    assert "paperboy-overlay" not in server.get(server.base)[1]


def test_serve_picks_up_new_and_deleted_files(served) -> None:
    server, site = served
    events = Events(server.port)
    (site / "content/new").mkdir()
    (site / "content/new/fresh.md").write_text(
        "---\ntitle: A Fresh Paper\ndate: 2024-03-15\n---\nFresh abstract.\n")
    assert events.next()[0] == "reload"
    assert "A Fresh Paper" in server.get(f"{server.base}papers/a-fresh-paper/")[1]
    assert "A Fresh Paper" in server.get(server.base)[1]
    (site / "content/new/fresh.md").unlink()
    assert events.next()[0] == "reload"
    events.close()
    status = server.get(f"{server.base}papers/a-fresh-paper/")[0]
    assert status == 404 and "A Fresh Paper" not in server.get(server.base)[1]


@pytest.mark.parametrize("path", [
    "/../site.yaml", "/%2e%2e/site.yaml", "/digest/../site.yaml", "/digest/%2e%2e/site.yaml",
    "/digest/%2E%2E%2Fsite.yaml", "/digest/..%2fsite.yaml", "/digest/%5c..%5csite.yaml",
    "/digest/%252e%252e/site.yaml", "/digest/..%00/site.yaml", "/site.yaml",
])
def test_serve_never_escapes_the_site(served, path: str) -> None:
    server = served[0]
    status, page = server.get(path)
    assert status in (301, 404)
    assert "Fixture Digest\ndescription" not in page and "papers_per_page" not in page


def test_serve_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    site = copy_site(SITES / "full", tmp_path / "site")
    server = Server(site)
    assert server.root.is_dir()
    assert server.stop() == 0
    assert "Stopped." in server.next_line("Stopped")
    assert not server.root.exists()  # the temporary build is removed
    assert not any("Traceback" in line for line in server.errors)


def test_serve_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    site = copy_site(SITES / "full", tmp_path / "site")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "generator", "serve", "--site", str(site), "--port",
             str(port)], cwd=REPO, capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr and "Traceback" not in result.stderr


def fragments_mentioning(bundle: Path, text: str) -> list[Path]:
    """Pagefind fragments (gzip, 'pagefind_dcd' + JSON of one page) that contain ``text``."""
    return [path for path in sorted((bundle / "fragment").glob("*.pf_fragment"))
            if text in gzip.decompress(path.read_bytes()).decode("utf-8", "replace")]


def staging_left(root: Path) -> list[Path]:
    """Search staging folders still under their own names (ones renamed aside for deletion
    in the background are fine)."""
    return [root.with_name(f".{root.name}.{name}") for name in ("search-next", "search-old")
            if root.with_name(f".{root.name}.{name}").exists()]


def test_serve_search_bundle_follows_an_edit(served) -> None:
    server, site = served
    events = Events(server.port)
    edit(site, "content/2024-03/bert.md", 'title: "BERT: Pre-training',
         'title: "Zanzibarish BERT: Pre-training')
    assert events.next()[0] == "reload"  # the page is reloaded without waiting for search
    events.close()
    assert "Zanzibarish BERT" in server.get(f"{server.base}papers/1810.04805/")[1]
    found: list[Path] = []
    while not found:  # earlier tests' refreshes may report first; each line is a settled bundle
        server.next_line("Search index updated")
        found = fragments_mentioning(server.root / "pagefind", "Zanzibarish BERT")
    assert len(found) == 1
    status, _ = server.get(f"{server.base}pagefind/fragment/{found[0].name}")
    assert status == 200
    assert not staging_left(server.root)


def test_serve_ctrl_c_during_a_build_stops_cleanly(tmp_path: Path) -> None:
    site = copy_site(SITES / "full", tmp_path / "site")
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", "0"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    building = process.stdout.readline()
    assert building.startswith("Building ")  # the first build (topic fit included) is running
    root = Path(building.split(" into ")[1].split(" ...")[0])
    process.send_signal(signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 0, stderr
    assert stdout.strip().endswith("Stopped.") and "Serving" not in stdout
    assert "Traceback" not in stderr
    assert not root.exists() and not staging_left(root)
