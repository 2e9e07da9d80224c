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

from dataclasses import dataclass

import numpy as np

from keeper.backtest.engine import DECISION_HOURS
from keeper.backtest.holdings import CASH, Basket, Holding, range_paths, unit_amounts, value_path
from keeper.backtest.policies import centred, label
from keeper.backtest.series import PoolSeries
from keeper.optimize.costs import REBALANCE_GAS, RERANGE_GAS, move_costs
from keeper.optimize.ranges import CANDIDATE_HALF_WIDTHS


@dataclass
class Bound:
    values: np.ndarray  # the best path's gross value at each close of the run's rows
    final: float
    path: list[tuple[int, str]]  # (row, holding entered) along the best path


def upper_bound(series: PoolSeries, capital: float, start: int, end: int, baskets: tuple[float, ...] = (0.5,),
                widths: tuple[float, ...] = CANDIDATE_HALF_WIDTHS, cadence: int = DECISION_HOURS) -> Bound:
    rows = list(range(start, end, cadence))
    n = end - start
    num0 = 1.0 if series.numeraire_is_token0 else 0.0
    fixed: list[Holding] = [CASH] + [Basket(b) for b in baskets]
    k_fixed, k_targets = len(fixed), len(fixed) + len(widths)
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
    target_kind = np.array([0] + [1] * len(baskets) + [2] * len(widths), dtype=np.int8)
    target_basket = np.array([np.nan] + list(baskets) + [np.nan] * len(widths))
    target_width = np.array([np.nan] * k_fixed + list(widths))  # the grid width each range target was drawn with
    width = np.full(size, np.nan)
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
        ranges = [centred(tick, w, series.spacing) for w in widths]
        t_lower = np.array([0.0] * k_fixed + [r.lower for r in ranges])
        t_upper = np.array([1.0] * k_fixed + [r.upper for r in ranges])
        a0, a1 = unit_amounts(t_lower[k_fixed:], t_upper[k_fixed:], tick)
        target0 = np.concatenate([[num0], baskets, series.value_at(a0, 0.0, tick) / series.value_at(a0, a1, tick)])
        gas_units = np.where((kind[alive] == 2)[:, None] | (target_kind == 2)[None, :], RERANGE_GAS, REBALANCE_GAS)
        w = value[:, None]
        gas, fee, impact = move_costs(w, token0[:, None], target0[None, :], gas_units, state)
        cost = gas + fee + impact
        after = np.where(cost < w, w - cost, -np.inf)
        # Staying is the state itself, not a move.
        k_alive = kind[alive][:, None]
        same = (k_alive == target_kind[None, :]) & (
            (k_alive == 0)
            | ((k_alive == 1) & (basket[alive][:, None] == target_basket[None, :]))
            | ((k_alive == 2) & (lower[alive][:, None] == t_lower[None, :]) & (upper[alive][:, None] == t_upper[None, :])))
        after[same] = -np.inf
        pick = np.argmax(after, axis=0)
        arrived = after[pick, np.arange(k_targets)]
        reached = np.nonzero(np.isfinite(arrived))[0]
        if len(reached) == 0:
            continue
        new = np.arange(count, count + len(reached))
        count += len(reached)
        best[new], parent[new], entry[new] = arrived[reached], pick[reached], i
        kind[new], lower[new], upper[new], basket[new] = target_kind[reached], t_lower[reached], t_upper[reached], \
            target_basket[reached]
        width[new] = target_width[reached]
        span = slice(i - start, n)
        is_range = reached >= k_fixed
        if is_range.any():
            r = reached[is_range] - k_fixed
            r_values, r_fees, r_liq, _, _ = range_paths(series, t_lower[k_fixed:][r], t_upper[k_fixed:][r], 1.0, i,
                                                        end, tick, own_liquidity_dilutes=False)
            unit[new[is_range], span], fees[new[is_range], span], liq[new[is_range]] = r_values, r_fees, r_liq
        for s, k in zip(new[~is_range], reached[~is_range]):
            path = value_path(series, fixed[k], 1.0, i, end, tick)
            unit[s, span] = path.values
            amount0[s] = path.amounts[0]
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
                 path=[(int(entry[s]), _label(kind[s], basket[s], width[s])) for s in chain[1:]])


def _label(kind: int, share0: float, half_width: float) -> str:
    if kind == 0:
        return "cash"
    if kind == 1:
        return f"basket {share0:.0%} token0"
    return f"range {label(half_width)} (centred then)"
