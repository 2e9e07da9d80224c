"""What a running keeper exports for Prometheus, and its health check.

Names are prefixed `alp_`, in base units (seconds, gas, the asset's raw units), counters end in `_total`:
cycles by outcome, cycle duration, the last successful cycle's time, plans by state, gas used, the rolling
guardrail budgets left, RPC errors by endpoint. `/healthz` fails (503) when the last successful cycle is older than
the bound, so an orchestrator restarts a keeper that is alive but not keeping.
"""

from __future__ import annotations

import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# A cycle that ends in one of these did its job (acting or rightly not acting); the others are failures.
HEALTHY_OUTCOMES = ("no-action", "skipped", "dry-run", "confirmed", "awaiting_approval", "rejected")


class KeeperMetrics:
    def __init__(self, vault: str, max_cycle_age_seconds: float) -> None:
        self.vault, self.max_age = vault, max_cycle_age_seconds
        self.registry = CollectorRegistry()
        labels = {"registry": self.registry}
        self.cycles = Counter("alp_cycles", "Keeper cycles by outcome.", ["vault", "outcome"], **labels)
        self.duration = Histogram("alp_cycle_duration_seconds", "Wall time of one keeper cycle.", ["vault"], **labels)
        self.last_success = Gauge("alp_last_successful_cycle_timestamp_seconds",
                                  "Unix time of the last cycle that ended as it should.", ["vault"], **labels)
        self.plans = Gauge("alp_plans", "Plans in the keeper's store by state.", ["vault", "state"], **labels)
        self.gas = Counter("alp_gas_used", "Gas used by the keeper's mined transactions (from its store).",
                           ["vault"], **labels)
        self.budget = Gauge("alp_guardrail_budget_left", "What the vault's rolling keeper budget still allows today, "
                            "in the asset's raw units.", ["vault", "budget"], **labels)
        self.rpc_errors = Counter("alp_rpc_errors", "Requests an RPC endpoint failed (or cycles that reached no node), by endpoint.",
                                  ["endpoint"], **labels)
        self._last_success: float | None = None
        self._started = time.time()  # a keeper still inside its first cycle is healthy for one bound
        self._gas_counted = 0

    def record_cycle(self, outcome: str, seconds: float, store, limits=None, now: float | None = None) -> None:
        """One cycle's result, then the store's and the vault's state after it."""
        now = time.time() if now is None else now
        self.cycles.labels(self.vault, outcome).inc()
        self.duration.labels(self.vault).observe(seconds)
        if outcome in HEALTHY_OUTCOMES:
            self._last_success = now
            self.last_success.labels(self.vault).set(now)
        for state, n in store.plan_counts().items():
            self.plans.labels(self.vault, state).set(n)
        # The store holds the total; the counter grows by what was mined since the last cycle (a store shared with
        # an earlier run starts the counter at that run's total, once).
        gas = store.gas_used_total()
        if gas > self._gas_counted:
            self.gas.labels(self.vault).inc(gas - self._gas_counted)
            self._gas_counted = gas
        if limits is not None:
            for budget in ("loss", "turnover"):
                left = getattr(limits, f"{budget}_budget_left")
                if left is not None:
                    self.budget.labels(self.vault, budget).set(left)

    def record_failure(self, endpoint: str, reached_node: bool, seconds: float) -> None:
        self.cycles.labels(self.vault, "failed").inc()
        self.duration.labels(self.vault).observe(seconds)
        if not reached_node:
            self.rpc_errors.labels(endpoint).inc()

    def health(self, now: float | None = None) -> tuple[bool, str]:
        now = time.time() if now is None else now
        if self._last_success is None:
            waited = now - self._started
            if waited > self.max_age:
                return False, f"no successful cycle in the {waited:.0f} s since start, over the {self.max_age:.0f} s bound"
            return True, f"starting: no cycle finished yet ({waited:.0f} s)"
        age = now - self._last_success
        if age > self.max_age:
            return False, f"last successful cycle {age:.0f} s ago, over the {self.max_age:.0f} s bound"
        return True, f"last successful cycle {age:.0f} s ago"


class MetricsServer:
    """`/metrics` and `/healthz` on a background thread; a context manager that stops it."""

    def __init__(self, metrics: KeeperMetrics, host: str = "127.0.0.1", port: int = 9464) -> None:
        # 127.0.0.1 by default: metrics name the vault and its budgets; `--metrics-host 0.0.0.0` for a scraper
        # outside the machine or container.
        owner = metrics

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    self._send(HTTPStatus.OK, CONTENT_TYPE_LATEST, generate_latest(owner.registry))
                elif path == "/healthz":
                    ok, why = owner.health()
                    self._send(HTTPStatus.OK if ok else HTTPStatus.SERVICE_UNAVAILABLE, "text/plain", why.encode())
                else:
                    self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found")

            def _send(self, status, kind: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # scrapes every few seconds: not worth a log line each
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> MetricsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
