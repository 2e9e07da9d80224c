"""Static ranges with every cost switched off, by the backtest engine of an earlier commit and by today's.

The engine was rewritten for walk-forward runs and one cost model; with costs off (no gas, no pool fee or impact
on swaps, no vault fees) nothing but the pool maths remains, so both must give the same figures. This checks out
`--then` (default: the commit before the rewrite) into a temporary worktree, runs its engine there, runs today's
here on the same windows in the same numéraire, prints both and exits non-zero if any differs by more than 2 %
of capital.

    .venv/bin/python tools/static_ranges_then_and_now.py [--then COMMIT]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = (math.inf, 0.25, 0.10, 0.05, 0.02)
TOLERANCE = 0.02

# Runs inside the old worktree: its simulate() with gas at 0 and its swap cost patched to 0, gross of vault fees.
THEN = r"""
import json, math, sys
import numpy as np
from keeper.backtest import engine
from keeper.backtest.engine import Costs, simulate
from keeper.backtest.policies import StaticRange
from keeper.backtest.series import PoolSeries
from keeper.market.history import load_market, resample
engine._swap_cost = lambda *a, **k: 0.0
market = load_market(sys.argv[1])
out = {}
for name, start, end, numeraire0 in json.loads(sys.argv[2]):
    history = resample(market.pools[name].window(start, end))
    series = PoolSeries.from_history(history)
    series = PoolSeries(**{**series.__dict__, "numeraire_is_token0": numeraire0})
    for w in json.loads(sys.argv[3]):
        w = float(w)
        r = simulate(series, StaticRange(w, {100: 1, 500: 10, 3000: 60, 10000: 200}[round(series.fee_rate * 1e6)]),
                     1000.0, Costs(gas_price_gwei=0.0))
        out[f"{name}|{start}|{w}"] = float(r.values[-1] / 1000.0 - 1)
print(json.dumps(out))
"""


def windows() -> list[tuple[str, int, int, bool]]:
    """Every walk-forward reporting window of every shipped series."""
    from keeper.backtest.runner import main_series, plan_windows
    from keeper.localnet.data import data_root
    from keeper.market.history import load_market

    out = []
    for series in main_series(load_market(data_root())):
        pool = series.name.split(" ")[0]
        for w in plan_windows(len(series))[0]:
            a, b = w.test
            out.append((pool, int(series.times[a]), int(series.times[b - 1]) + 3_600, series.numeraire_is_token0))
    return out


def now(spans) -> dict[str, float]:
    from dataclasses import replace

    from keeper.backtest.engine import simulate
    from keeper.backtest.policies import StaticRange
    from keeper.backtest.series import PoolSeries
    from keeper.localnet.data import data_root
    from keeper.market.history import load_market, resample

    market = load_market(data_root())
    out = {}
    for name, start, end, numeraire0 in spans:
        series = PoolSeries.from_history(resample(market.pools[name].window(start, end)), market.gas).without_costs()
        series = replace(series, numeraire_is_token0=numeraire0, cache={})
        for w in WIDTHS:
            r = simulate(series, StaticRange(w), 1000.0, cadence=len(series))
            out[f"{name}|{start}|{w}"] = float(r.values[-1] / 1000.0 - 1)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--then", default="4fe654e", help="the commit whose engine to compare with")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from keeper.localnet.data import data_root

    spans = windows()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "then"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.then], check=True,
                       capture_output=True)
        try:
            # Its own compiled contract types are not needed: the backtest imports no contract.
            done = subprocess.run([sys.executable, "-c", THEN, str(data_root()), json.dumps(spans),
                                   json.dumps([str(w) for w in WIDTHS])], cwd=tree, capture_output=True, text=True,
                                  env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})
            if done.returncode:
                print(f"the engine at {args.then} failed: {done.stderr.strip().splitlines()[-1]}", file=sys.stderr)
                return 2
            then = json.loads(done.stdout)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)
    current = now(spans)
    worst = 0.0
    print(f"{'pool':28} {'window start':>12} {'width':>10} {'then':>9} {'now':>9} {'diff':>8}")
    for key, before in then.items():
        name, start, w = key.split("|")
        after = current[key]
        worst = max(worst, abs(after - before))
        label = "full" if math.isinf(float(w)) else f"+-{float(w):.0%}"
        print(f"{name:28} {int(start):>12} {label:>10} {before:>+9.3%} {after:>+9.3%} {after - before:>+8.3%}")
    print(f"{len(then)} runs; largest difference {worst:.3%} of capital (bound {TOLERANCE:.0%})")
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
