"""What a move costs: gas in the chain's native token, the pool fee on the swapped share, and the swap's price
impact by the pool's own maths over its active liquidity.

One model for every caller: the keeper's decision rule estimates a move with it from what it can see, and the
backtest engine charges the move with it at execution. Amounts are in the numéraire (the vault's asset, human
units); every function is element-wise over numpy arrays so a search over many candidate moves costs one call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keeper.univ3.swap import swap_loss, swap_output_one

GWEI = 1e-9
# Gas of each kind of move, measured on anvil against the real contracts:
# a re-range (remove the range, swap, mint the new one): `python -m bench univ3_rebalance` (500,195);
# a vault rebalance moving debt to or from one strategy: `python -m bench gas` (rebalance_1, 315,709).
RERANGE_GAS = 500_195
REBALANCE_GAS = 315_709


@dataclass(frozen=True)
class MoveContext:
    """The pool and chain as a move meets them."""

    tick: float
    liquidity: float  # active liquidity, raw
    fee_rate: float
    decimals0: int
    decimals1: int
    numeraire_is_token0: bool
    gas_price_gwei: float
    native_price: float  # numéraire per native token

    @property
    def sqrt_price(self) -> float:
        return 1.0001 ** (self.tick / 2)

    def raw_per_value(self, token0: bool) -> float:
        """Raw units of token0 (or token1) worth one unit of numéraire at this tick."""
        price = 1.0001**self.tick  # token1 raw per token0 raw
        if self.numeraire_is_token0:
            return 10**self.decimals0 * (1.0 if token0 else price)
        return 10**self.decimals1 * (1.0 / price if token0 else 1.0)


@dataclass(frozen=True)
class MoveCost:
    gas: float
    pool_fee: float
    impact: float

    @property
    def total(self) -> float:
        return self.gas + self.pool_fee + self.impact

    def __add__(self, other: MoveCost) -> MoveCost:
        return MoveCost(self.gas + other.gas, self.pool_fee + other.pool_fee, self.impact + other.impact)


NO_COST = MoveCost(0.0, 0.0, 0.0)


def gas_cost(gas_units, state: MoveContext):
    """Gas in the numéraire: units × the gas price × the native token's price."""
    return np.asarray(gas_units, dtype=float) * state.gas_price_gwei * GWEI * state.native_price


def swap_cost(swap_value, sell_token0, state: MoveContext):
    """(pool fee, impact) in the numéraire of selling `swap_value` worth of token0 (or token1) into the pool."""
    swap_value = np.asarray(swap_value, dtype=float)
    raw0, raw1 = state.raw_per_value(True), state.raw_per_value(False)
    amount_in = swap_value * np.where(sell_token0, raw0, raw1)
    fee, impact = swap_loss(amount_in, sell_token0, state.sqrt_price, state.liquidity, state.fee_rate)
    per_raw = np.where(sell_token0, 1 / raw0, 1 / raw1)
    # No liquidity to swap against: the whole amount would be lost, so it is priced as lost (and refused upstream).
    impact = np.where(state.liquidity > 0, impact * per_raw, np.where(swap_value > 0, swap_value, 0.0))
    return fee * per_raw, impact


def move_costs(wealth, share0_now, share0_target, gas_units, state: MoveContext):
    """Arrays (gas, pool fee, impact): moving `wealth` from a token0 value share of `share0_now` to
    `share0_target` swaps the difference one way, and pays `gas_units` of gas if anything moves."""
    wealth = np.asarray(wealth, dtype=float)
    delta = (np.asarray(share0_target, dtype=float) - np.asarray(share0_now, dtype=float)) * wealth
    fee, impact = swap_cost(np.abs(delta), delta < 0, state)
    return gas_cost(gas_units, state) * np.ones_like(wealth), fee, impact


def move_cost(wealth: float, share0_now: float, share0_target: float, gas_units: int, state: MoveContext) -> MoveCost:
    """`move_costs` for one move, in plain floats."""
    delta = (share0_target - share0_now) * wealth
    gas = gas_units * state.gas_price_gwei * GWEI * state.native_price
    if delta == 0:
        return MoveCost(gas, 0.0, 0.0)
    sell0 = delta < 0
    per_value = state.raw_per_value(sell0)
    amount_in = abs(delta) * per_value
    if state.liquidity <= 0:
        return MoveCost(gas, amount_in * state.fee_rate / per_value, abs(delta))
    out = swap_output_one(amount_in, sell0, state.sqrt_price, state.liquidity, state.fee_rate)
    price = state.sqrt_price * state.sqrt_price
    fee = amount_in * state.fee_rate
    impact = max(amount_in - fee - (out / price if sell0 else out * price), 0.0)
    return MoveCost(gas, fee / per_value, impact / per_value)
