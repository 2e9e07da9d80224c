"""Fees a position has earned, from the pool's fee-growth accumulators (Q128, wrapping like the pool's)."""

from __future__ import annotations

Q128 = 1 << 128
_WRAP = 1 << 256


def fee_growth_inside(tick: int, lower: int, upper: int, global_growth: int, lower_outside: int,
                      upper_outside: int) -> int:
    """Fee growth per unit of liquidity inside [lower, upper) given the pool's current tick (mod 2^256)."""
    below = lower_outside if tick >= lower else (global_growth - lower_outside) % _WRAP
    above = upper_outside if tick < upper else (global_growth - upper_outside) % _WRAP
    return (global_growth - below - above) % _WRAP


def fees_earned(liquidity: int, inside_now: int, inside_last: int) -> int:
    """Tokens earned by `liquidity` since the position last recorded `inside_last`, rounded down as the pool does."""
    return (inside_now - inside_last) % _WRAP * liquidity // Q128
