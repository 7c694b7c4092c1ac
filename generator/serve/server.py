"""``paperboy serve``: build into a temporary folder, serve it on loopback under the base path,
rebuild incrementally when sources change, and reload browsers over Server-Sent Events.

A failed build keeps the last good site and shows its ``path:line`` errors in the terminal and
as an overlay on every page. The live-reload script and the overlay exist only in responses of
this server, never in built files. Requests wait while a build writes its files.
"""

from __future__ import annotations

import gc
import html
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from functools import partial
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from generator.config import SiteConfig, load_config
from generator.diagnostics import UserError
from generator.serve.incremental import RebuildState
from generator.serve.rebuild import rebuild_site
from generator.serve.search_refresh import BackgroundSearch
from generator.serve.static_server import SiteRequestHandler, resolve_request, serve_in_thread
from generator.serve.watch import ChangeKind, Layout, Rebuild, Watcher, classify_change
from generator.write import discard

EVENTS_PATH = "/__paperboy/events"
PING_SECONDS = 10.0
Echo = Callable[[str], None]


class ServeState:
    """Shared by the builder and the request threads: the folder being served, a lock held
    while a build writes into it, and a build counter (epoch) with the last errors."""

    def __init__(self, root: Path, base_path: str) -> None:
        self.root, self.base_path = root, base_path
        self.files = threading.Lock()
        self._changed = threading.Condition()
        self.epoch = 0
        self.errors: tuple[str, ...] = ()
        self.closing = False

    def publish(self, errors: tuple[str, ...]) -> None:
        with self._changed:
            self.epoch += 1
            self.errors = errors
            self._changed.notify_all()

    def snapshot(self) -> tuple[int, tuple[str, ...]]:
        with self._changed:
            return self.epoch, self.errors

    def wait_after(self, epoch: int, timeout: float) -> int:
        with self._changed:
            self._changed.wait_for(lambda: self.epoch != epoch or self.closing, timeout)
            return self.epoch

    def close(self) -> None:
        with self._changed:
            self.closing = True
            self._changed.notify_all()


def live_snippet(epoch: int, errors: tuple[str, ...]) -> str:
    """The script (and, after a failed build, the overlay) added to served HTML pages."""
    script = (f'<script id="paperboy-live">(function(){{var s=new EventSource('
              f'"{EVENTS_PATH}?epoch={epoch}");s.addEventListener("reload",function(){{'
              f's.close();location.reload();}});}})();</script>\n')
    if not errors:
        return script
    lines = "\n".join(html.escape(line) for line in errors)
    return (
        '<div id="paperboy-overlay" role="alert" style="position:fixed;inset:0;'
        "z-index:2147483647;overflow:auto;margin:0;padding:2em;background:rgba(30,0,0,.94);"
        'color:#fff;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap">'
        "<strong>Build failed: still serving the last good build. Fix these and save:</strong>"
        f"\n\n{lines}</div>\n{script}")


def inject(body: bytes, epoch: int, errors: tuple[str, ...]) -> bytes:
    snippet = live_snippet(epoch, errors).encode("utf-8")
    index = body.rfind(b"</body>")
    if index < 0:
        return body + snippet
    return body[:index] + snippet + body[index:]


class LiveRequestHandler(SiteRequestHandler):
    """GitHub Pages rules from SiteRequestHandler, plus the event stream and injection."""

    def __init__(self, *args: Any, state: ServeState, **kwargs: Any) -> None:
        self.state = state
        super().__init__(*args, root=state.root, base_path=state.base_path, **kwargs)

    def _respond(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        if path == EVENTS_PATH:
            return self._events()
        if self.base_path != "/" and path in ("/", self.base_path.rstrip("/")):
            return self._redirect(self.base_path)
        with self.state.files:  # never read a file while a build is writing
            kind, target = resolve_request(self.root, self.base_path, self.path)
            if kind == "file" and target is not None:
                status, body, suffix = HTTPStatus.OK, target.read_bytes(), target.suffix
            elif kind == "missing":
                page = self.root / "404.html"
                body = page.read_bytes() if page.is_file() else b"<p>Not found</p>\n"
                status, suffix = HTTPStatus.NOT_FOUND, ".html"
        if kind == "redirect":
            return self._redirect(path + "/")
        if suffix == ".html":
            body = inject(body, *self.state.snapshot())
        self._send(status, body, suffix, send_body)

    def _events(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        current = self.state.snapshot()[0]
        seen = int(query["epoch"][0]) if query.get("epoch", [""])[0].isdigit() else current
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        with suppress(BrokenPipeError, ConnectionResetError):
            self._write_event(f"retry: 1000\nevent: hello\ndata: {current}\n\n")
            while not self.state.closing:
                if current != seen:
                    self._write_event(f"event: reload\ndata: {current}\n\n")
                    seen = current
                current = self.state.wait_after(seen, PING_SECONDS)
                if current == seen:
                    self._write_event(": ping\n\n")

    def _write_event(self, text: str) -> None:
        self.wfile.write(text.encode("utf-8"))
        self.wfile.flush()


def open_server(state: ServeState, host: str, port: int) -> ThreadingHTTPServer:
    try:
        server = ThreadingHTTPServer((host, port), partial(LiveRequestHandler, state=state))
    except OSError as exc:
        raise UserError(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}; is "
                        "another server using it? Choose another port with --port") from None
    server.daemon_threads = True
    return server


class Session:
    """The builder side: configuration, build cache and the served folder."""

    def __init__(self, site_dir: Path, overrides: Mapping[str, Any], state: ServeState,
                 echo: Echo, echo_error: Echo) -> None:
        self.site_dir, self.overrides, self.state = site_dir, overrides, state
        self.echo, self.echo_error = echo, echo_error
        self.cache = RebuildState()
        self.config: SiteConfig | None = None
        self.search = BackgroundSearch(state.root, lambda: state.files, self._searched)

    def _searched(self, seconds: float, error: str | None) -> None:
        if error:
            self.echo_error(error)
        else:
            self.echo(f"Search index updated in {seconds:.2f} s.")

    def layout(self) -> Layout:
        config = self.config or SiteConfig()
        themes = ()
        with suppress(UserError):
            from generator.render import theme_chain

            themes = tuple(t.path.resolve() for t in theme_chain(self.site_dir, config.theme))
        return Layout(self.site_dir.resolve(), config.content_dir, config.output_dir, themes)

    def watcher(self) -> Watcher:
        layout = self.layout()
        root = layout.site_root
        return Watcher([root / layout.content_dir, root / "themes", *layout.theme_dirs],
                       [root / "site.yaml"])

    def build(self, change: Rebuild) -> None:
        started = time.perf_counter()
        for rel in change.content:
            self.cache.entries.forget(rel)
        try:
            with quiet_collector(freeze=not self.cache.pages):  # the first build
                errors, written, timings = self._build(change)
        except Exception as exc:  # a bug: say so, keep serving the last good site
            traceback.print_exc()
            errors, written, timings = (f"internal error: {type(exc).__name__}: {exc}",), 1, {}
        seconds = time.perf_counter() - started
        for line in errors:
            self.echo_error(line)
        if errors:
            self.echo_error("Build failed: still serving the last good build.")
        else:
            phases = ", ".join(f"{name} {value:.2f}" for name, value in timings.items())
            self.echo(f"Rebuilt in {seconds:.2f} s: {written} files written ({phases}).")
        if errors or written or self.state.errors:
            self.state.publish(errors)

    def _build(self, change: Rebuild) -> tuple[tuple[str, ...], int, Mapping[str, float]]:
        try:
            if self.config is None or change.kind >= ChangeKind.CONFIG:
                self.config = load_config(self.site_dir, self.overrides)
                self.state.base_path = self.config.base_path
            result = rebuild_site(self.site_dir, self.config, self.cache, self.state.root,
                                  refit_topics=change.refit_topics, lock=lambda: self.state.files,
                                  reindex=self.search.request, changed=change.known_entries)
        except UserError as exc:
            return tuple(d.format() for d in exc.diagnostics) or (str(exc),), 0, {}
        for warning in (d for d in result.diagnostics if d.level != "error"):
            self.echo_error(warning.format())
        errors = tuple(d.format() for d in result.diagnostics if d.level == "error")
        return errors, result.files, result.timings


@contextmanager
def quiet_collector(freeze: bool) -> Iterator[None]:
    """No cyclic garbage collection during a rebuild: at 10k papers, full collections over
    the heap cost seconds per save. Afterwards only what the rebuild made is collected (with
    collection off, all of it is in the youngest generation), and what survives, mostly the
    long-lived cache, is frozen out of later collections; so no collection ever walks the
    whole heap again. With ``freeze`` (the first build) the whole heap is collected once."""
    gc.disable()
    try:
        yield
    finally:
        gc.collect() if freeze else gc.collect(0)
        gc.freeze()
        gc.enable()


def serve_site(site_dir: Path, overrides: Mapping[str, Any], host: str, port: int,
               echo: Echo, echo_error: Echo) -> None:
    """Run until KeyboardInterrupt; the temporary folder is removed on the way out."""
    config = load_config(site_dir, overrides)
    _stop_on_signals()
    state = ServeState(Path(tempfile.mkdtemp(prefix="paperboy-serve-")), config.base_path)
    server = watcher = running = session = None
    try:
        server = open_server(state, host, port)
        session = Session(site_dir, overrides, state, echo, echo_error)
        session.config = config
        watcher, layout = session.watcher(), session.layout()
        watcher.start()  # before building: saves made meanwhile cause the next rebuild
        echo(f"Building {site_dir} into {state.root} ...")
        session.build(Rebuild(ChangeKind.CONFIG))
        running = serve_in_thread(server)
        address = f"http://{host}:{server.server_address[1]}{config.base_path}"
        echo(f"Serving {site_dir} at {address} from {state.root} (live reload; Ctrl-C to stop)")
        while True:
            change = classify_change(watcher.next_batch(timeout=1.0), layout)
            if change.kind is not ChangeKind.NONE:
                session.build(change)
                # content_dir or theme changed, or a watched folder was deleted or re-created
                if session.layout() != layout or watcher.stale():
                    watcher, layout, missed = _replace_watcher(session, watcher)
                    session.build(missed)
    finally:
        _shut_down(state, server if running else None, watcher,
                   session.search if session else None)
        if server is not None:
            server.server_close()


def _replace_watcher(session: Session, old: Watcher) -> tuple[Watcher, Layout, Rebuild]:
    """A new watcher for the new folders, started before the old one stops so that no save is
    lost in between. The rebuild it returns covers what the old one saw meanwhile and reloads
    site.yaml, because a save in the hand-over can fall between the two (this once lost an
    edit of site.yaml made while a new themes/ folder appeared)."""
    watcher, layout = session.watcher(), session.layout()
    watcher.start()
    old.stop()
    missed = classify_change(old.drain(), layout)
    return watcher, layout, Rebuild(max(missed.kind, ChangeKind.CONFIG), missed.content)


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM stop the server cleanly, even when started in the background (where
    shells ignore SIGINT)."""
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def _shut_down(state: ServeState, server: ThreadingHTTPServer | None,
               watcher: Watcher | None, search: BackgroundSearch | None) -> None:
    # A second Ctrl-C must not cut the clean-up short and leave the temporary site behind.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    state.close()
    if search is not None:  # stops Pagefind, so nothing writes into the folder we delete
        search.close()
    if watcher is not None:
        watcher.stop()
    if server is not None:  # only a running server can be shut down (else it blocks)
        server.shutdown()
    discard(state.root)  # renamed away now, deleted by a detached process
    sys.stderr.flush()
