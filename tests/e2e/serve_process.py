"""`paperboy serve` as a user runs it, for tests: the real CLI in a subprocess on a free port,
its output read by threads, pages fetched over HTTP and a Server-Sent Events client."""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.conftest import REPO

WAIT = 60.0  # generous: only reached when something is broken


class Server:
    """`paperboy serve --port 0` in a subprocess; stdout is read by a thread."""

    def __init__(self, site: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", "0"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.errors: list[str] = []
        threading.Thread(target=self._pump, args=(self.process.stdout, self.lines.put),
                         daemon=True).start()
        threading.Thread(target=self._pump, args=(self.process.stderr, self.errors.append),
                         daemon=True).start()
        serving = self.next_line("Serving")
        match = re.search(r"at http://127\.0\.0\.1:(\d+)(/\S*) from (\S+)", serving)
        assert match, serving
        self.port, self.base, self.root = int(match[1]), match[2], Path(match[3])

    @staticmethod
    def _pump(stream, sink) -> None:
        for line in stream:
            sink(line.rstrip("\n"))

    def next_line(self, prefix: str) -> str:
        while True:
            try:
                line = self.lines.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(f"no '{prefix}' line; stderr: {self.errors}") from None
            if line.startswith(prefix):
                return line

    def get(self, path: str) -> tuple[int, str]:
        status, body = self.fetch(path)
        return status, body.decode("utf-8", "replace")

    def fetch(self, path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


class Events:
    """A Server-Sent Events client on /__paperboy/events."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        self.connection.request("GET", "/__paperboy/events")
        self.response = self.connection.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"
        self.events: queue.Queue[tuple[str, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.next()[0] == "hello"

    def _read(self) -> None:
        name, data = "message", ""
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif line == "" and data:
                    self.events.put((name, data))
                    name, data = "message", ""
        except OSError:
            pass

    def next(self) -> tuple[str, str]:
        return self.events.get(timeout=WAIT)

    def close(self) -> None:
        self.connection.close()


def save_via_rename(path: Path, text: str) -> None:
    """Save as many editors do: write a hidden temporary file, then rename it over ``path``."""
    temporary = path.with_name(f".{path.name}.swp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
