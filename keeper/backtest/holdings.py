"""What a backtested vault can hold in one pool, and how each holding's value moves with the market.

A holding is entered with some wealth at the open of a row and then left alone: cash (the numéraire), a basket
of the two tokens bought at one price, or a concentrated range. `value_path` gives its value at every later
close, element-wise in numpy; the engine and the perfect-foresight bound both use it, so the bound searches
exactly the holdings the strategies can take.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from keeper.backtest.series import PoolSeries
from keeper.optimize.costs import REBALANCE_GAS, RERANGE_GAS
from keeper.policy.geometry import Range


@dataclass(frozen=True)
class Cash:
    """All in the vault's asset."""


@dataclass(frozen=True)
class Basket:
    """Both tokens, bought with a token0 value share `share0` and held."""

    share0: float


Holding = Cash | Basket | Range
CASH = Cash()


def unit_amounts(lower: float, upper: float, tick):
    """Raw token amounts of one unit of liquidity over [lower, upper) at `tick` (element-wise)."""
    if isinstance(lower, (int, float)) and isinstance(upper, (int, float)) and isinstance(tick, (int, float)):
        sa, sb = math.sqrt(1.0001**lower), math.sqrt(1.0001**upper)  # one position: plain floats are faster
        s = min(max(math.sqrt(1.0001**tick), sa), sb)
        return 1 / s - 1 / sb, s - sa
    sa, sb = 1.0001 ** (lower / 2), 1.0001 ** (upper / 2)
    s = np.clip(1.0001 ** (np.asarray(tick, dtype=float) / 2), sa, sb)
    return 1 / s - 1 / sb, s - sa


def share0(series: PoolSeries, holding: Holding, tick: float) -> float:
    """The token0 share of a newly entered holding's value at `tick`."""
    if isinstance(holding, Cash):
        return 1.0 if series.numeraire_is_token0 else 0.0
    if isinstance(holding, Basket):
        return holding.share0
    a0, a1 = unit_amounts(holding.lower, holding.upper, tick)
    return series.value(a0, 0.0, tick) / series.value(a0, a1, tick)


def gas_units(old: Holding, new: Holding) -> int:
    """A move touching a range is a re-range (or a range entered or left); between cash and a basket, a swap
    through the vault."""
    return RERANGE_GAS if isinstance(old, Range) or isinstance(new, Range) else REBALANCE_GAS


def in_range_fraction(low, high, lower: float, upper: float):
    """Share of each row's price span [low, high] inside [lower, upper) (a row that did not move: 1 or 0)."""
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    span = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        moved = np.clip(np.minimum(high, upper) - np.maximum(low, lower), 0.0, None) / span
    still = ((lower <= low) & (low < upper)).astype(float)
    return np.where(span > 0, moved, still)


def fee_value_per_share(series: PoolSeries, rows: slice):
    """Each row's LP fees in the numéraire at its close, as if converted by a swap through the pool (the
    non-numéraire token pays the pool fee)."""
    close = series.close_tick[rows]
    keep = 1.0 if series.costless else 1 - series.fee_rate
    f0 = series.fees0[rows] * (1.0 if series.numeraire_is_token0 else keep)
    f1 = series.fees1[rows] * (keep if series.numeraire_is_token0 else 1.0)
    return series.value_at(f0, f1, close)


@dataclass
class Path:
    values: np.ndarray  # value at each close from the entry row on
    fees: np.ndarray  # cumulative fees earned over the same rows (0 for cash and baskets)
    amounts: tuple[float, float] = (0.0, 0.0)  # raw tokens held at entry (for IL and token shares)
    liquidity: float = 0.0


def value_path(series: PoolSeries, holding: Holding, wealth: float, entry: int, end: int, entry_tick: float,
               own_liquidity_dilutes: bool = True) -> Path:
    """The holding entered with `wealth` at the open of row `entry` (price `entry_tick`), valued at each close of
    rows entry..end-1. A range earns its share L / (L_pool + L) of each row's fees for the part of the row's price
    span inside it; `own_liquidity_dilutes=False` drops its own L from the denominator (only ever more fees: the
    perfect-foresight bound uses it to stay linear in wealth)."""
    rows = slice(entry, end)
    n = end - entry
    if isinstance(holding, Cash):
        return Path(np.full(n, wealth), np.zeros(n))
    close = series.close_tick[rows]
    price = 1.0001**entry_tick
    if isinstance(holding, Basket):
        raw0 = 10**series.decimals0 if series.numeraire_is_token0 else 10**series.decimals1 / price
        raw1 = raw0 * price
        a0, a1 = wealth * holding.share0 * raw0, wealth * (1 - holding.share0) * raw1
        return Path(series.value_at(a0, a1, close), np.zeros(n), (a0, a1))
    values, fees, liquidity, amount0, amount1 = range_paths(
        series, np.array([holding.lower]), np.array([holding.upper]), wealth, entry, end, entry_tick,
        own_liquidity_dilutes)
    return Path(values[0], fees[0], (float(amount0[0]), float(amount1[0])), float(liquidity[0]))


def range_paths(series: PoolSeries, lowers: np.ndarray, uppers: np.ndarray, wealth: float, entry: int, end: int,
                entry_tick: float, own_liquidity_dilutes: bool = True):
    """`value_path` for several ranges at once: (values, cumulative fees) as (ranges x rows) arrays, and each
    range's liquidity and entry amounts."""
    rows = slice(entry, end)
    lowers, uppers = lowers[:, None].astype(float), uppers[:, None].astype(float)
    u0, u1 = unit_amounts(lowers, uppers, entry_tick)
    liquidity = wealth / series.value_at(u0, u1, entry_tick)
    close = series.close_tick[rows][None, :]
    c0, c1 = unit_amounts(lowers, uppers, close)
    position = liquidity * series.value_at(c0, c1, close)
    pool = series.liquidity[rows][None, :]
    # Without its own L the share is L / L_pool: never below L / (L_pool + L), even where L_pool is 0.
    share = liquidity / (pool + liquidity) if own_liquidity_dilutes else liquidity / np.maximum(pool, 1e-300)
    inside = in_range_fraction(series.low_tick[rows][None, :], series.high_tick[rows][None, :], lowers, uppers)
    fees = np.cumsum(share * inside * fee_value_per_share(series, rows)[None, :], axis=1)
    return position + fees, fees, liquidity[:, 0], (liquidity * u0)[:, 0], (liquidity * u1)[:, 0]


def share0_of_path(series: PoolSeries, holding: Holding, path: Path, offset: int, tick: float) -> float:
    """Token0 share of a holding's value `offset` rows after its entry, at `tick` (fees count as numéraire)."""
    total = float(path.values[offset])
    if total <= 0:
        return share0(series, CASH, tick)
    if isinstance(holding, Cash):
        return share0(series, CASH, tick)
    if isinstance(holding, Basket):
        a0 = path.amounts[0]
    else:
        a0 = path.liquidity * unit_amounts(holding.lower, holding.upper, tick)[0]
    token0 = series.value(a0, 0.0, tick)
    fees = float(path.fees[offset])
    if series.numeraire_is_token0:
        token0 += fees
    return min(max(token0 / total, 0.0), 1.0)
