"""The range policy the live keeper and the backtest share: a pure function from a snapshot and a book."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from keeper.optimize.costs import MoveContext
from keeper.optimize.ranges import CANDIDATE_HALF_WIDTHS, HORIZON_YEARS, range_terms
from keeper.policy.geometry import Range, centred, half_width_of
from keeper.policy.ranges import HYSTERESIS_APR, PoolSnapshot, RangeBook, choose_width, decide_range, share0_of
from keeper.risk.profiles import PROFILES

TICK = 200_000.0


def _snapshot(vol: float = 0.5, fee_apr: float = 0.3, gas_gwei: float = 20.0, liquidity: float = 3e18) -> PoolSnapshot:
    context = MoveContext(tick=TICK, liquidity=liquidity, fee_rate=0.0005, decimals0=6, decimals1=18,
                          numeraire_is_token0=True, gas_price_gwei=gas_gwei, native_price=2_000.0)
    return PoolSnapshot(tick=TICK, spacing=10, liquidity=liquidity, volatility=vol, base_fee_apr=fee_apr,
                        context=context)


BALANCED = PROFILES["balanced"]


def test_out_of_the_pool__a_paying_range__entered_centred_on_a_grid_width():
    d = decide_range(_snapshot(), RangeBook(wealth=1e6, share0=1.0, held=None), BALANCED)
    assert d.action == "enter" and d.target is not None
    assert d.choice.half_width in CANDIDATE_HALF_WIDTHS and d.choice.half_width >= BALANCED.min_half_width
    assert d.target == centred(TICK, d.choice.half_width, 10)
    assert d.cost.pool_fee > 0 and d.expected_gain > 2 * d.cost.total


def test_too_volatile__leaves_a_range__stays_out_when_out():
    hot = _snapshot(vol=BALANCED.max_volatility * 1.5)
    held = centred(TICK, 0.05, 10)
    assert decide_range(hot, RangeBook(1e6, 0.5, held), BALANCED).action == "exit"
    assert decide_range(hot, RangeBook(1e6, 1.0, None), BALANCED).action == "keep"


def test_a_move_that_does_not_pay_its_cost__is_not_made():
    dear = _snapshot(gas_gwei=1e7)  # a move costs 10,000 ETH of gas
    d = decide_range(dear, RangeBook(wealth=1e6, share0=1.0, held=None), BALANCED)
    assert d.action == "keep" and d.cost.gas > d.expected_gain


def test_in_range_and_already_best__kept():
    first = decide_range(_snapshot(), RangeBook(1e6, 1.0, None), BALANCED)
    again = decide_range(_snapshot(), RangeBook(1e6, 0.5, first.target), BALANCED)
    assert again.action == "keep"


def test_own_size__a_position_large_against_the_pool__never_chooses_narrower():
    thin = _snapshot(liquidity=1e15)
    small, _ = choose_width(thin, 1_000.0, BALANCED)
    large, _ = choose_width(thin, 1e8, BALANCED)
    assert large.half_width >= small.half_width
    assert large.fee_apr < small.fee_apr, "its own liquidity dilutes its fee share"


def test_geometry__half_width_round_trips_on_the_tick_grid():
    for w in (0.02, 0.05, 0.25):
        assert abs(half_width_of(centred(TICK, w, 10)) - w) < 0.002
    assert math.isinf(half_width_of(centred(TICK, math.inf, 60)))
    assert centred(TICK, math.inf, 60) == Range(-887_220, 887_220)


def _in_range_book(snapshot: PoolSnapshot, width: float = 0.10) -> RangeBook:
    held = centred(TICK, width, 10)
    return RangeBook(1e6, share0_of(held, snapshot.context), held)


def test_hysteresis__a_forecast_hovering_at_the_alternative_neither_enters_nor_exits():
    snapshot = _snapshot(vol=0.3, fee_apr=0.2)
    choice, _ = choose_width(snapshot, 1e6, BALANCED)
    # Half a band either side of the alternative, whatever the moves cost: out stays out, in stays in.
    below = replace(snapshot, alternative_apr=choice.net_apr - HYSTERESIS_APR / 2)
    above = replace(snapshot, alternative_apr=choice.net_apr + HYSTERESIS_APR / 2)
    out = decide_range(below, RangeBook(1e6, 1.0, None), BALANCED)
    inside = decide_range(above, _in_range_book(above, choice.half_width), BALANCED)
    assert out.action == "keep" and out.expected_gain < 0, out.reasons
    assert inside.action == "keep", inside.reasons
    # Well past the band the same books move.
    assert decide_range(snapshot, RangeBook(1e6, 1.0, None), BALANCED).action == "enter"
    assert decide_range(replace(snapshot, alternative_apr=choice.net_apr + 2.0),
                        _in_range_book(snapshot, choice.half_width), BALANCED).action == "exit"


def test_exit__only_when_the_loss_it_avoids_beats_its_cost():
    mild = _snapshot(vol=0.3, fee_apr=0.0)  # no fees: every range loses its IL, full range the least
    book = _in_range_book(mild, math.inf)
    d = decide_range(mild, book, BALANCED)
    assert d.action == "keep", d.reasons
    # The same position when the capital earns a lot elsewhere: leaving now pays for its swap.
    rich = replace(mild, alternative_apr=2.0)
    d = decide_range(rich, book, BALANCED)
    assert d.action == "exit" and d.expected_gain > 2 * d.cost.total > 0, d.reasons
    full_range_loss = -choose_width(mild, 1e6, BALANCED)[1][-1]
    assert 0 < (full_range_loss - HYSTERESIS_APR) * HORIZON_YEARS * 1e6 < 2 * d.cost.total, \
        "kept in the mild case because the loss it would avoid is below the exit's cost"


def test_alternative__a_range_that_earns_less_than_lending_is_not_entered():
    snapshot = _snapshot()
    assert decide_range(snapshot, RangeBook(1e6, 1.0, None), BALANCED).action == "enter"
    choice, _ = choose_width(snapshot, 1e6, BALANCED)
    lending = replace(snapshot, alternative_apr=choice.net_apr)
    d = decide_range(lending, RangeBook(1e6, 1.0, None), BALANCED)
    assert d.action == "keep" and d.expected_gain < 0


def test_loss_versus_rebalancing__sigma_squared_over_8_at_full_range_and_concentrated_within():
    for vol in (0.2, 0.6, 1.2):
        terms = range_terms(vol)
        full = list(terms.widths).index(math.inf)
        assert terms.il_apr[full] == pytest.approx(vol**2 / 8, rel=0.05)
        lvr = vol**2 / 8 * terms.concentration * terms.in_range
        assert np.all(terms.il_apr >= lvr * (1 - 0.02)), "a range's loss is at least its LVR while in range"
