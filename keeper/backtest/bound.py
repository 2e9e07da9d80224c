"""The true upper bound: the best path over the strategies' own action space, found with perfect foresight.

At every decision row (the engine's grid) a path may keep what it holds or move everything into cash, one of the
given baskets, or a range of any grid half-width centred on that row's price; each move is charged by the same
cost model as the engine's. Dynamic programming over (holding, row entered): every holding's value is linear in
the wealth it was entered with, and every move's result increases with the wealth moved, so the largest wealth
per state is all a later decision needs and the search is exact. The one simplification raises the bound: a
range's fee share here leaves its own liquidity out of the pool's (L / L_pool rather than L / (L_pool + L)).
Every strategy on the same grid is therefore at or below it; `tests/keeper/test_walk_forward.py` checks that on
every window of the shipped data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from keeper.backtest.engine import DECISION_HOURS
from keeper.backtest.holdings import CASH, Basket, Cash, Holding, Range, range_paths, unit_amounts, value_path
from keeper.backtest.policies import centred, label
from keeper.backtest.series import PoolSeries
from keeper.optimize.costs import REBALANCE_GAS, RERANGE_GAS, move_costs
from keeper.optimize.ranges import CANDIDATE_HALF_WIDTHS


@dataclass
class Bound:
    values: np.ndarray  # the best path's gross value at each close of the run's rows
    final: float
    path: list[tuple[int, str]]  # (row, holding entered) along the best path


def _kind(h: Holding) -> str:
    if isinstance(h, Cash):
        return "cash"
    if isinstance(h, Basket):
        return f"basket {h.share0:.0%} token0"
    return f"range {label(math.exp((h.upper - h.lower) / 2 * math.log(1.0001)) - 1)}"


def _target_share0(series: PoolSeries, h: Holding, tick: float) -> float:
    if isinstance(h, Cash):
        return 1.0 if series.numeraire_is_token0 else 0.0
    if isinstance(h, Basket):
        return h.share0
    a0, a1 = unit_amounts(h.lower, h.upper, tick)
    return float(series.value_at(a0, 0.0, tick) / series.value_at(a0, a1, tick))


def upper_bound(series: PoolSeries, capital: float, start: int, end: int, baskets: tuple[float, ...] = (0.5,),
                widths: tuple[float, ...] = CANDIDATE_HALF_WIDTHS, cadence: int = DECISION_HOURS) -> Bound:
    rows = list(range(start, end, cadence))
    n = end - start
    num0 = 1.0 if series.numeraire_is_token0 else 0.0
    k_targets = 1 + len(baskets) + len(widths)
    size = 1 + k_targets * len(rows)
    # Per state, per unit of wealth entered: value and cumulative fees at each close of the run (0 before entry).
    unit = np.zeros((size, n))
    fees = np.zeros((size, n))
    kind = np.zeros(size, dtype=np.int8)  # 0 cash, 1 basket, 2 range
    lower, upper = np.zeros(size), np.ones(size)
    liq, amount0, basket = np.zeros(size), np.zeros(size), np.full(size, np.nan)
    best = np.zeros(size)
    parent = np.full(size, -1)
    entry = np.zeros(size, dtype=np.int64)
    holdings: list[Holding] = [CASH]
    unit[0] = 1.0
    best[0] = capital
    entry[0] = start
    count = 1
    for i in rows:
        state = series.state(i)
        tick = state.tick
        alive = slice(0, count)
        if i == start:
            value = best[alive].copy()
            token0 = np.full(count, num0)
        else:
            col = i - 1 - start
            total = unit[alive, col]
            value = best[alive] * total
            a0_range = liq[alive] * unit_amounts(lower[alive], upper[alive], tick)[0]
            t0 = np.where(kind[alive] == 1, amount0[alive], np.where(kind[alive] == 2, a0_range, 0.0))
            t0 = series.value_at(t0, 0.0, tick) + fees[alive, col] * num0
            with np.errstate(divide="ignore", invalid="ignore"):
                token0 = np.where(kind[alive] == 0, num0, np.clip(t0 / total, 0.0, 1.0))
            token0 = np.where(np.isfinite(token0), token0, num0)
        targets: list[Holding] = [CASH] + [Basket(b) for b in baskets] + [centred(tick, w, series.spacing) for w in widths]
        target0 = np.array([_target_share0(series, h, tick) for h in targets])
        to_range = np.array([isinstance(h, Range) for h in targets])
        gas_units = np.where((kind[alive] == 2)[:, None] | to_range[None, :], RERANGE_GAS, REBALANCE_GAS)
        w = value[:, None]
        gas, fee, impact = move_costs(w, token0[:, None], target0[None, :], gas_units, state)
        cost = gas + fee + impact
        after = np.where(cost < w, w - cost, -np.inf)
        for k, h in enumerate(targets):  # staying is the state itself, not a move
            if isinstance(h, Cash):
                same = kind[alive] == 0
            elif isinstance(h, Basket):
                same = (kind[alive] == 1) & (basket[alive] == h.share0)
            else:
                same = (kind[alive] == 2) & (lower[alive] == h.lower) & (upper[alive] == h.upper)
            after[same, k] = -np.inf
        pick = np.argmax(after, axis=0)
        ranges = [k for k, h in enumerate(targets) if isinstance(h, Range)]
        if ranges:
            r_values, r_fees, r_liq, r_amount0, _ = range_paths(
                series, np.array([targets[k].lower for k in ranges]), np.array([targets[k].upper for k in ranges]),
                1.0, i, end, tick, own_liquidity_dilutes=False)
        for k, h in enumerate(targets):
            arrived = float(after[pick[k], k])
            if not np.isfinite(arrived):
                continue
            s = count
            count += 1
            holdings.append(h)
            if isinstance(h, Range):
                j = ranges.index(k)
                unit[s, i - start:], fees[s, i - start:] = r_values[j], r_fees[j]
                kind[s], lower[s], upper[s], liq[s] = 2, h.lower, h.upper, r_liq[j]
            else:
                path = value_path(series, h, 1.0, i, end, tick)
                unit[s, i - start:] = path.values
                if isinstance(h, Basket):
                    kind[s], basket[s], amount0[s] = 1, h.share0, path.amounts[0]
            best[s], parent[s], entry[s] = arrived, pick[k], i
    finals = best[:count] * unit[:count, n - 1]
    winner = int(np.argmax(finals))
    chain, s = [], winner
    while s >= 0:
        chain.append(s)
        s = int(parent[s])
    chain.reverse()
    values = np.empty(n)
    for a, b in zip(chain, chain[1:] + [None]):
        lo = int(entry[a]) - start
        hi = int(entry[b]) - start if b is not None else n
        values[lo:hi] = best[a] * unit[a, lo:hi]
    return Bound(values=values, final=float(finals[winner]),
                 path=[(int(entry[s]), _kind(holdings[s])) for s in chain[1:]])
