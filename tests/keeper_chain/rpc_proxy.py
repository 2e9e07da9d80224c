"""A test double of an RPC provider's endpoint: an HTTP proxy in front of the local anvil that can go down, drop a
connection right after forwarding a transaction (the send reached the chain, the answer never came back), or lag
(its eth_blockNumber stays behind). No second node can serve the same local chain here, so two proxies in front of
one anvil stand for two providers of one chain."""

from __future__ import annotations

import errno
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


class RpcProxy:
    def __init__(self, target: str) -> None:
        self.target = target
        self.mode = "up"  # up | drop-after-send | lag
        self.frozen_head: int | None = None
        self.calls: Counter[str] = Counter()
        self._server: ThreadingHTTPServer | None = None
        self._stopping: threading.Thread | None = None
        self._port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                if proxy.mode == "down":  # a request that reached a server still shutting down: refused all the same
                    self.close_connection = True
                    self.connection.close()
                    return None
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = json.loads(body)
                methods = [r["method"] for r in request] if isinstance(request, list) else [request["method"]]
                proxy.calls.update(methods)
                if proxy.mode == "lag" and methods == ["eth_blockNumber"] and proxy.frozen_head is not None:
                    answer = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": hex(proxy.frozen_head)})
                    return self._reply(answer.encode())
                forwarded = requests.post(proxy.target, data=body, headers={"Content-Type": "application/json"},
                                          timeout=30)
                if proxy.mode == "drop-after-send" and "eth_sendRawTransaction" in methods:
                    proxy.mode = "down"
                    self.close_connection = True  # the chain has it; the sender never hears back
                    self.connection.close()
                    proxy._stop_in_background()
                    return None
                return self._reply(forwarded.content)

            def _reply(self, payload: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        # A restart reuses the port: the previous server must have let go of it first (a drop stops it from
        # another thread), and a client's ephemeral port may hold it for a moment.
        if self._stopping is not None:
            self._stopping.join()
            self._stopping = None
        deadline = time.monotonic() + 10
        while True:
            try:
                server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
                break
            except OSError as error:
                if error.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        server.daemon_threads = True
        self._port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def _stop_in_background(self) -> None:
        # Called from a request handler, which shutdown() would otherwise wait on.
        self._stopping = threading.Thread(target=self.stop, daemon=True)
        self._stopping.start()

    def stop(self) -> None:
        """Down: connections to its port are refused until start()."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
