"""The engine's hourly fee attribution against the exact one, swap by swap, where the data ships every swap.

The engine credits a range with its liquidity share of each hour's fees times the part of the hour's price span
inside it; `keeper.market.swaps.exact_fees` credits it swap by swap. Over the reporting windows of a series both
are run for static ranges of each width, with the same liquidity.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from keeper.backtest.holdings import value_path
from keeper.backtest.policies import centred, label
from keeper.backtest.runner import plan_windows
from keeper.backtest.series import PoolSeries
from keeper.market.swaps import exact_fees, load_swaps

WIDTHS = (math.inf, 0.10, 0.05, 0.02)
HOUR = 3_600


def has_swaps(folder: Path) -> bool:
    return (folder / "swaps.csv.gz").is_file()


def fee_attribution(series: PoolSeries, folder: Path, capital: float) -> list[dict]:
    """Per width: fees the engine credits and the exact per-swap fees, summed over every reporting window, and the
    largest difference in any one window."""
    swaps = load_swaps(folder)
    costless = series.without_costs()  # fees taken as they are, so both sides count the same thing
    windows, _ = plan_windows(len(series))
    out = []
    for width in WIDTHS:
        engine = exact = 0.0
        worst = 0.0
        for w in windows:
            a, b = w.test
            tick = costless.state(a).tick
            rng = centred(tick, width, series.spacing)
            path = value_path(costless, rng, capital, a, b, tick)
            rows = slice(int(np.searchsorted(swaps.times, series.times[a])),
                         int(np.searchsorted(swaps.times, series.times[b - 1] + HOUR)))
            f0, f1, after = exact_fees(swaps, rng.lower, rng.upper, path.liquidity, series.fee_rate,
                                       series.decimals0, series.decimals1, rows)
            e = float(np.sum(costless.value_at(f0, f1, after)))
            engine += float(path.fees[-1])
            exact += e
            if e > 0:
                worst = max(worst, abs(float(path.fees[-1]) / e - 1))
        out.append({"range": f"static {label(width)}", "engine_fees": engine, "exact_fees": exact,
                    "difference": engine / exact - 1 if exact else 0.0, "worst_window": worst,
                    "windows": len(windows)})
    return out
