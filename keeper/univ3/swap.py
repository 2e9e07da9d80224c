"""A swap's output by the pool's own formulas, over a stretch of constant active liquidity.

Inside one initialised-tick interval a Uniswap V3 pool is x·y = L² in virtual reserves: the input, less the fee,
moves sqrt(P) by amount1 / L (token1 in) or 1/sqrt(P) by amount0 / L (token0 in), and the output is the other
reserve's change. These are the formulas `SwapMath.computeSwapStep` evaluates in fixed point; here in floats, and
element-wise over numpy arrays, so a backtest can price thousands of candidate swaps at once. Where the minute
history gives only the active liquidity, the liquidity beyond the current interval is taken to be the same
(tests/univ3/test_swap_maths.py compares the result with the real pool on anvil).
"""

from __future__ import annotations

import math

import numpy as np


def swap_output_one(amount_in: float, zero_for_one: bool, sqrt_price: float, liquidity: float,
                    fee_rate: float) -> float:
    """`swap_output` for one swap, in plain floats (a decision prices one move; numpy's per-call cost would
    dominate). tests/univ3/test_swap_maths.py checks the two agree."""
    if liquidity <= 0 or amount_in <= 0:
        return 0.0
    net = amount_in * (1.0 - fee_rate)
    if math.isinf(liquidity):  # infinitely deep: the price does not move
        price = sqrt_price * sqrt_price
        return net * price if zero_for_one else net / price
    # The differences of prices below, rearranged so that a small swap does not cancel to nothing in floats.
    if zero_for_one:
        return net * sqrt_price * sqrt_price * liquidity / (liquidity + net * sqrt_price)
    return net / (sqrt_price * (sqrt_price + net / liquidity))


def swap_output(amount_in, zero_for_one, sqrt_price, liquidity, fee_rate):
    """Raw output of swapping `amount_in` raw units of token0 (zero_for_one) or token1 into the pool.

    sqrt_price is sqrt(token1 raw per token0 raw). No liquidity means no output.
    """
    amount_in = np.asarray(amount_in, dtype=float)
    net = amount_in * (1.0 - fee_rate)
    liquidity = np.asarray(liquidity, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # token0 in: 1/sqrt(P) rises by net / L, so sqrt(P') = L sqrt(P) / (L + net sqrt(P)) and the output
        # L (sqrt(P) - sqrt(P')) is, without the cancelling difference, net P L / (L + net sqrt(P)).
        out0 = net * sqrt_price * sqrt_price * liquidity / (liquidity + net * sqrt_price)
        # token1 in: sqrt(P) rises by net / L; the output L (1/sqrt(P) - 1/sqrt(P')) is net / (sqrt(P) sqrt(P')).
        out1 = net / (sqrt_price * (sqrt_price + net / liquidity))
    out = np.where(zero_for_one, out0, out1)
    price = sqrt_price * sqrt_price
    out = np.where(np.isinf(liquidity), np.where(zero_for_one, net * price, net / price), out)
    return np.where((liquidity > 0) & (amount_in > 0), out, 0.0)


def swap_loss(amount_in, zero_for_one, sqrt_price, liquidity, fee_rate):
    """(pool fee, price impact) of a swap, both in raw units of the input token valued at the price before it.

    The two add up to what the trader gives up against a swap at the pre-trade price: the fee is fee_rate of the
    input, the impact the rest.
    """
    amount_in = np.asarray(amount_in, dtype=float)
    out = swap_output(amount_in, zero_for_one, sqrt_price, liquidity, fee_rate)
    price = sqrt_price * sqrt_price  # token1 raw per token0 raw
    out_in_input = np.where(zero_for_one, out / price, out * price)
    fee = amount_in * fee_rate
    return fee, np.maximum(amount_in - fee - out_in_input, 0.0)
