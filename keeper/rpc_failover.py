"""Several RPC endpoints for one chain behind one web3 provider: requests go to the first endpoint, in the order
given, that answers and is not lagging; a failing endpoint is left at once (the request goes to the next) and a
lagging one at the next probe (every PROBE_SECONDS). The keeper, Ape and the sender see one provider.

Nothing is sent twice: a transaction is signed and stored before it is broadcast (keeper.execute.sender), so a
broadcast retried on the next endpoint carries the same bytes and hash; a node that already has it answers "already
known" or "nonce too low", which the sender reads as such. Endpoints are named by scheme and host only (an API key
in a URL's path or query is never printed).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from requests.exceptions import ConnectionError as HTTPConnectionError
from requests.exceptions import HTTPError, Timeout
from web3 import HTTPProvider

from keeper.connect import shown

log = logging.getLogger(__name__)

# How often the endpoints' heads are compared (and a recovered earlier endpoint taken back).
PROBE_SECONDS = 10.0
# A probe or a request that takes longer than this counts as a failure.
TIMEOUT_SECONDS = 5.0
# An endpoint this many blocks behind the best one is lagging.
DEFAULT_MAX_LAG_BLOCKS = 3
# Answers that mean "this endpoint, not this request" (rate limits, gateways, the node's own failures).
_ENDPOINT_STATUS = {408, 429, 500, 502, 503, 504}
_FAILURES = (HTTPConnectionError, Timeout, ConnectionError, OSError)


class AllEndpointsFailed(ConnectionError):
    """No endpoint answered: the one-line reason names each (scheme and host only)."""


@dataclass
class Endpoint:
    url: str
    provider: HTTPProvider
    up: bool = True
    head: int | None = None
    errors: int = 0
    last_error: str = ""

    @property
    def name(self) -> str:
        return shown(self.url)


@dataclass
class FailoverState:
    """What an operator (and /metrics) may read: the endpoint in use and each endpoint's errors."""

    active: str
    errors: dict[str, int] = field(default_factory=dict)
    switches: int = 0


def _endpoint_failure(exc: BaseException) -> bool:
    if isinstance(exc, HTTPError):
        return exc.response is None or exc.response.status_code in _ENDPOINT_STATUS
    return isinstance(exc, _FAILURES)


class FailoverProvider(HTTPProvider):
    def __init__(self, urls: list[str], *, max_lag_blocks: int = DEFAULT_MAX_LAG_BLOCKS,
                 probe_seconds: float = PROBE_SECONDS, timeout: float = TIMEOUT_SECONDS,
                 on_error: Callable[[str], None] | None = None) -> None:
        if not urls:
            raise ValueError("at least one RPC URL")
        super().__init__(urls[0], request_kwargs={"timeout": timeout})
        self.endpoints = [Endpoint(u, HTTPProvider(u, request_kwargs={"timeout": timeout})) for u in urls]
        self.max_lag_blocks, self.probe_seconds = max_lag_blocks, probe_seconds
        self._on_error = on_error
        self._active = 0
        self._probed_at = time.monotonic()
        self._lock = threading.Lock()
        self.switches = 0

    # ------------------------------------------------------------------ what web3 calls

    @property
    def endpoint_uri(self) -> str:  # what Ape and web3 read as "the" URL
        return self.endpoints[self._active].url

    @endpoint_uri.setter
    def endpoint_uri(self, value: Any) -> None:  # HTTPProvider's own __init__ sets it
        pass

    def make_request(self, method: Any, params: Any) -> Any:
        return self._through(lambda endpoint: endpoint.provider.make_request(method, params))

    def make_batch_request(self, requests: Any) -> Any:
        return self._through(lambda endpoint: endpoint.provider.make_batch_request(requests))

    def is_connected(self, show_traceback: bool = False) -> bool:
        return any(e.provider.is_connected() for e in self.endpoints)

    @property
    def state(self) -> FailoverState:
        return FailoverState(active=self.endpoints[self._active].name,
                             errors={e.name: e.errors for e in self.endpoints}, switches=self.switches)

    # ------------------------------------------------------------------ choosing the endpoint

    def _through(self, send: Callable[[Endpoint], Any]) -> Any:
        if time.monotonic() - self._probed_at >= self.probe_seconds:
            self.probe()
        # The endpoint in use, then the others that answered last, then (as a last resort) those that did not.
        others = [i for i in range(len(self.endpoints)) if i != self._active]
        order = [self._active] + [i for i in others if self.endpoints[i].up] + [i for i in others
                                                                              if not self.endpoints[i].up]
        reasons = []
        for index in order:
            endpoint = self.endpoints[index]
            try:
                response = send(endpoint)
            except Exception as exc:
                if not _endpoint_failure(exc):
                    raise
                self._failed(endpoint, exc)
                reasons.append(f"{endpoint.name}: {type(exc).__name__}")
                continue
            endpoint.up = True
            self._use(index, "after a failure" if reasons else None)
            return response
        raise AllEndpointsFailed("no RPC endpoint answered (" + "; ".join(reasons) + "): start a node or fix the "
                                 "network and rpc_fallbacks settings")

    def _failed(self, endpoint: Endpoint, exc: BaseException) -> None:
        endpoint.up = False
        endpoint.errors += 1
        endpoint.last_error = type(exc).__name__
        if self._on_error:
            self._on_error(endpoint.name)

    def _use(self, index: int, why: str | None) -> None:
        with self._lock:
            if index == self._active:
                return
            before = self.endpoints[self._active]
            self._active = index
            self.switches += 1
        reason = why or (f"{before.name} {'lags' if before.up else 'is down'}")
        log.warning("RPC: now on %s (%s)", self.endpoints[index].name, reason)

    def probe(self) -> None:
        """Asks every endpoint for its head; takes the first, in the given order, that answers and is within
        max_lag_blocks of the best head."""
        self._probed_at = time.monotonic()
        for endpoint in self.endpoints:
            try:
                response = endpoint.provider.make_request("eth_blockNumber", [])
                endpoint.head = int(response["result"], 16)
                endpoint.up = True
            except Exception as exc:  # a probe failing is the endpoint's failure, whatever it raised
                self._failed(endpoint, exc)
        heads = [e.head for e in self.endpoints if e.up and e.head is not None]
        if not heads:
            return
        best = max(heads)
        for index, endpoint in enumerate(self.endpoints):
            if endpoint.up and endpoint.head is not None and endpoint.head >= best - self.max_lag_blocks:
                lagging = self.endpoints[self._active]
                why = None if not lagging.up else (
                    f"{lagging.name} is {best - (lagging.head or 0)} blocks behind" if index > self._active else
                    f"{endpoint.name} is back")
                self._use(index, why)
                return


def install(urls: list[str], on_error: Callable[[str], None] | None = None,
            max_lag_blocks: int = DEFAULT_MAX_LAG_BLOCKS) -> FailoverProvider:
    """Puts a failover provider over `urls` under the connected Ape provider (every read and send goes through it)."""
    from ape import chain

    provider = FailoverProvider(urls, on_error=on_error, max_lag_blocks=max_lag_blocks, timeout=TIMEOUT_SECONDS)
    chain.provider.web3.provider = provider
    return provider
