"""One backtest run: every strategy on the same data, with the ALP keeper tuned in-sample and reported held-out.

Periods: the longest contiguous stretch of the main pool is split in two; the ALP keeper's single tuned parameter
(width_scale) is chosen on the first part and every strategy is reported on the second. The hindsight-best is the
best of every range strategy evaluated on the held-out part itself: a bound nobody could have chosen in advance.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from keeper.backtest.engine import Costs, RunResult, after_vault_fees, hold_asset, hold_fifty_fifty, metrics, simulate
from keeper.backtest.policies import AlpKeeper, Recentre, StaticRange
from keeper.backtest.series import STABLE, PoolSeries
from keeper.market.history import MarketData, resample
from keeper.names import day
from keeper.risk.profiles import PROFILES

# A stretch shorter than this cannot be split into a tuning and a reporting half worth reading.
MIN_SEGMENT_SECONDS = 2 * 24 * 3_600
STATIC_WIDTHS = (math.inf, 0.02, 0.05, 0.10, 0.25)
RECENTRE_WIDTHS = (0.02, 0.05, 0.10)
WIDTH_SCALES = (0.5, 0.75, 1.0, 1.5, 2.0)
IN_SAMPLE_FRACTION = 0.5


@dataclass
class Row:
    strategy: str
    kind: str  # baseline | alp | hindsight
    net_return: float
    apr: float | None  # None for periods under MIN_ANNUALISED_DAYS: read net_return, the period's return
    fees: float
    impermanent_loss: float
    gas: float
    swap_costs: float
    rebalances: int
    max_drawdown: float
    sharpe: float
    curve: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    lower: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    upper: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    def public(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not isinstance(v, np.ndarray)}


@dataclass
class PoolReport:
    pool: str
    capital: float
    numeraire: str
    in_sample: tuple[int, int]
    held_out: tuple[int, int]
    width_scale: float
    rows: list[Row]
    times: np.ndarray
    price: np.ndarray
    weights: dict[str, np.ndarray] | None = None  # allocation runs: strategy -> weights per step (steps x sources)
    source_names: list[str] | None = None


def _row(result: RunResult, kind: str, capital: float, costs: Costs) -> Row:
    curve = after_vault_fees(result, capital, costs)
    m = metrics(curve, capital)
    return Row(strategy=result.name, kind=kind, fees=result.fees, impermanent_loss=result.impermanent_loss,
               gas=result.gas, swap_costs=result.swap_costs, rebalances=result.rebalances, curve=curve,
               lower=result.lower, upper=result.upper, **m)


def _move_cost_fraction(series: PoolSeries, capital: float, costs: Costs) -> float:
    from keeper.backtest.engine import _eth_price

    tick = float(series.open_tick[0])
    gas = costs.gas_units_per_move * float(np.mean(costs.gas_price_gwei)) * 1e-9 * _eth_price(series, tick, costs)
    return gas / capital + series.fee_rate * 0.5  # gas, plus swapping about half the position


def _spacing(series: PoolSeries) -> int:
    return {100: 1, 500: 10, 3000: 60, 10000: 200}.get(int(round(series.fee_rate * 1e6)), 10)


def tune_width_scale(series: PoolSeries, capital: float, costs: Costs) -> float:
    """The width scale whose balanced-profile keeper did best in-sample (net of costs and vault fees)."""
    cost = _move_cost_fraction(series, capital, costs)
    best, best_value = 1.0, -math.inf
    for scale in WIDTH_SCALES:
        keeper = AlpKeeper(PROFILES["balanced"], width_scale=scale, gas_cost_fraction=cost, spacing=_spacing(series))
        value = after_vault_fees(simulate(series, keeper, capital, costs), capital, costs)[-1]
        if value > best_value:
            best, best_value = scale, value
    return best


def compare(series: PoolSeries, capital: float, costs: Costs, width_scale: float,
            progress: Callable[[str], None] | None = None) -> list[Row]:
    """Every strategy on `series`."""
    spacing = _spacing(series)
    cost = _move_cost_fraction(series, capital, costs)
    rows = [_row(hold_asset(series, capital), "baseline", capital, costs),
            _row(hold_fifty_fifty(series, capital), "baseline", capital, costs)]
    family = [StaticRange(w, spacing) for w in STATIC_WIDTHS] + [Recentre(w, spacing) for w in RECENTRE_WIDTHS]
    for policy in family:
        rows.append(_row(simulate(series, policy, capital, costs), "baseline", capital, costs))
        if progress:
            progress(policy.name)
    for prof in PROFILES.values():
        keeper = AlpKeeper(prof, width_scale=width_scale, gas_cost_fraction=cost, spacing=spacing)
        rows.append(_row(simulate(series, keeper, capital, costs), "alp", capital, costs))
        if progress:
            progress(keeper.name)
    # Hindsight: the best of every range strategy and every tuning, judged on this very period.
    candidates = [r for r in rows if r.kind == "baseline" and r.strategy.startswith(("static", "re-centre"))]
    for scale in WIDTH_SCALES:
        for prof in PROFILES.values():
            keeper = AlpKeeper(prof, width_scale=scale, gas_cost_fraction=cost, spacing=spacing)
            candidates.append(_row(simulate(series, keeper, capital, costs), "candidate", capital, costs))
    best = max(candidates, key=lambda r: r.net_return)
    rows.append(Row(**{**best.__dict__, "strategy": f"hindsight-best ({best.strategy})", "kind": "hindsight"}))
    return rows


def capital_in_numeraire(series: PoolSeries, capital_usd: float, costs: Costs) -> float:
    """The run's capital (given in USD) in the pool's numéraire: a WETH-priced pool gets capital / ETH price."""
    numeraire = series.symbols[0] if series.numeraire_is_token0 else series.symbols[1]
    return capital_usd if numeraire in STABLE else capital_usd / costs.eth_price


def run_pool(series: PoolSeries, capital_usd: float, costs: Costs,
             progress: Callable[[str], None] | None = None) -> PoolReport:
    capital = capital_in_numeraire(series, capital_usd, costs)
    split = int(len(series) * IN_SAMPLE_FRACTION)
    in_sample = series.window(int(series.times[0]), int(series.times[split]))
    held_out = series.window(int(series.times[split]), int(series.times[-1]) + 1)
    scale = tune_width_scale(in_sample, capital, costs)
    rows = compare(held_out, capital, costs, scale, progress)
    other = (0.0, 10**held_out.decimals1) if held_out.numeraire_is_token0 else (10**held_out.decimals0, 0.0)

    def price_at(ticks: np.ndarray) -> np.ndarray:
        """The non-numéraire token's price in the numéraire at each tick (NaN where there is none)."""
        return np.array([held_out.value(*other, float(t)) if np.isfinite(t) else np.nan for t in ticks])

    price = price_at(held_out.close_tick)
    for row in rows:  # ranges drawn in the same units as the price
        a, b = price_at(row.lower), price_at(row.upper)
        row.lower, row.upper = np.fmin(a, b), np.fmax(a, b)
    return PoolReport(pool=series.name, capital=capital,
                      numeraire=series.symbols[0] if series.numeraire_is_token0 else series.symbols[1], in_sample=(int(in_sample.times[0]), int(in_sample.times[-1])),
                      held_out=(int(held_out.times[0]), int(held_out.times[-1])), width_scale=scale, rows=rows,
                      times=held_out.times, price=price)


def main_series(data: MarketData, pool: str | None = None) -> list[PoolSeries]:
    """Every contiguous stretch of each pool (or just `pool`), hourly: a gap longer than a day splits a series into
    segments, and each long enough to tune and report on is run on its own, named by its dates."""
    out = []
    for name, history in data.pools.items():
        if pool and name != pool:
            continue
        segments = [s for s in history.segments() if s[1] - s[0] >= MIN_SEGMENT_SECONDS]
        for start, end in segments:
            window = history.window(start, end)
            if len(segments) > 1:
                window = replace(window, name=f"{name} {day(start)}→{day(end - 1)}")
            out.append(PoolSeries.from_history(resample(window)))
    if pool and not out:
        if pool in data.pools:
            raise ValueError(f"pool {pool!r}: no stretch of its data is {MIN_SEGMENT_SECONDS // 86_400} days or "
                             "longer without a gap of over a day: nothing to tune and report on")
        raise ValueError(f"no pool {pool!r} in the data: have {', '.join(data.pools)}")
    return out

