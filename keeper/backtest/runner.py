"""Walk-forward evaluation of every strategy on one series: tune on a training window, report on the next, roll.

Windows: a reporting window of `test` rows follows a training window of twice that; both roll forward by `test`
until the series ends, so every row after the first training window is reported exactly once. What is chosen on
a training window (the best static width, the keeper's width scale) is used on the reporting window after it,
and every strategy on a reporting window may read the rows before it (the warm-up is real history). Capital is
a share of the pool's active liquidity, so a run is a price taker unless asked not to be; the size sweep shows
where size starts to hurt.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from keeper.backtest.bound import Bound, upper_bound
from keeper.backtest.engine import DECISION_HOURS, MoveRecord, RunResult, simulate
from keeper.backtest.holdings import Range, unit_amounts
from keeper.backtest.measures import VaultFees, after_vault_fees, metrics
from keeper.backtest.policies import AlpKeeper, HoldAsset, HoldBasket, Recentre, StaticRange, centred
from keeper.backtest.series import PoolSeries
from keeper.forecast.selection import ForecastReport, ForecastTrack, walk_forward
from keeper.market.history import MarketData, resample
from keeper.names import day
from keeper.risk.profiles import PROFILES

HOUR = 3_600
MAX_TEST_HOURS = 30 * 24
TRAIN_TO_TEST = 2
MIN_WINDOWS = 3  # a series is cut so that it gives at least this many reporting windows
STATIC_WIDTHS = (math.inf, 0.50, 0.25, 0.10, 0.05, 0.02, 0.01)
RECENTRE_WIDTHS = (0.02, 0.05, 0.10)
# Multiplies the optimizer's width; wide enough that the training window's choice is rarely at either end
# (the report counts the windows where it is).
WIDTH_SCALES = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
# Capital as a share of the value of the pool's active liquidity within +-2 % of the price: small enough that
# the position barely moves the price or dilutes the other LPs' fees.
DEFAULT_CAPITAL_SHARE = 0.01
DEPTH_HALF_WIDTH = 0.02
SWEEP_SHARES = (0.001, 0.01, 0.1, 0.5, 1.0, 3.0)


@dataclass(frozen=True)
class Lineup:
    """Which strategies a run compares (the holds, the chosen static width and the bound always run)."""

    static_widths: tuple[float, ...] = STATIC_WIDTHS
    recentre_widths: tuple[float, ...] = RECENTRE_WIDTHS
    profiles: tuple[str, ...] = tuple(p.value for p in PROFILES)
    hodl: bool = True


FULL_LINEUP = Lineup()


@dataclass(frozen=True)
class Window:
    train: tuple[int, int]  # rows [a, b)
    test: tuple[int, int]


def plan_windows(rows: int) -> tuple[list[Window], int]:
    """The walk-forward windows of a series of `rows` hours, and the decision cadence (hours) used on it."""
    test = min(MAX_TEST_HOURS, rows // (TRAIN_TO_TEST + MIN_WINDOWS))
    cadence = DECISION_HOURS if test >= 4 * DECISION_HOURS else max(1, test // 4)
    test -= test % cadence
    if test < cadence or test == 0:
        return [], cadence
    train = TRAIN_TO_TEST * test
    out = []
    start = train
    while start + test <= rows:
        out.append(Window((start - train, start), (start, start + test)))
        start += test
    return out, cadence


@dataclass
class Row:
    strategy: str
    kind: str  # hold | static | recentre | chosen | alp | bound
    gross: np.ndarray = field(repr=False)
    curve: np.ndarray = field(repr=False)  # after vault fees
    fees: float = 0.0
    impermanent_loss: float | None = None
    gas: float = 0.0
    pool_fee: float = 0.0
    impact: float = 0.0
    moves: int = 0
    refused: int = 0
    lower: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    upper: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    move_log: list[MoveRecord] = field(repr=False, default_factory=list)

    def figures(self, capital: float) -> dict:
        return {"kind": self.kind, **metrics(self.curve, capital), "gross_return": float(self.gross[-1] / capital - 1),
                "fees": self.fees, "impermanent_loss": self.impermanent_loss, "gas": self.gas,
                "pool_fee": self.pool_fee, "impact": self.impact, "moves": self.moves, "refused": self.refused}


@dataclass
class WindowResult:
    window: Window
    times: tuple[int, int]  # first and last reported hour
    rows: list[Row]
    best_static: float
    width_scale: float
    bound_path: list[tuple[int, str]]
    forecast: ForecastTrack | None = field(default=None, repr=False)


@dataclass
class SeriesReport:
    pool: str
    numeraire: str
    capital: float
    capital_share: float
    cadence: int
    gas_source: str
    native_source: str
    windows: list[WindowResult]
    series: PoolSeries = field(repr=False)
    sweep: dict[str, dict[float, float]] = field(default_factory=dict)  # strategy -> share -> chained net return
    notes: list[str] = field(default_factory=list)
    forecasts: ForecastReport | None = field(default=None, repr=False)


def _row(result: RunResult, kind: str, capital: float, vault: VaultFees, name: str | None = None) -> Row:
    costs = result.costs
    return Row(strategy=name or result.name, kind=kind, gross=result.values,
               curve=after_vault_fees(result.values, capital, vault), fees=result.fees,
               impermanent_loss=result.impermanent_loss, gas=costs.gas, pool_fee=costs.pool_fee,
               impact=costs.impact, moves=len(result.moves), refused=result.refused, lower=result.lower,
               upper=result.upper, move_log=result.moves)


def depth_value(series: PoolSeries, row: int) -> float:
    """Value of the pool's active liquidity within +-2 % of the price at `row`, in the numéraire."""
    tick = float(series.close_tick[row])
    rng = centred(tick, DEPTH_HALF_WIDTH, 1)
    a0, a1 = unit_amounts(rng.lower, rng.upper, tick)
    return float(series.liquidity[row]) * float(series.value_at(a0, a1, tick))


def capital_for(series: PoolSeries, share: float, rows: tuple[int, int]) -> float:
    """`share` of the median +-2 % depth over `rows` (the first training window: known before any report)."""
    a, b = rows
    return share * float(np.median([depth_value(series, i) for i in range(a, b, max((b - a) // 48, 1))]))


def _best(series: PoolSeries, make: Callable[[float], object], choices, capital: float, rows: tuple[int, int],
          cadence: int, neutral: float | None = None) -> float:
    """The choice with the best final value on `rows`; among equals (e.g. every scale left the keeper out of the
    pool) the one nearest `neutral`, else the first."""
    scores = np.array([simulate(series, make(c), capital, *rows, cadence=cadence).values[-1] for c in choices])
    tied = [c for c, v in zip(choices, scores) if v >= scores.max() * (1 - 1e-12)]
    return min(tied, key=lambda c: abs(math.log(c / neutral))) if neutral else tied[0]


def run_window(series: PoolSeries, window: Window, capital: float, cadence: int, vault: VaultFees,
               lineup: Lineup = FULL_LINEUP, forecast: ForecastTrack | None = None) -> WindowResult:
    profiles = [PROFILES[p] for p in lineup.profiles]
    a, b = window.test
    best_static = _best(series, StaticRange, STATIC_WIDTHS, capital, window.train, cadence)
    scale = _best(series, lambda s: AlpKeeper(PROFILES["balanced"], width_scale=s, forecast=forecast), WIDTH_SCALES,
                  capital, window.train, cadence, neutral=1.0)

    def run(strategy, kind: str, name: str | None = None) -> Row:
        return _row(simulate(series, strategy, capital, a, b, cadence=cadence), kind, capital, vault, name)

    rows = [run(HoldAsset(), "hold"), run(HoldBasket(0.5), "hold")]
    keepers = [run(AlpKeeper(p, width_scale=scale, forecast=forecast), "alp") for p in profiles]
    # HODL: the tokens the (balanced) keeper's first position held, bought when it bought them and kept.
    balanced = next((k for k in keepers if k.strategy.endswith("(balanced)")), keepers[0] if keepers else None)
    first = next((m for m in balanced.move_log if isinstance(m.target, Range)), None) if balanced else None
    hodl_share, hodl = None, "HODL the keeper's first inventory"
    if lineup.hodl and first is not None:
        tick = series.state(first.row).tick
        u0, u1 = unit_amounts(first.target.lower, first.target.upper, tick)
        hodl_share = float(series.value_at(u0, 0.0, tick) / series.value_at(u0, u1, tick))
        rows.append(run(HoldBasket(hodl_share, name=hodl, at_row=first.row), "hold"))
    elif lineup.hodl:  # the keeper never bought tokens: its inventory stayed the vault asset
        rows.append(run(HoldAsset(name=hodl), "hold"))
    rows += [run(StaticRange(w), "static") for w in lineup.static_widths]
    rows.append(run(StaticRange(best_static), "chosen", "best static ex ante"))
    rows += [run(Recentre(w), "recentre") for w in lineup.recentre_widths]
    rows += keepers
    baskets = (0.5,) if hodl_share is None else (0.5, hodl_share)
    bound: Bound = upper_bound(series, capital, a, b, baskets=baskets, cadence=cadence)
    rows.append(Row(strategy="upper bound (perfect foresight)", kind="bound", gross=bound.values,
                    curve=after_vault_fees(bound.values, capital, vault), moves=len(bound.path)))
    return WindowResult(window, (int(series.times[a]), int(series.times[b - 1])), rows, best_static, scale,
                        bound.path, forecast)


def chained(returns: list[float]) -> float:
    return float(np.prod([1 + r for r in returns]) - 1)


def run_series(series: PoolSeries, capital_share: float = DEFAULT_CAPITAL_SHARE, capital: float | None = None,
               vault: VaultFees = VaultFees(), sweep: bool = True,
               progress: Callable[[str], None] | None = None, lineup: Lineup = FULL_LINEUP) -> SeriesReport:
    windows, cadence = plan_windows(len(series))
    if not windows:
        raise ValueError(f"{series.name}: {len(series)} hours is too short for walk-forward windows")
    if capital is None:
        capital = capital_for(series, capital_share, windows[0].train)
    else:
        capital_share = capital / capital_for(series, 1.0, windows[0].train)
    if progress:
        progress("forecasts")
    forecasts = walk_forward(series, windows, cadence)
    results = []
    for k, w in enumerate(windows):
        if progress:
            progress(f"window {k + 1}/{len(windows)}")
        results.append(run_window(series, w, capital, cadence, vault, lineup, forecasts.tracks[k]))
    report = SeriesReport(pool=series.name, numeraire=series.numeraire, capital=capital, capital_share=capital_share,
                          cadence=cadence, gas_source=series.gas_source, native_source=series.native_source,
                          windows=results, series=series, forecasts=forecasts)
    if sweep:
        report.sweep = size_sweep(series, windows, cadence, results, vault, progress)
    return report


def _run_one(args: tuple) -> SeriesReport:
    from threadpoolctl import threadpool_limits

    series, kwargs = args
    # One process per core already: the learners' OpenMP threads would only compete with the other processes.
    with threadpool_limits(1):
        return run_series(series, **kwargs)


def run_many(series: list[PoolSeries], workers: int | None = None, done: Callable[[str], None] | None = None,
             **kwargs) -> list[SeriesReport]:
    """`run_series` for each series, in parallel processes (one per core by default): series are independent,
    and the results come back in the order given."""
    import multiprocessing as mp
    import os
    from concurrent.futures import ProcessPoolExecutor

    workers = min(workers or os.cpu_count() or 1, len(series))
    if workers <= 1:
        out = []
        for s in series:
            out.append(run_series(s, **kwargs))
            if done:
                done(s.name)
        return out
    # Biggest first, so that no core is left with the longest series at the end.
    order = sorted(range(len(series)), key=lambda k: -len(series[k]))
    results: dict[int, SeriesReport] = {}
    # Spawned, not forked: a fork after the parent has run an OpenMP loop (scikit-learn's boosted trees, libgomp)
    # leaves the child waiting forever on the parent's thread pool.
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
        futures = {pool.submit(_run_one, (series[k], kwargs)): k for k in order}
        from concurrent.futures import as_completed

        for future in as_completed(futures):
            k = futures[future]
            results[k] = future.result()
            if done:
                done(series[k].name)
    return [results[k] for k in range(len(series))]


def size_sweep(series: PoolSeries, windows: list[Window], cadence: int, results: list[WindowResult],
               vault: VaultFees, progress: Callable[[str], None] | None = None) -> dict[str, dict[float, float]]:
    """Chained net return over every reporting window at each capital share: where size starts to hurt."""
    out: dict[str, dict[float, float]] = {}
    for share in SWEEP_SHARES:
        if progress:
            progress(f"size sweep {share:.1%}")
        capital = capital_for(series, share, windows[0].train)
        makers = {"static +-5%": lambda r: StaticRange(0.05), "static full range": lambda r: StaticRange(math.inf),
                  "ALP keeper (balanced)": lambda r: AlpKeeper(PROFILES["balanced"], width_scale=r.width_scale,
                                                               forecast=r.forecast)}
        for name, make in makers.items():
            returns = []
            for w, r in zip(windows, results):
                gross = simulate(series, make(r), capital, *w.test, cadence=cadence).values
                returns.append(float(after_vault_fees(gross, capital, vault)[-1] / capital - 1))
            out.setdefault(name, {})[share] = chained(returns)
    return out


def main_series(data: MarketData, pool: str | None = None) -> list[PoolSeries]:
    """Every contiguous stretch of each pool (or just `pool`), hourly: a gap longer than a day splits a series into
    segments, each run on its own and named by its dates."""
    out = []
    for name, history in data.pools.items():
        if pool and name != pool:
            continue
        segments = history.segments()
        for start, end in segments:
            window = history.window(start, end)
            if len(segments) > 1:
                window = replace(window, name=f"{name} {day(start)}→{day(end - 1)}")
            series = PoolSeries.from_history(resample(window), data.gas)
            if plan_windows(len(series))[0]:
                out.append(series)
    if pool and not out:
        if pool in data.pools:
            raise ValueError(f"pool {pool!r}: no stretch of its data is long enough for walk-forward windows")
        raise ValueError(f"no pool {pool!r} in the data: have {', '.join(data.pools)}")
    return out
