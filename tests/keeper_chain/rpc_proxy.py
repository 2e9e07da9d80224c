"""A test double of an RPC provider's endpoint: an HTTP proxy in front of the local anvil that can go down, drop a
connection right after forwarding a transaction (the send reached the chain, the answer never came back), or lag
(its eth_blockNumber stays behind). No second node can serve the same local chain here, so two proxies in front of
one anvil stand for two providers of one chain."""

from __future__ import annotations

import json
import threading
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
        self._port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
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
                    threading.Thread(target=proxy.stop, daemon=True).start()
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

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Down: connections to its port are refused until start()."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
