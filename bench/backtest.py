"""Backtest throughput: one year of hourly data over every shipped pool, every strategy, in one timed run.

The shipped series are shorter than a year, so each is tiled to 8,760 hours (prices continue from where each copy
ends); the JSON says so. Timed: tuning, all strategies, the hindsight search — everything `alp backtest` runs.
"""

from __future__ import annotations

import time

from bench import _report

NAME = "backtest"
HOURS = 24 * 365


def run() -> None:
    from keeper.backtest.engine import Costs
    from keeper.backtest.runner import main_series, run_pool
    from keeper.localnet.data import data_root
    from keeper.market.history import load_market

    started = time.perf_counter()
    market = load_market(data_root())
    loaded = time.perf_counter()
    series = [s.tiled(HOURS) for s in main_series(market)]
    reports = [run_pool(s, 1_000_000, Costs()) for s in series]
    done = time.perf_counter()
    strategies = sum(len(r.rows) for r in reports)
    result = {
        "hours_per_pool": HOURS, "pools": [s.name for s in series], "tiled": True,
        "note": "each shipped series tiled to one year of hourly rows",
        "strategies_reported": strategies, "load_seconds": round(loaded - started, 3),
        "run_seconds": round(done - loaded, 3), "total_seconds": round(done - started, 3),
    }
    _report.write(NAME, result)
    _report.table("Backtest throughput (one year hourly, all pools, all strategies)", ["measure", "value"],
                  [[k, v if not isinstance(v, list) else ", ".join(v)] for k, v in result.items()])
