"""Simulates one range policy on one pool, hour by hour, with exact concentrated-liquidity maths.

Each step i: the policy sees `PastView(series, i)` (rows < i and the opening price) and may move the range; moving
costs gas and the swap needed to reach the new range's token mix (pool fee plus price impact against depth). Then
the hour trades: the position earns its share L / (L_pool + L) of the hour's recorded fees, for the part of the
hour's price span [low, high] that lies inside its range. Fees are harvested into the numéraire as earned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from keeper.backtest.series import PastView, PoolSeries

WETH_SYMBOLS = {"WETH", "ETH"}


@dataclass(frozen=True)
class Costs:
    gas_units_per_move: int = 450_000  # a keeper re-range, measured: `python -m bench univ3_rebalance` (448,129)
    gas_price_gwei: float | np.ndarray = 20.0  # a fixed price, or one per step
    eth_price: float = 2_000.0  # numéraire per ETH when the pool itself does not price ETH
    management_fee: float = 0.01  # the vault's, per year
    performance_fee: float = 0.10  # the vault's, on profit above the high-water mark


class RangePolicy(Protocol):
    name: str

    def decide(self, view: PastView, current: tuple[float, float] | None) -> tuple[float, float] | None | str:
        """A new (lower, upper) tick range, None to keep the current one, or "exit" to hold no position."""


@dataclass
class RunResult:
    name: str
    values: np.ndarray
    fees: float = 0.0
    gas: float = 0.0
    swap_costs: float = 0.0
    rebalances: int = 0
    hold_final: float = 0.0
    lower: np.ndarray = field(default_factory=lambda: np.zeros(0))
    upper: np.ndarray = field(default_factory=lambda: np.zeros(0))
    vault_fees: bool = True

    @property
    def impermanent_loss(self) -> float:
        """End value against holding the first position's tokens, fees and costs set aside (re-centring losses
        included)."""
        if self.hold_final == 0:
            return 0.0
        return float(self.values[-1] - self.fees + self.gas + self.swap_costs - self.hold_final)


def _amounts(liquidity: float, lower: float, upper: float, tick: float) -> tuple[float, float]:
    """Raw token amounts of a position (float maths; tests check it against the exact integer version)."""
    sa, sb = 1.0001 ** (lower / 2), 1.0001 ** (upper / 2)
    s = min(max(1.0001 ** (tick / 2), sa), sb)
    return liquidity * (1 / s - 1 / sb), liquidity * (s - sa)


def _in_range_fraction(low: float, high: float, lower: float, upper: float) -> float:
    if high <= low:
        return 1.0 if lower <= low < upper else 0.0
    overlap = min(high, upper) - max(low, lower)
    return max(overlap, 0.0) / (high - low)


def _eth_price(series: PoolSeries, tick: float, costs: Costs) -> float:
    numeraire = series.symbols[0] if series.numeraire_is_token0 else series.symbols[1]
    if numeraire in WETH_SYMBOLS:
        return 1.0
    if WETH_SYMBOLS & set(series.symbols):
        other = 0 if series.symbols[0] in WETH_SYMBOLS else 1
        amounts = (10 ** series.decimals0, 0.0) if other == 0 else (0.0, 10 ** series.decimals1)
        return series.value(*amounts, tick)
    return costs.eth_price


def _swap_cost(series: PoolSeries, swapped_value: float, tick: float, liquidity: float) -> float:
    """Pool fee plus price impact of swapping `swapped_value` through the pool's active liquidity."""
    if swapped_value <= 0:
        return 0.0
    depth = series.value(*_amounts(liquidity, tick - 200, tick + 200, tick), tick)  # value within +-2 %
    impact = min(swapped_value / max(2 * depth, 1e-9), 0.5) * 0.02
    return swapped_value * (series.fee_rate + impact)


def simulate(series: PoolSeries, policy: RangePolicy, capital: float, costs: Costs = Costs()) -> RunResult:
    n = len(series)
    values = np.empty(n)
    lowers, uppers = np.full(n, np.nan), np.full(n, np.nan)
    cash, liquidity, rng = capital, 0.0, None
    fees = gas = swaps = 0.0
    moves = 0
    hold: tuple[float, float] | None = None
    gas_prices = np.broadcast_to(np.asarray(costs.gas_price_gwei, dtype=float), (n,))
    for i in range(n):
        view = PastView(series, i)
        tick = view.tick
        decision = policy.decide(view, rng)
        if decision is not None:
            position_value = series.value(*_amounts(liquidity, *rng, tick), tick) if rng and liquidity else 0.0
            wealth = cash + position_value
            gas_cost = costs.gas_units_per_move * gas_prices[i] * 1e-9 * _eth_price(series, tick, costs)
            if decision == "exit":
                target0_share, new_rng = (1.0 if series.numeraire_is_token0 else 0.0), None
            else:
                a0, a1 = _amounts(1.0, *decision, tick)
                unit = series.value(a0, a1, tick)
                target0_share, new_rng = series.value(a0, 0.0, tick) / unit, decision
            held0 = (series.value(_amounts(liquidity, *rng, tick)[0], 0.0, tick) if rng and liquidity else 0.0)
            held0 += cash if series.numeraire_is_token0 else 0.0
            swapped = abs(target0_share * wealth - held0)
            swap_cost = _swap_cost(series, swapped, tick, float(series.liquidity[max(i - 1, 0)]))
            wealth -= gas_cost + swap_cost
            gas += gas_cost
            swaps += swap_cost
            moves += 1
            if new_rng is None:
                cash, liquidity, rng = wealth, 0.0, None
            else:
                a0, a1 = _amounts(1.0, *new_rng, tick)
                liquidity = wealth / series.value(a0, a1, tick)
                cash, rng = 0.0, new_rng
                if hold is None:
                    hold = _amounts(liquidity, *new_rng, tick)
        close = float(series.close_tick[i])
        if rng and liquidity:
            share = liquidity / (float(series.liquidity[i]) + liquidity)
            inside = _in_range_fraction(float(series.low_tick[i]), float(series.high_tick[i]), *rng)
            fees += series.value(share * inside * series.fees0[i], share * inside * series.fees1[i], close)
            lowers[i], uppers[i] = rng
        position_value = series.value(*_amounts(liquidity, *rng, close), close) if rng and liquidity else 0.0
        values[i] = cash + position_value + fees
    hold_final = series.value(*hold, float(series.close_tick[-1])) + (capital - _first_wealth(hold, series)) if hold else 0.0
    return RunResult(name=policy.name, values=values, fees=fees, gas=gas, swap_costs=swaps,
                     rebalances=max(moves - 1, 0), hold_final=hold_final, lower=lowers, upper=uppers)


def _first_wealth(hold: tuple[float, float], series: PoolSeries) -> float:
    # The held amounts were bought with the capital minus the first move's costs: compare like with like.
    return series.value(*hold, float(series.open_tick[0]))


def hold_fifty_fifty(series: PoolSeries, capital: float) -> RunResult:
    """Half the capital in each token from the first price, never traded again (no vault, no fees)."""
    tick0 = float(series.open_tick[0])
    half = capital / 2
    other_raw = series.raw_of_numeraire(half, tick0)  # raw token1 worth `half`
    if series.numeraire_is_token0:
        values = half + np.array([series.value(0.0, other_raw, float(t)) for t in series.close_tick])
    else:
        amount0 = other_raw / 1.0001**tick0
        values = half + np.array([series.value(amount0, 0.0, float(t)) for t in series.close_tick])
    return RunResult(name="hold 50/50", values=values, vault_fees=False)


def hold_asset(series: PoolSeries, capital: float) -> RunResult:
    return RunResult(name="hold 100 % asset", values=np.full(len(series), capital), vault_fees=False)


def after_vault_fees(result: RunResult, capital: float, costs: Costs, step_hours: float = 1.0) -> np.ndarray:
    """The equity curve a depositor sees: management fee accrued each step, performance fee over the high-water
    mark taken at each step's new high (fees minted as shares dilute exactly this way)."""
    if not result.vault_fees:
        return result.values
    out = np.empty_like(result.values)
    keep = 1.0
    high = capital
    per_step = costs.management_fee * step_hours / (24 * 365)
    for i, v in enumerate(result.values):
        keep *= 1 - per_step
        gross = v * keep
        if gross > high:
            keep *= 1 - costs.performance_fee * (gross - high) / gross
            high = v * keep
        out[i] = v * keep
    return out


# Below this span an annualised figure is noise blown up (2 days of +7 % is "1,240 % APR"): only the period return.
MIN_ANNUALISED_DAYS = 30


def metrics(values: np.ndarray, capital: float, step_hours: float = 1.0) -> dict[str, float | None]:
    returns = np.diff(np.concatenate([[capital], values])) / np.concatenate([[capital], values[:-1]])
    peak = np.maximum.accumulate(np.concatenate([[capital], values]))
    drawdown = float(np.max(1 - np.concatenate([[capital], values]) / peak))
    per_year = 24 * 365 / step_hours
    std = float(np.std(returns))
    net = float(values[-1] / capital - 1)
    return {
        "net_return": net,
        "apr": net * per_year / len(values) if len(values) * step_hours >= MIN_ANNUALISED_DAYS * 24 else None,
        "max_drawdown": drawdown,
        # A curve that barely moves (cash paying a tiny fee) has no meaningful Sharpe: report 0, not 10^12.
        "sharpe": float(np.mean(returns) / std * math.sqrt(per_year)) if std > 1e-9 else 0.0,
    }
