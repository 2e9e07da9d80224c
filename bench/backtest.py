"""Backtest throughput: one year of hourly data for each of ten pools, eight strategies, walk-forward.

The shipped series are one 23-month pool and three shorter stretches: each pool here is a shipped series cut or
tiled to 8,760 hours (tiling continues prices from where each copy ends: the joins are not history, which does
not matter for speed), cycling through the shipped series to make ten. Timed: everything `alp backtest` does for
these eight strategies on every walk-forward window (tuning on each training window included), without the size
sweep and the report files. Series run in parallel, one process per core, as in `alp backtest`.
"""

from __future__ import annotations

import math
import os
import time

from bench import _report

NAME = "backtest"
HOURS = 24 * 365
POOLS = 10
WORKERS = os.cpu_count() or 1  # `alp backtest` runs series in parallel, one process per core
STRATEGIES = ("hold the vault asset", "hold 50/50", "static full range", "static +-5% (one static width)",
              "best static ex ante (each static width run on every training window, the best reported)",
              "re-centre +-5%", "ALP keeper (balanced; its width scale tuned on every training window)",
              "upper bound (perfect-foresight dynamic programme over the same moves)")


def run() -> None:
    from keeper.backtest.runner import Lineup, main_series, run_many
    from keeper.localnet.data import data_root
    from keeper.market.history import load_market

    started = time.perf_counter()
    shipped = main_series(load_market(data_root()))
    loaded = time.perf_counter()
    pools = [shipped[k % len(shipped)] for k in range(POOLS)]
    series = [s.rows(0, HOURS) if len(s) >= HOURS else s.tiled(HOURS) for s in pools]
    lineup = Lineup(static_widths=(math.inf, 0.05), recentre_widths=(0.05,), profiles=("balanced",), hodl=False)
    prepared = time.perf_counter()
    reports = run_many(series, workers=WORKERS, sweep=False, lineup=lineup)
    done = time.perf_counter()
    rows = {len(w.rows) for r in reports for w in r.windows}
    windows = sum(len(r.windows) for r in reports)
    result = {
        "hours_per_pool": HOURS, "pools": POOLS, "series": [s.name for s in series],
        "strategies_per_window": sorted(rows), "strategies": list(STRATEGIES), "windows": windows,
        "note": "pools cycle through the shipped series, each cut or tiled to one year of hourly rows",
        "workers": WORKERS, "load_seconds": round(loaded - started, 3), "run_seconds": round(done - prepared, 3),
        "total_seconds": round(done - started, 3), "target_seconds": 5.0,
    }
    _report.write(NAME, result)
    _report.table("Backtest throughput (10 pools x 1 year hourly x 8 strategies, walk-forward)", ["measure", "value"],
                  [[k, v if not isinstance(v, list) else ", ".join(map(str, v))] for k, v in result.items()])
