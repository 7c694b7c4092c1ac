"""Serve a built site on loopback exactly as GitHub Pages would: under the base path, with
directory indexes, slash redirects and the site's own 404 page. Never reads outside the site.
"""

from __future__ import annotations

import mimetypes
import posixpath
import threading
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml",
          ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".json": "application/json", ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml"}


def resolve_request(root: Path, base_path: str, raw_path: str) -> tuple[str, Path | None]:
    """Map a request path to ('file', path), ('redirect', None) or ('missing', None).

    Pure apart from stat calls; percent-encoded dot segments, backslashes and NUL never escape
    ``root``.
    """
    path = unquote(urlsplit(raw_path).path)
    if "\x00" in path or "\\" in path or not path.startswith(base_path):
        return "missing", None
    relative = path[len(base_path):]
    normal = posixpath.normpath("/" + relative).lstrip("/")
    if normal in (".", ""):
        normal = ""
    if ".." in normal.split("/"):
        return "missing", None
    root = root.resolve()
    target = (root / normal).resolve() if normal else root
    if not target.is_relative_to(root):
        return "missing", None
    if target.is_dir():
        if relative and not relative.endswith("/"):
            return "redirect", None
        target = target / "index.html"
    return ("file", target) if target.is_file() else ("missing", None)


class SiteRequestHandler(BaseHTTPRequestHandler):
    server_version = "Paperboy"

    def __init__(self, *args, root: Path, base_path: str, **kwargs) -> None:
        self.root, self.base_path = root, base_path
        super().__init__(*args, **kwargs)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def _respond(self, send_body: bool) -> None:
        if self.base_path != "/" and urlsplit(self.path).path in ("/", self.base_path.rstrip("/")):
            return self._redirect(self.base_path)
        kind, target = resolve_request(self.root, self.base_path, self.path)
        if kind == "redirect":
            return self._redirect(urlsplit(self.path).path + "/")
        if kind == "file" and target is not None:
            return self._send(HTTPStatus.OK, target.read_bytes(), target.suffix, send_body)
        page = self.root / "404.html"
        body = page.read_bytes() if page.is_file() else b"Not found\n"
        self._send(HTTPStatus.NOT_FOUND, body, ".html", send_body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, body: bytes, suffix: str, send_body: bool) -> None:
        kind = _TYPES.get(suffix) or mimetypes.guess_type("x" + suffix)[0]
        self.send_response(status)
        self.send_header("Content-Type", kind or "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet; the CLI prints the address once


def make_server(root: Path, base_path: str, host: str = "127.0.0.1",
                port: int = 8000) -> ThreadingHTTPServer:
    """Bind (raises OSError if the port is taken); call serve_forever() to run."""
    handler = partial(SiteRequestHandler, root=root, base_path=base_path)
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread
