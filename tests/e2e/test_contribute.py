"""`paperboy new` and `paperboy import arxiv|hf` against a local server playing the arXiv API."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_paperboy

DATA = Path(__file__).resolve().parent.parent / "data"
ATOM = DATA / "arxiv-2302.06675.atom"
HF = DATA / "hf-daily-papers.json"
LION_AUTHORS = ["Xiangning Chen", "Chen Liang", "Da Huang", "Esteban Real", "Kaiyuan Wang",
                "Yao Liu", "Hieu Pham", "Xuanyi Dong", "Thang Luong", "Cho-Jui Hsieh",
                "Yifeng Lu", "Quoc V. Le"]


class FakeArxiv:
    """What the fake API answers (status, body) and every query string it received."""

    def __init__(self) -> None:
        self.status = 200
        self.body = ATOM.read_bytes()
        self.queries: list[dict[str, list[str]]] = []


@pytest.fixture
def arxiv_api() -> Iterator[tuple[str, FakeArxiv]]:
    state = FakeArxiv()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            state.queries.append(urllib.parse.parse_qs(parts.query))
            self.send_response(state.status if parts.path == "/api/query" else 404)
            self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/query", state
    server.shutdown()
    server.server_close()


def front_matter(path: Path) -> tuple[dict, str]:
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(head), body


def test_new_fetches_the_paper_and_writes_a_valid_entry(make_site, arxiv_api) -> None:
    url, api = arxiv_api
    site = make_site()
    result = run_paperboy("new", "2302.06675", "--date", "2026-07-05", "--site", str(site),
                          "--api-url", url)
    assert result.returncode == 0, result.stderr
    assert api.queries == [{"id_list": ["2302.06675"], "max_results": ["1"]}]
    entry = site / "content/2026-07-05/2302.06675.md"
    meta, body = front_matter(entry)
    assert meta["title"] == "Symbolic Discovery of Optimization Algorithms"
    assert meta["authors"] == LION_AUTHORS and meta["arxiv"] == "2302.06675"
    assert meta["tags"] == ["cs-lg", "cs-ai", "cs-cl", "cs-cv", "cs-ne"]  # primary first
    assert body.startswith("We present a method to formulate algorithm discovery as program "
                           "search, and apply it")
    assert "\n" not in body.strip()  # arXiv's 80-column wrapping is undone
    assert run_paperboy("check", "--site", str(site)).returncode == 0


def test_new_reads_the_api_url_from_the_environment(make_site, arxiv_api) -> None:
    url, api = arxiv_api
    site = make_site()
    result = run_paperboy("new", "arXiv:2302.06675v4", "--date", "2026-07-05", "--site",
                          str(site), env={"PAPERBOY_ARXIV_API": url})
    assert result.returncode == 0, result.stderr
    assert len(api.queries) == 1 and (site / "content/2026-07-05/2302.06675.md").is_file()


def test_new_offline_says_why_and_writes_a_template(make_site, arxiv_api) -> None:
    url, _api = arxiv_api
    site = make_site()
    closed = url.replace("/api/query", "/nothing-here")
    result = run_paperboy("new", "2302.06675", "--date", "2026-07-05", "--site", str(site),
                          "--api-url", closed)
    assert result.returncode == 0, result.stderr
    assert "Could not fetch the paper: the arXiv API answered HTTP 404" in result.stderr
    meta, body = front_matter(site / "content/2026-07-05/2302.06675.md")
    assert meta == {"title": "", "date": dt.date(2026, 7, 5),
                    "arxiv": "2302.06675"}
    assert body == ""
    check = run_paperboy("check", "--site", str(site))
    assert check.returncode == 1
    assert "content/2026-07-05/2302.06675.md:2: error: title:" in check.stderr
    assert "abstract: required field is missing" in check.stderr


def test_new_unreachable_api_is_a_clear_message(make_site) -> None:
    site = make_site()
    result = run_paperboy("new", "2302.06675", "--site", str(site), "--date", "2026-07-05",
                          "--api-url", "http://127.0.0.1:9/api/query")
    assert result.returncode == 0
    assert "Could not fetch the paper: cannot reach the arXiv API at http://127.0.0.1:9" in (
        result.stderr)
    assert "Traceback" not in result.stderr
    assert (site / "content/2026-07-05/2302.06675.md").is_file()


def test_new_reports_an_api_error_entry(make_site, arxiv_api) -> None:
    url, api = arxiv_api
    api.body = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
                b"<id>http://arxiv.org/api/errors#incorrect_id_format_for_2302.99999</id>"
                b"<title>Error</title><summary>incorrect id format for 2302.99999</summary>"
                b"</entry></feed>")
    site = make_site()
    result = run_paperboy("new", "2302.99999", "--site", str(site), "--date", "2026-07-05",
                          "--api-url", url)
    assert ("the arXiv API reported an error: incorrect id format for 2302.99999"
            in result.stderr)
    assert (site / "content/2026-07-05/2302.99999.md").is_file()


def test_new_with_title_writes_a_template_the_check_points_at(make_site) -> None:
    site = make_site()
    result = run_paperboy("new", "--title", 'A "quoted": title', "--date", "2026-07-05",
                          "--site", str(site))
    assert result.returncode == 0, result.stderr
    entry = site / "content/2026-07-05/a-quoted-title.md"
    meta, _ = front_matter(entry)
    assert meta["title"] == 'A "quoted": title'
    check = run_paperboy("check", "--site", str(site))
    assert check.stderr.splitlines()[0] == (
        "content/2026-07-05/a-quoted-title.md:2: error: abstract: required field is missing")
    entry.write_text(entry.read_text() + "The abstract.\n")
    assert run_paperboy("check", "--site", str(site)).returncode == 0


def test_new_refuses_a_paper_already_present(make_site) -> None:
    site = make_site({"content/2026-07-04/lion.md":
                      '---\ntitle: Lion\ndate: 2026-07-04\narxiv: "2302.06675"\n---\nText.\n'})
    result = run_paperboy("new", "2302.06675", "--site", str(site))
    assert result.returncode == 1
    assert result.stderr.strip() == "error: 2302.06675 is already in content/2026-07-04/lion.md"


def test_import_arxiv_fetches_ids_and_skips_them_the_second_time(make_site, arxiv_api) -> None:
    url, api = arxiv_api
    site = make_site()
    args = ("import", "arxiv", "2302.06675", "--date", "2026-07-05", "--site", str(site),
            "--api-url", url)
    first = run_paperboy(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "Wrote 1 entries; skipped 0."
    second = run_paperboy(*args)
    assert second.stdout.strip() == "Wrote 0 entries; skipped 1."
    assert "skipped 2302.06675: already in content/2026-07-05/2302.06675.md" in second.stderr
    assert len(api.queries) == 1  # a present paper is not even requested


def test_import_arxiv_reads_a_saved_atom_file_and_reports_unknown_ids(make_site,
                                                                      arxiv_api) -> None:
    url, _api = arxiv_api
    site = make_site()
    saved = shutil.copy(ATOM, site / "answer.atom")
    result = run_paperboy("import", "arxiv", str(saved), "1412.6980", "--date", "2026-07-05",
                          "--site", str(site), "--api-url", url)
    # The fake API answers Lion for every query, so 1412.6980 is missing from its answer.
    assert "1412.6980: not found by the arXiv API" in result.stderr
    assert "skipped 2302.06675: already in an earlier record" in result.stderr
    assert result.stdout.strip() == "Wrote 1 entries; skipped 1."


def test_import_arxiv_rejects_a_non_id(make_site) -> None:
    site = make_site()
    result = run_paperboy("import", "arxiv", "not-an-id", "--site", str(site))
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: 'not-an-id' is not an arXiv ID or a file "
                                     "(expected e.g. 2302.06675)")


def test_import_hf_writes_valid_entries_and_skips_present_papers(make_site) -> None:
    site = make_site({"content/2023-02-14/lion.md":
                      '---\ntitle: Lion\ndate: 2023-02-14\narxiv: "2302.06675"\n---\nText.\n'})
    result = run_paperboy("import", "hf", str(HF), "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Wrote 2 entries; skipped 1."
    assert "skipped 2302.06675: already in content/2023-02-14/lion.md" in result.stderr
    assert "item 3: skipped: 'paper.title' must be a string, got NoneType" in result.stderr
    meta, body = front_matter(site / "content/2023-02-15/1412.6980.md")
    assert meta["title"] == "Adam: A Method for Stochastic Optimization"
    assert meta["authors"] == ["Diederik P. Kingma", "Jimmy Ba"] and meta["upvotes"] == 30
    assert body.startswith("We introduce Adam")
    assert run_paperboy("check", "--site", str(site)).returncode == 0
    again = run_paperboy("import", "hf", str(HF), "--site", str(site))
    assert again.stdout.strip() == "Wrote 0 entries; skipped 3."


def test_import_hf_rejects_a_file_that_is_not_a_list(make_site, tmp_path: Path) -> None:
    site = make_site()
    bad = tmp_path / "bad.json"
    bad.write_text('{"paper": {}}')
    result = run_paperboy("import", "hf", str(bad), "--site", str(site))
    assert result.returncode == 1
    assert result.stderr.strip() == f"{bad}: expected a JSON list of daily papers, got dict"
