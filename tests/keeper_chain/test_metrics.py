"""`alp run --metrics-port`: a Prometheus scrape after a real cycle on anvil shows the cycle's outcome, the last
successful cycle's time, plans by state, gas used and the vault's rolling budgets left; /healthz answers 200 while
cycles succeed and 503 once the last success is older than the bound."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from keeper.execute.guardrails import VaultLimits
from keeper.metrics import KeeperMetrics

from .test_cycle import _history
from keeper.cycle import Keeper


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics__scraped_after_a_cycle__outcome_budgets_plans_and_health(world, config, chain, tmp_path):
    settings = config()
    _history(Keeper(settings, world["keeper"]), world, chain, busy_fee=500)
    path = tmp_path / "keeper.yaml"
    path.write_text(yaml.safe_dump({**settings.model_dump(mode="json"), "cycle_seconds": 10}))
    port = _free_port()
    run = subprocess.Popen([str(Path(sys.executable).with_name("alp")), "run", "--config", str(path), "--cycles", "2",
                            "--metrics-port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        scraped, deadline = None, time.monotonic() + 120
        while time.monotonic() < deadline and run.poll() is None:
            try:
                body = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
                if "alp_cycles_total{" in body:
                    scraped = body
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        assert scraped, f"no cycle in /metrics: {run.stderr.read() if run.poll() is not None else ''}"
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    finally:
        run.wait(timeout=120)
    samples = _samples(scraped)
    vault = ("vault", world["vault"].address)
    assert samples[("alp_cycles_total", (("outcome", "confirmed"), vault))] == 1, scraped
    assert abs(samples[("alp_last_successful_cycle_timestamp_seconds", (vault,))] - time.time()) < 120
    assert samples[("alp_plans", (("state", "confirmed"), vault))] >= 1
    assert samples[("alp_gas_used_total", (vault,))] > 100_000, "the rebalance's gas, from the store"
    # Read after the first cycle; the second may spend more of the day's budget before this reads the chain.
    limits, (_, loss_budget, _, turnover_budget) = VaultLimits.read(world["vault"]), world["vault"].budget()
    assert limits.loss_budget_left <= samples[("alp_guardrail_budget_left", (("budget", "loss"), vault))] <= loss_budget
    turnover = samples[("alp_guardrail_budget_left", (("budget", "turnover"), vault))]
    assert limits.turnover_budget_left <= turnover < turnover_budget, "the rebalance used some of the turnover budget"
    assert samples[("alp_cycle_duration_seconds_count", (vault,))] == 1
    assert health.status_code == 200 and "last successful cycle" in health.text
    assert run.returncode == 0, run.stderr


def test_health__fails_once_the_last_success_is_older_than_the_bound():
    metrics = KeeperMetrics("0xvault", max_cycle_age_seconds=60)

    class NoStore:
        def plan_counts(self):
            return {}

        def gas_used_total(self):
            return 0

    start = metrics._started
    assert metrics.health(now=start + 30)[0] is True, "inside its first cycle"
    assert metrics.health(now=start + 61)[0] is False, "no cycle in a whole bound since start"
    metrics.record_cycle("no-action", 1.0, NoStore(), now=1_000)
    assert metrics.health(now=1_030) == (True, "last successful cycle 30 s ago")
    ok, why = metrics.health(now=1_061)
    assert not ok and "over the 60 s bound" in why
    metrics.record_failure("http://127.0.0.1:8545", reached_node=False, seconds=0.1)
    assert metrics.health(now=1_061)[0] is False, "a failed cycle is not a success"
