"""Serves the dashboard page and its JSON snapshot on localhost, from a background thread that stops cleanly."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

from keeper.dashboard.alerts import derive_alerts
from keeper.dashboard.snapshot import DashboardSnapshot

log = logging.getLogger(__name__)

SnapshotSource = Callable[[], DashboardSnapshot]

_STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
}


def render(source: SnapshotSource) -> dict:
    """The snapshot as the page receives it, alerts included."""
    snapshot = source()
    body = snapshot.model_dump(mode="json")
    body["alerts"] = [a.model_dump() for a in snapshot.alerts + derive_alerts(snapshot)]
    return body


def _handler(source: SnapshotSource) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            if path in _STATIC:
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

    def __init__(self, source: SnapshotSource, host: str = "127.0.0.1", port: int = 0) -> None:
        self._httpd = ThreadingHTTPServer((host, port), _handler(source))
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
