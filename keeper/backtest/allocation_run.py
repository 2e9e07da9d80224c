"""Allocation across several sources at once: Uniswap V3 pools (each run by the ALP range policy) and lending
markets, valued in USD, over the window where every source has data.

Each source becomes an hourly return series per unit of capital; an allocation policy chooses weights at decision
times from the past only, and pays for every change (swap fee on the moved share plus gas per leg). The hindsight
bound puts everything, each hour, in the source that did best that hour: the physical limit of the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from keeper.backtest.engine import Costs, simulate
from keeper.backtest.policies import AlpKeeper
from keeper.backtest.runner import PoolReport, Row, _move_cost_fraction, _spacing, capital_in_numeraire
from keeper.backtest.series import STABLE, PoolSeries
from keeper.market.history import HOUR, MarketData, resample, resample_rate
from keeper.optimize.allocation import Opportunity, allocate
from keeper.optimize.ranges import HORIZON_YEARS
from keeper.risk.profiles import PROFILES, RiskProfile
from keeper.risk.reputation import reputation

DECISION_EVERY = 6  # hours
LOOKBACK = 24  # hours of realised returns behind each estimate
SWITCH_FEE = 0.0005  # swapping the moved share through a 0.05 % pool
GAS_PER_LEG = 250_000  # a vault rebalance touching one strategy, measured: `python -m bench gas` (rebalance_1)


@dataclass
class Source:
    name: str
    returns: np.ndarray  # per-hour, USD
    tokens: list[str]
    protocol: str


def _usd_per_weth(pool: PoolSeries, times: np.ndarray) -> np.ndarray:
    index = np.clip(np.searchsorted(pool.times, times, side="right") - 1, 0, len(pool) - 1)
    return np.array([pool.value(0.0, 10**pool.decimals1, float(pool.close_tick[i])) for i in index]) \
        if pool.symbols == ("USDC", "WETH") else np.array([pool.value(10**pool.decimals0, 0.0, float(pool.close_tick[i]))
                                                           for i in index])


def sources(data: MarketData, costs: Costs) -> tuple[np.ndarray, list[Source]]:
    """Aligned hourly returns of every source over the common window, in USD."""
    # The window the sources share: pools have several stretches; take the one holding the lending markets' end
    # (without lending, the pools' earliest end). A pool with no stretch there (other years) is left out.
    lending_ends = [int(r.timestamps[-1]) for r in data.lending.values()]
    anchor = min(lending_ends or [max(e for _, e in h.segments()) for h in data.pools.values()])
    pools = {}
    for name, history in data.pools.items():
        stretch = [seg for seg in history.segments() if seg[0] <= anchor < seg[1] + HOUR]
        if stretch:
            pools[name] = (history, *stretch[0])
    starts = [s for _, s, _ in pools.values()] + [int(r.timestamps[0]) for r in data.lending.values()]
    ends = [e for _, _, e in pools.values()] + [int(r.timestamps[-1]) for r in data.lending.values()]
    start, end = -(-max(starts) // HOUR) * HOUR, min(ends) // HOUR * HOUR
    if end - start < 2 * LOOKBACK * HOUR:
        raise ValueError("the sources overlap for less than two days: nothing to allocate across")
    times = np.arange(start, end, HOUR, dtype=np.int64)
    series = {name: PoolSeries.from_history(resample(h.window(start, end))) for name, (h, _, _) in pools.items()}
    usd_weth = next((_usd_per_weth(s, times) for s in series.values() if set(s.symbols) == {"USDC", "WETH"}), None)
    out: list[Source] = []
    for name, s in series.items():
        s = s.window(start, end)
        capital = capital_in_numeraire(s, 1_000_000, costs)
        keeper = AlpKeeper(PROFILES["balanced"], gas_cost_fraction=_move_cost_fraction(s, capital, costs),
                           spacing=_spacing(s))
        values = simulate(s, keeper, capital, costs).values
        returns = np.diff(np.concatenate([[capital], values])) / np.concatenate([[capital], values[:-1]])
        numeraire = s.symbols[0] if s.numeraire_is_token0 else s.symbols[1]
        if numeraire not in STABLE and usd_weth is not None:
            returns = (1 + returns) * np.r_[1.0, usd_weth[1:] / usd_weth[:-1]] - 1
        out.append(Source(f"Uniswap {name}", returns[: len(times)], list(s.symbols), "uniswap-v3"))
    for name, rate in data.lending.items():
        apr = resample_rate(rate, times)
        returns = apr / (24 * 365)
        asset = name.split("-")[-1].upper()
        if asset == "WETH" and usd_weth is not None:
            returns = (1 + returns) * np.r_[1.0, usd_weth[1:] / usd_weth[:-1]] - 1
        out.append(Source(f"Aave {name}", returns, [asset], "aave-v3"))
    return times, out


def _run(weights_at: callable, matrix: np.ndarray, capital: float, gas_usd: float,
         switch_fee: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, int]:
    n, k = matrix.shape
    value, w = capital, np.zeros(k)
    values, history, paid, moves = np.empty(n), np.zeros((n, k)), 0.0, 0
    for i in range(n):
        target = weights_at(i, w)
        if target is not None:
            moved = np.abs(target - w)
            cost = value * float(switch_fee @ moved) + gas_usd * int(np.count_nonzero(moved > 1e-6))
            if moved.sum() > 1e-6:
                value -= cost
                paid += cost
                moves += 1
            w = target
        value *= 1 + float(w @ matrix[i])
        # Weights drift with returns until the next decision.
        grown = w * (1 + matrix[i])
        w = grown / max(grown.sum() + (1 - w.sum()), 1e-12)
        values[i], history[i] = value, w
    return values, history, paid, moves


def run_allocation(data: MarketData, costs: Costs, capital: float = 1_000_000) -> PoolReport:
    from keeper.backtest.engine import metrics

    times, srcs = sources(data, costs)
    matrix = np.column_stack([s.returns for s in srcs])
    k = len(srcs)
    gas_usd = GAS_PER_LEG * float(np.mean(costs.gas_price_gwei)) * 1e-9 * costs.eth_price
    # Only sources holding a volatile token need a swap to enter or leave; a stablecoin deposit pays gas alone.
    switch_fee = np.array([0.0 if set(s.tokens) <= STABLE else SWITCH_FEE for s in srcs])
    rows: list[Row] = []
    weights_by_row: dict[str, np.ndarray] = {}

    def add(name: str, kind: str, weights_at) -> None:
        values, history, paid, moves = _run(weights_at, matrix, capital, gas_usd, switch_fee)
        m = metrics(values, capital)
        rows.append(Row(strategy=name, kind=kind, fees=0.0, impermanent_loss=0.0, gas=paid, swap_costs=0.0,
                        rebalances=max(moves - 1, 0), curve=values, **m))
        weights_by_row[name] = history

    add("hold 100 % USDC", "baseline", lambda i, w: None)
    add("static equal weight", "baseline", lambda i, w: np.full(k, 1 / k) if i == 0 else None)
    for j, s in enumerate(srcs):
        add(f"static 100 % {s.name}", "baseline", lambda i, w, j=j: np.eye(k)[j] if i == 0 else None)

    def keeper(profile: RiskProfile):
        scores = np.array([reputation(s.tokens, s.protocol) for s in srcs])

        def decide(i: int, w: np.ndarray):
            if i < LOOKBACK or i % DECISION_EVERY:
                return None
            past = matrix[i - LOOKBACK:i]  # rows strictly before i
            mean = past.mean(axis=0) * 24 * 365
            vol = past.std(axis=0) * math.sqrt(24 * 365)
            expected = mean - profile.il_aversion * vol**2 / 2
            ops = [Opportunity(name=s.name, expected_return=float(expected[j]),
                               cap=profile.max_weight if scores[j] >= profile.min_reputation else 0.0,
                               current=float(min(w[j], 1.0)))
                   for j, s in enumerate(srcs)]
            result = allocate(ops, min_idle=0.02, max_turnover=0.5)
            target = np.array([result.weights[s.name] for s in srcs])
            # A move is held for about the optimizer's horizon: it must pay for itself over that, with a margin.
            gain = float(expected @ target - expected @ w) * HORIZON_YEARS
            moved = np.abs(target - w)
            cost = float(switch_fee @ moved) + gas_usd / capital * int(np.count_nonzero(moved > 1e-6))
            return target if gain > 2 * cost else None
        return decide

    for prof in PROFILES.values():
        add(f"ALP keeper ({prof.name.value})", "alp", keeper(prof))
    # Hindsight: all-in on each hour's best source (switching costs charged): no policy can beat it on this data.
    best = np.argmax(matrix, axis=1)
    add("hindsight-optimal (best source each hour)", "hindsight", lambda i, w: np.eye(k)[best[i]])
    report = PoolReport(pool="multi-source " + "/".join(s.name for s in srcs), capital=capital, numeraire="USD",
                        in_sample=(int(times[0]), int(times[0])), held_out=(int(times[0]), int(times[-1])),
                        width_scale=1.0, rows=rows, times=times, price=np.ones(len(times)))
    report.weights = {row: weights_by_row[row] for row in weights_by_row}
    report.source_names = [s.name for s in srcs]
    return report
