"""Liquidity <-> token amounts for a range, rounding as the pool does (amounts owed round up, amounts paid down)."""

from __future__ import annotations

from keeper.univ3.ticks import Q96


def _mul_div(a: int, b: int, d: int, round_up: bool = False) -> int:
    q, r = divmod(a * b, d)
    return q + (1 if round_up and r else 0)


def amount0_delta(sqrt_a: int, sqrt_b: int, liquidity: int, round_up: bool) -> int:
    """Token0 between two prices for `liquidity`: L * (sqrtB - sqrtA) / (sqrtA * sqrtB)."""
    if sqrt_a > sqrt_b:
        sqrt_a, sqrt_b = sqrt_b, sqrt_a
    numerator = (liquidity << 96) * (sqrt_b - sqrt_a)
    if round_up:
        return -(-(-(-numerator // sqrt_b)) // sqrt_a)
    return numerator // sqrt_b // sqrt_a


def amount1_delta(sqrt_a: int, sqrt_b: int, liquidity: int, round_up: bool) -> int:
    """Token1 between two prices for `liquidity`: L * (sqrtB - sqrtA)."""
    if sqrt_a > sqrt_b:
        sqrt_a, sqrt_b = sqrt_b, sqrt_a
    return _mul_div(liquidity, sqrt_b - sqrt_a, Q96, round_up)


def amounts_for_liquidity(sqrt_price: int, sqrt_lower: int, sqrt_upper: int, liquidity: int,
                          round_up: bool = False) -> tuple[int, int]:
    """Token amounts a position of `liquidity` in [lower, upper) holds at `sqrt_price`."""
    if sqrt_price <= sqrt_lower:
        return amount0_delta(sqrt_lower, sqrt_upper, liquidity, round_up), 0
    if sqrt_price >= sqrt_upper:
        return 0, amount1_delta(sqrt_lower, sqrt_upper, liquidity, round_up)
    return (
        amount0_delta(sqrt_price, sqrt_upper, liquidity, round_up),
        amount1_delta(sqrt_lower, sqrt_price, liquidity, round_up),
    )


def liquidity_for_amounts(sqrt_price: int, sqrt_lower: int, sqrt_upper: int, amount0: int, amount1: int) -> int:
    """The most liquidity `amount0` and `amount1` can fund in [lower, upper) at `sqrt_price` (as the periphery does)."""
    def from0(a: int, b: int) -> int:
        return _mul_div(amount0, _mul_div(a, b, Q96), b - a)

    def from1(a: int, b: int) -> int:
        return _mul_div(amount1, Q96, b - a)

    if sqrt_price <= sqrt_lower:
        return from0(sqrt_lower, sqrt_upper)
    if sqrt_price >= sqrt_upper:
        return from1(sqrt_lower, sqrt_upper)
    return min(from0(sqrt_price, sqrt_upper), from1(sqrt_lower, sqrt_price))
