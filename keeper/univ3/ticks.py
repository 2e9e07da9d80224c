"""Ticks and Q64.96 square-root prices, bit-for-bit with the pool's own conversion.

The pool stores sqrt(1.0001^tick) in Q64.96 and computes it from per-bit factors 1/sqrt(1.0001)^(2^i) in Q128. We
derive those factors here at import with 80-digit decimal arithmetic (nothing copied), and round the same way the
pool does: each product truncated to Q128, the final shift to Q96 rounded up. Tests check the result against the
real pool (initialising at our price must yield exactly our tick, one unit less must yield the tick below).
"""

from __future__ import annotations

from decimal import Decimal, getcontext

import numpy as np

MIN_TICK = -887272
MAX_TICK = 887272
Q96 = 1 << 96
Q128 = 1 << 128
Q32 = 1 << 32
MIN_SQRT_PRICE = 4295128739
MAX_SQRT_PRICE = 1461446703485210103287273052203988822378723970342

getcontext().prec = 80
_BASE = Decimal("1.0001")
_BITS = 20  # |tick| <= 887272 < 2^20


def _factor(bit: int) -> int:
    """1 / sqrt(1.0001)^(2^bit) in Q128, rounded to nearest."""
    value = (_BASE ** (2**bit)).sqrt()
    return int((Decimal(Q128) / value).to_integral_value())


_FACTORS = [_factor(bit) for bit in range(_BITS)]


def sqrt_price_x96_at_tick(tick: int) -> int:
    """sqrt(1.0001^tick) * 2^96, rounded as the pool rounds it."""
    if not MIN_TICK <= tick <= MAX_TICK:
        raise ValueError(f"tick {tick} outside [{MIN_TICK}, {MAX_TICK}]")
    magnitude = abs(tick)
    ratio = Q128
    for bit in range(_BITS):
        if magnitude & (1 << bit):
            ratio = (ratio * _FACTORS[bit]) >> 128
    if tick > 0:
        ratio = ((1 << 256) - 1) // ratio
    return (ratio >> 32) + (0 if ratio % Q32 == 0 else 1)


def tick_at_sqrt_price_x96(sqrt_price_x96: int) -> int:
    """The greatest tick whose price is <= the given one (what `slot0.tick` reports)."""
    if not MIN_SQRT_PRICE <= sqrt_price_x96 < MAX_SQRT_PRICE:
        raise ValueError("sqrt price outside the pool's range")
    low, high = MIN_TICK, MAX_TICK
    while low < high:  # binary search over the exact forward map keeps the two consistent by construction
        mid = (low + high + 1) // 2
        if sqrt_price_x96_at_tick(mid) <= sqrt_price_x96:
            low = mid
        else:
            high = mid - 1
    return low


def price_at_tick(tick: float, decimals0: int, decimals1: int) -> float:
    """Human price of token0 in token1 (e.g. USDC per WETH when token0 is WETH)."""
    return 1.0001 ** np.asarray(tick, dtype=float) * 10.0 ** (decimals0 - decimals1)


def tick_at_price(price, decimals0: int, decimals1: int):
    """Inverse of `price_at_tick`, unrounded; works on floats and numpy arrays alike."""
    return np.log(np.asarray(price, dtype=float) / 10.0 ** (decimals0 - decimals1)) / np.log(1.0001)


def nearest_usable_tick(tick: float, spacing: int) -> int:
    rounded = int(round(tick / spacing)) * spacing
    lowest = -(-MIN_TICK // spacing) * spacing
    return max(lowest, min(rounded, (MAX_TICK // spacing) * spacing))


def full_range(spacing: int) -> tuple[int, int]:
    return -(MAX_TICK // spacing) * spacing, (MAX_TICK // spacing) * spacing
