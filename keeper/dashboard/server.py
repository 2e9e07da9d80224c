"""Serves the operator dashboard, the depositor page and their JSON on localhost, from a background thread that stops
cleanly. The server never signs: the depositor page's transactions are signed by the depositor's own wallet."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

from keeper.dashboard.alerts import derive_alerts
from keeper.dashboard.snapshot import DashboardSnapshot

if TYPE_CHECKING:
    from keeper.dashboard.depositor_api import DepositorApi

log = logging.getLogger(__name__)
# A prepare request is a few short fields; anything bigger is not the page's.
MAX_BODY_BYTES = 4_096

SnapshotSource = Callable[[], DashboardSnapshot]

_STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
    "/depositor": ("depositor.html", "text/html; charset=utf-8"),
    "/depositor.js": ("depositor.js", "text/javascript; charset=utf-8"),
    "/common.js": ("common.js", "text/javascript; charset=utf-8"),
}


def render(source: SnapshotSource) -> dict:
    """The snapshot as the page receives it, alerts included."""
    snapshot = source()
    body = snapshot.model_dump(mode="json")
    body["alerts"] = [a.model_dump() for a in snapshot.alerts + derive_alerts(snapshot)]
    return body


def _answer(call: Callable[[], dict]) -> tuple[HTTPStatus, dict]:
    """A depositor request's JSON and status: 400 with the one-line fix for a bad request, 503 when the chain fails."""
    from keeper.dashboard.depositor_api import RequestError

    try:
        return HTTPStatus.OK, call()
    except RequestError as exc:
        return HTTPStatus.BAD_REQUEST, {"error": str(exc)}
    except Exception as exc:  # the chain's failure: the page says so and retries
        log.warning("depositor request failed: %s", exc)
        return HTTPStatus.SERVICE_UNAVAILABLE, {"error": f"{type(exc).__name__}: {exc}"}


def _handler(source: SnapshotSource, depositor: DepositorApi | None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            if path != "/api/prepare" or depositor is None:
                self._json(HTTPStatus.NOT_FOUND, {"error": f"no {path} here"})
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY_BYTES:
                self._json(HTTPStatus.BAD_REQUEST, {"error": f"a request body of 0..{MAX_BODY_BYTES} bytes, please"})
                return
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except (ValueError, RecursionError):
                self._json(HTTPStatus.BAD_REQUEST, {"error": "the request is not JSON"})
                return
            self._json(*_answer(lambda: depositor.prepare(body if isinstance(body, dict) else {})))

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path, _, query = self.path.partition("?")
            if path in ("/api/vault", "/api/position"):
                if depositor is None:
                    self._json(HTTPStatus.NOT_FOUND, {"error": "this server has no depositor page"})
                elif path == "/api/vault":
                    self._json(*_answer(depositor.vault_info))
                else:
                    address = parse_qs(query).get("address", [""])[0]
                    self._json(*_answer(lambda: depositor.position(address)))
            elif path in _STATIC:
                name, content_type = _STATIC[path]
                self._send(HTTPStatus.OK, content_type, resources.files("keeper.dashboard.static").joinpath(name).read_bytes())
            elif path == "/api/snapshot":
                try:
                    payload, status = render(source), HTTPStatus.OK
                except Exception as exc:  # the page shows why, and keeps polling until the data is back
                    log.warning("dashboard snapshot failed: %s", exc)
                    payload, status = {"error": f"{type(exc).__name__}: {exc}"}, HTTPStatus.SERVICE_UNAVAILABLE
                self._send(status, "application/json", json.dumps(payload).encode())
            elif path == "/healthz":
                self._send(HTTPStatus.OK, "text/plain", b"ok")
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found")

        def _json(self, status: HTTPStatus, payload: dict) -> None:
            self._send(status, "application/json", json.dumps(payload).encode())

        def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # polling every 2 s would flood the terminal
            log.debug(format, *args)

    return Handler


def require_free_port(host: str, port: int) -> None:
    """Fails with the fix if the dashboard's port is taken: checked before any set-up, so nothing is started for a
    dashboard that could never be served."""
    import click

    if port == 0:
        return
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, port))
    except OSError:
        raise click.ClickException(f"dashboard port {port} on {host} is in use: stop what holds it, or pass "
                                   "--port N (--port 0 picks a free one)") from None


class DashboardServer:
    """`with DashboardServer(source) as server: server.url` — bound to loopback, stopped on exit."""

    def __init__(self, source: SnapshotSource, host: str = "127.0.0.1", port: int = 0,
                 depositor: DepositorApi | None = None) -> None:
        self._httpd = ThreadingHTTPServer((host, port), _handler(source, depositor))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="alp-dashboard", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> DashboardServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> DashboardServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
