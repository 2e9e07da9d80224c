"""`alp run --metrics-port`: a Prometheus scrape after a real cycle on anvil shows the cycle's outcome, the last
successful cycle's time, plans by state, gas used and the vault's rolling budgets left; /healthz answers 200 while
cycles succeed and 503 once the last success is older than the bound."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from keeper.execute.guardrails import VaultLimits
from keeper.metrics import HEALTHY_OUTCOMES, KeeperMetrics

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
    # Cycles far apart: the first allocation's follow-up cycles run at once, then the bot sleeps; a scrape that two
    # reads a second apart agree on is taken in that sleep, with every cycle fully recorded (no race with a cycle
    # being written, or with the bot's exit).
    path.write_text(yaml.safe_dump({**settings.model_dump(mode="json"), "cycle_seconds": 600}))
    port = _free_port()
    out_file, err_file = tmp_path / "run.out", tmp_path / "run.err"  # files: no pipe fills while nobody reads it
    run = subprocess.Popen([str(Path(sys.executable).with_name("alp")), "run", "--config", str(path),
                            "--metrics-port", str(port)], stdout=out_file.open("w"), stderr=err_file.open("w"),
                           text=True)
    vault = ("vault", world["vault"].address)
    try:
        scraped, previous, deadline = None, None, time.monotonic() + 240
        while time.monotonic() < deadline and run.poll() is None:
            try:
                body = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            except requests.RequestException:
                body = None
            samples = _samples(body) if body else {}
            recorded = sum(v for (name, labels), v in samples.items() if name == "alp_cycles_total" and vault in labels)
            state = (recorded, samples.get(("alp_cycle_duration_seconds_count", (vault,))))
            if recorded >= 2 and state == previous:
                scraped, scraped_at = body, time.time()
                break
            previous = state
            time.sleep(1)
        assert scraped, f"no two cycles in /metrics: {err_file.read_text()[-3000:]}"
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        run.send_signal(signal.SIGINT)
        run.wait(timeout=120)
        out, err = out_file.read_text(), err_file.read_text()
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    samples = _samples(scraped)
    cycles = {dict(labels)["outcome"]: v for (name, labels), v in samples.items()
              if name == "alp_cycles_total" and vault in labels}
    assert cycles["confirmed"] >= 1 and set(cycles) <= set(HEALTHY_OUTCOMES), scraped
    assert samples[("alp_cycle_duration_seconds_count", (vault,))] == sum(cycles.values()), "each cycle timed once"
    assert abs(samples[("alp_last_successful_cycle_timestamp_seconds", (vault,))] - scraped_at) < 120
    assert samples[("alp_plans", (("state", "confirmed"), vault))] >= 1
    assert samples[("alp_gas_used_total", (vault,))] > 100_000, "the rebalance's gas, from the store"
    limits, (_, loss_budget, _, turnover_budget) = VaultLimits.read(world["vault"]), world["vault"].budget()
    assert limits.loss_budget_left <= samples[("alp_guardrail_budget_left", (("budget", "loss"), vault))] <= loss_budget
    turnover = samples[("alp_guardrail_budget_left", (("budget", "turnover"), vault))]
    assert limits.turnover_budget_left <= turnover < turnover_budget, "the rebalance used some of the turnover budget"
    assert health.status_code == 200 and "last successful cycle" in health.text
    assert run.returncode == 130 and "keeper stopped" in out, err


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
