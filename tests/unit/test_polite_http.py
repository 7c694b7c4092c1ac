"""The polite HTTP client: arXiv's one request every three seconds, retries of 429/503 with
backoff and Retry-After, against a real local server. Waits are recorded, never slept."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.importers import arxiv as arxiv_import
from generator.importers import polite_http
from generator.importers.arxiv_atom import ArxivError
from generator.importers.polite_http import (
    ARXIV_MIN_INTERVAL,
    HttpError,
    PoliteClient,
    arxiv_client,
)
from tests.replay_server import Answer, replay_server

ATOM_IDS = (Path(__file__).resolve().parent.parent / "data" / "fetch"
            / "arxiv-api-id-list.atom").read_bytes()


class FakeTime:
    """A clock that only moves when the client sleeps; every requested sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def clock(self) -> float:
        return self.now


def client(fake: FakeTime, interval: float = 3.0, **options: object) -> PoliteClient:
    return PoliteClient("test API", interval, sleep=fake.sleep, clock=fake.clock, **options)


def test_arxiv_default_interval_is_at_least_three_seconds(monkeypatch) -> None:
    monkeypatch.setattr(polite_http, "_CLIENTS", {})
    monkeypatch.delenv(polite_http.ARXIV_INTERVAL_ENV, raising=False)
    assert ARXIV_MIN_INTERVAL >= 3
    assert arxiv_client().interval_for("https://export.arxiv.org/api/query") >= 3


def test_a_short_interval_for_mirrors_never_applies_to_arxiv_itself(monkeypatch) -> None:
    monkeypatch.setattr(polite_http, "_CLIENTS", {})
    monkeypatch.setenv(polite_http.ARXIV_INTERVAL_ENV, "0.01")
    shared = arxiv_client()
    assert shared.interval_for("http://127.0.0.1:8000/api/query") == 0.01
    assert shared.interval_for("https://export.arxiv.org/api/query") == ARXIV_MIN_INTERVAL
    assert shared.interval_for("https://rss.arxiv.org/rss/cs.LG") == ARXIV_MIN_INTERVAL
    assert shared.interval_for("https://arxiv.org.example.com/") == 0.01


def test_requests_back_to_back_wait_the_interval() -> None:
    fake = FakeTime()
    polite = client(fake)
    with replay_server() as server:
        server.route("/a", b"one")
        assert [polite.get(server.url + "/a") for _ in range(3)] == [b"one"] * 3
    assert fake.sleeps == [3.0, 3.0]  # none before the first request


def test_time_already_spent_counts_towards_the_interval() -> None:
    fake = FakeTime()
    polite = client(fake)
    with replay_server() as server:
        server.route("/a", b"one")
        polite.get(server.url + "/a")
        fake.now += 2.0  # work between the requests
        polite.get(server.url + "/a")
        fake.now += 5.0
        polite.get(server.url + "/a")
    assert fake.sleeps == [1.0]


def test_503_then_success_honours_retry_after_seconds() -> None:
    fake = FakeTime()
    polite = client(fake)
    with replay_server() as server:
        server.route("/a", Answer(b"busy", 503, {"Retry-After": "7"}), b"ok")
        assert polite.get(server.url + "/a") == b"ok"
        assert len(server.requests) == 2
    assert fake.sleeps == [7.0]  # Retry-After; the 3 s pause is spent inside it


def test_429_without_retry_after_backs_off_doubling() -> None:
    fake = FakeTime()
    polite = client(fake)
    with replay_server() as server:
        server.route("/a", Answer(b"", 429), Answer(b"", 429), Answer(b"", 503), b"ok")
        assert polite.get(server.url + "/a") == b"ok"
    # each retry waits the backoff (3, 6, 12 s), which covers the 3 s pause
    assert fake.sleeps == [3.0, 6.0, 12.0]


def test_retry_after_as_an_http_date() -> None:
    fake = FakeTime()
    polite = client(fake, wall_clock=lambda: 1_700_000_000.0)
    with replay_server() as server:
        server.route("/a", Answer(b"", 503, {"Retry-After": "Tue, 14 Nov 2023 22:13:40 GMT"}),
                     b"ok")
        assert polite.get(server.url + "/a") == b"ok"
    assert fake.sleeps[0] == 20.0  # 1_700_000_020 is 22:13:40 GMT


def test_gives_up_after_the_retries_with_a_clear_message() -> None:
    fake = FakeTime()
    polite = client(fake, retries=2)
    with replay_server() as server:
        server.route("/a", Answer(b"", 503))
        with pytest.raises(HttpError, match=r"answered HTTP 503 \(Service Unavailable\) 3 times"):
            polite.get(server.url + "/a")
        assert len(server.requests) == 3


def test_a_retry_after_too_long_fails_instead_of_waiting() -> None:
    fake = FakeTime()
    polite = client(fake, max_wait=60)
    with replay_server() as server:
        server.route("/a", Answer(b"", 429, {"Retry-After": "3600"}))
        with pytest.raises(HttpError, match="asks to wait 3600 s; try again later"):
            polite.get(server.url + "/a")
    assert fake.sleeps == []


def test_other_errors_are_not_retried() -> None:
    fake = FakeTime()
    polite = client(fake)
    with replay_server() as server:
        server.route("/a", Answer(b"", 400))
        with pytest.raises(HttpError, match=r"HTTP 400"):
            polite.get(server.url + "/a")
        assert len(server.requests) == 1


def test_import_arxiv_batches_share_the_pace(monkeypatch) -> None:
    """`paperboy import arxiv` and `new` go through the same shared client."""
    fake = FakeTime()
    monkeypatch.setattr(polite_http, "_CLIENTS", {"arxiv": client(fake)})
    ids = [f"2612.{n:05d}" for n in range(150)]
    with replay_server() as server:
        server.route("/api/query", Answer(b"", 503, {"Retry-After": "5"}), ATOM_IDS)
        papers, problems = arxiv_import.fetch_papers(ids, server.url + "/api/query")
        assert [len(q["id_list"].split(",")) for q in server.requests_to("/api/query")] == [
            100, 100, 50]  # the first batch twice: busy, then answered
    assert fake.sleeps == [5.0, 3.0]  # Retry-After, then the pause before the second batch
    assert {p.arxiv for p in papers} == {"2612.01001", "2612.01002", "2612.00950"}
    assert "2612.00000: not found by the arXiv API" in problems


def test_import_arxiv_reports_an_api_that_stays_busy(monkeypatch) -> None:
    fake = FakeTime()
    monkeypatch.setattr(polite_http, "_CLIENTS", {"arxiv": client(fake, retries=1)})
    with replay_server() as server:
        server.route("/api/query", Answer(b"", 503))
        with pytest.raises(ArxivError, match="arXiv API answered HTTP 503"):
            arxiv_import.fetch_atom(["2612.01001"], server.url + "/api/query")
