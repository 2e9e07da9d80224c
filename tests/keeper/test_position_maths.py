"""Uniswap V3 position maths: exact integer version against known values, and the backtest's float version
against the exact one. (tests/localnet checks the exact version against the real pool contract.)"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keeper.backtest.holdings import unit_amounts
from keeper.univ3.liquidity import amounts_for_liquidity, liquidity_for_amounts
from keeper.univ3.ticks import (MAX_SQRT_PRICE, MAX_TICK, MIN_SQRT_PRICE, MIN_TICK, Q96, sqrt_price_x96_at_tick,
                                tick_at_sqrt_price_x96)


def test_tick_conversion__known_values():
    # The pool's documented bounds and the identity at tick 0.
    assert sqrt_price_x96_at_tick(MIN_TICK) == MIN_SQRT_PRICE
    assert sqrt_price_x96_at_tick(MAX_TICK) == MAX_SQRT_PRICE
    assert sqrt_price_x96_at_tick(0) == Q96
    with pytest.raises(ValueError):
        sqrt_price_x96_at_tick(MAX_TICK + 1)


@given(st.integers(MIN_TICK, MAX_TICK - 1))
@settings(max_examples=200, deadline=None)
def test_tick_conversion__inverse_is_exact(tick):
    price = sqrt_price_x96_at_tick(tick)
    assert tick_at_sqrt_price_x96(price) == tick
    assert tick_at_sqrt_price_x96(price - 1) == tick - 1 if tick > MIN_TICK else True


@given(st.integers(-100_000, 100_000), st.integers(1, 2_000), st.integers(1, 2_000), st.integers(10**6, 10**24))
@settings(max_examples=200, deadline=None)
def test_float_amounts__match_exact(tick, below, above, liquidity):
    lower, upper = tick - below, tick + above
    exact = amounts_for_liquidity(sqrt_price_x96_at_tick(tick), sqrt_price_x96_at_tick(lower),
                                  sqrt_price_x96_at_tick(upper), liquidity)
    one = [liquidity * a for a in unit_amounts(lower, upper, float(tick))]  # one position: plain floats
    many = [liquidity * float(a[0]) for a in unit_amounts(np.array([lower]), np.array([upper]), float(tick))]
    for e, a, b in zip(exact, one, many):
        assert a == pytest.approx(e, rel=1e-6, abs=2)
        assert b == pytest.approx(e, rel=1e-6, abs=2)


@given(st.integers(-50_000, 50_000), st.integers(10, 5_000), st.integers(10**9, 10**27), st.integers(10**9, 10**27))
@settings(max_examples=200, deadline=None)
def test_liquidity_for_amounts__never_needs_more_than_given(tick, half, amount0, amount1):
    p, a, b = (sqrt_price_x96_at_tick(t) for t in (tick, tick - half, tick + half))
    liquidity = liquidity_for_amounts(p, a, b, amount0, amount1)
    need0, need1 = amounts_for_liquidity(p, a, b, liquidity, round_up=True)
    assert need0 <= amount0 + 1 and need1 <= amount1 + 1
