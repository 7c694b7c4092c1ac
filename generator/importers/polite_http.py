"""HTTP GET for the importers, polite to the services it asks.

arXiv's terms of use ask for at most one request every three seconds on one connection, and
for clients to back off when the service is busy. One ``PoliteClient`` per service keeps the
pause between its requests (also across commands in one process: `import arxiv` batches,
`fetch` sources), retries 429 and 5xx answers with doubling waits and honours ``Retry-After``.
The clock and the sleeper are injectable so that tests can assert the waits without sleeping.
"""

from __future__ import annotations

import email.utils
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

ARXIV_MIN_INTERVAL = 3.0  # seconds between requests to arXiv, from arXiv's API terms of use
ARXIV_INTERVAL_ENV = "PAPERBOY_ARXIV_INTERVAL"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "paperboy"


class HttpError(Exception):
    """The service could not be reached or did not answer 200; the message says which."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class PoliteClient:
    """Sequential GETs to one service with a minimum pause between requests.

    ``interval`` is the pause between the start of one request and the next; hosts under
    ``strict_hosts`` never get less than ``strict_interval`` whatever ``interval`` says, so a
    test or mirror setting cannot make Paperboy impolite to arXiv itself.
    """

    service: str
    interval: float
    retries: int = 4
    backoff: float = 0.0  # first retry wait; 0: the interval (at least 1 s)
    max_wait: float = 600.0  # a Retry-After longer than this fails instead of waiting
    timeout: float = 30.0
    max_bytes: int = 50_000_000
    strict_hosts: tuple[str, ...] = ()
    strict_interval: float = 0.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    _last_start: float | None = field(default=None, repr=False)

    def interval_for(self, url: str) -> float:
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
        strict = any(host == h or host.endswith("." + h) for h in self.strict_hosts)
        return max(self.interval, self.strict_interval) if strict else self.interval

    def get(self, url: str, service: str = "") -> bytes:
        """The body of a 200 answer; HttpError after the retries are spent or on other codes.

        ``service`` names what is asked in messages (default: the client's service).
        """
        name = service or self.service
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise HttpError(f"the {name} URL must be http(s), got '{url}'")
        pause = self.interval_for(url)
        wait = self.backoff or max(pause, 1.0)
        for attempt in range(self.retries + 1):
            self._keep_pace(pause)
            try:
                return self._fetch(url, name)
            except _Retryable as busy:
                if attempt == self.retries:
                    raise HttpError(f"the {name} answered HTTP {busy.status} "
                                    f"({busy.reason}) {attempt + 1} times; giving up",
                                    busy.status) from None
                delay = busy.retry_after if busy.retry_after is not None else wait
                if delay > self.max_wait:
                    raise HttpError(f"the {name} answered HTTP {busy.status} and asks to "
                                    f"wait {delay:.0f} s; try again later", busy.status) from None
                self.sleep(delay)  # the pause since the failed request is spent by now
                wait *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _keep_pace(self, pause: float) -> None:
        if self._last_start is not None:
            remaining = self._last_start + pause - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self._last_start = self.clock()

    def _fetch(self, url: str, name: str) -> bytes:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = response.read(self.max_bytes + 1)
        except urllib.error.HTTPError as error:
            if error.code in RETRY_STATUSES:
                raise _Retryable(error.code, error.reason,
                                 self._retry_after(error.headers.get("Retry-After"))) from None
            raise HttpError(f"the {name} answered HTTP {error.code} ({error.reason})",
                            error.code) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            base = url.split("?", 1)[0]
            raise HttpError(f"cannot reach the {name} at {base}: {reason}") from None
        if len(data) > self.max_bytes:
            raise HttpError(f"the {name} answer is too large")
        return data

    def _retry_after(self, value: str | None) -> float | None:
        """Seconds from a Retry-After header: a number or an HTTP date; None when absent/bad."""
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - self.wall_clock())


class _Retryable(Exception):
    def __init__(self, status: int, reason: str, retry_after: float | None) -> None:
        super().__init__(status)
        self.status, self.reason, self.retry_after = status, reason, retry_after


def configured_interval(env: str, default: float) -> float:
    """The pause from ``env`` (seconds, for mirrors and tests), else ``default``."""
    try:
        return max(0.0, float(os.environ.get(env, "")))
    except ValueError:
        return default


_CLIENTS: dict[str, PoliteClient] = {}


def arxiv_client() -> PoliteClient:
    """The one client for every request to arXiv (API and RSS) in this process."""
    client = _CLIENTS.get("arxiv")
    if client is None:
        client = PoliteClient(
            "arXiv", configured_interval(ARXIV_INTERVAL_ENV, ARXIV_MIN_INTERVAL),
            strict_hosts=("arxiv.org",), strict_interval=ARXIV_MIN_INTERVAL)
        _CLIENTS["arxiv"] = client
    return client


def hf_client() -> PoliteClient:
    """The client for the Hugging Face API: a second between requests is plenty."""
    client = _CLIENTS.get("hf")
    if client is None:
        client = PoliteClient("Hugging Face API", configured_interval("PAPERBOY_HF_INTERVAL", 1.0))
        _CLIENTS["hf"] = client
    return client
