"""A real HTTP server on 127.0.0.1 that replays recorded answers (arXiv API, RSS, Hugging Face).

Routes match a path and, optionally, some query parameters; each route answers its responses
in order and then repeats the last one. Every request is recorded.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    body: bytes
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Route:
    path: str
    match: Mapping[str, str]
    answers: list[Answer]
    served: int = 0


@dataclass
class Request:
    path: str
    query: dict[str, str]


class ReplayServer:
    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.requests: list[Request] = []
        self.url = ""

    def route(self, path: str, *answers: Answer | bytes, **match: str) -> None:
        """Answer GET ``path`` (with these query values) with ``answers`` in order."""
        made = [a if isinstance(a, Answer) else Answer(a) for a in answers]
        self.routes.insert(0, Route(path, match, made))  # later routes win

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [r.query for r in self.requests if r.path == path]

    def answer(self, path: str, query: dict[str, str]) -> Answer:
        self.requests.append(Request(path, query))
        for route in self.routes:
            if route.path == path and all(query.get(k) == v for k, v in route.match.items()):
                answer = route.answers[min(route.served, len(route.answers) - 1)]
                route.served += 1
                return answer
        return Answer(b"not found", 404)


@contextmanager
def replay_server() -> Iterator[ReplayServer]:
    state = ReplayServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
            answer = state.answer(urllib.parse.unquote(parts.path), query)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
