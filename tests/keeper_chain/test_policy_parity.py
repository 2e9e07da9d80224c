"""One brain: the range move the live keeper plans on anvil is the move the backtest's keeper makes from the same
snapshot and book (both call `keeper.policy.ranges.decide_range`; this checks what each side builds around it)."""

from __future__ import annotations

import numpy as np
import pytest

from keeper import contracts
from keeper.backtest.engine import Position
from keeper.backtest.holdings import CASH
from keeper.backtest.policies import AlpKeeper
from keeper.backtest.series import PastView, PoolSeries
from keeper.cycle import Keeper, _holdings
from keeper.optimize.ranges import range_terms
from keeper.policy.geometry import Range
from keeper.policy.ranges import unit_values

from .test_cycle import _history


def _series_like(snapshot, rows: int = 30) -> PoolSeries:
    """A backtest series in the live pool's units (its history is not read: the snapshot is given)."""
    c = snapshot.context
    flat = np.full(rows, snapshot.tick)
    return PoolSeries(name="live", times=np.arange(rows, dtype=np.int64) * 3_600, open_tick=flat, close_tick=flat,
                      low_tick=flat, high_tick=flat, fees0=np.zeros(rows), fees1=np.zeros(rows),
                      liquidity=np.full(rows, snapshot.liquidity), gas_gwei=np.full(rows, c.gas_price_gwei),
                      native_price=np.full(rows, c.native_price), fee_rate=c.fee_rate, decimals0=c.decimals0,
                      decimals1=c.decimals1, symbols=("T0", "T1"), numeraire_is_token0=c.numeraire_is_token0,
                      spacing=snapshot.spacing)


def test_live_rerange_plan__is_the_backtest_keepers_decision_from_the_same_snapshot(world, config, chain, monkeypatch):
    settings = config()
    keeper = Keeper(settings, world["keeper"])
    _history(keeper, world, chain, busy_fee=500)
    assert keeper.cycle().state == "confirmed"  # capital allocated; the range strategy holds no position yet
    limits, views = keeper.observe("parity")
    keeper.estimate(views, limits.total_assets)
    plans, _ = keeper.plan(limits, views, chain.blocks.head.timestamp)
    live = next(p for p in plans if p.kind.value == "rerange")
    view = next(v for v in views if v.address == live.rerange.strategy)
    snapshot = view.snapshot
    decimals = keeper.labels.token(keeper.vault.asset())[1]
    strategy = contracts.at("UniswapV3Strategy", view.address)
    bal0, bal1 = _holdings(strategy, view)
    price = (view.pool.sqrt_price_x96 / 2**96) ** 2
    share0 = bal0 * price / (bal0 * price + bal1)

    # The backtest's keeper, handed the same snapshot and the same book.
    terms = range_terms(snapshot.volatility, keeper.profile.min_half_width)
    monkeypatch.setattr(AlpKeeper, "_context",
                        lambda self, v, p: (snapshot, terms, unit_values(snapshot, terms.widths)))
    series = _series_like(snapshot)
    position = Position(CASH, view.value / 10**decimals, PastView(series, 25), None, lambda: share0)
    decision = AlpKeeper(keeper.profile, cost_margin=settings.cost_margin).decide(PastView(series, 25), position)

    assert decision is not None, "the backtest's keeper enters where the live one re-ranges"
    assert decision.target == Range(live.rerange.lower, live.rerange.upper)
    assert decision.expected.total * 10**decimals == pytest.approx(live.cost, rel=1e-9)
    print(f"\nlive plan [{live.rerange.lower}, {live.rerange.upper}), cost {live.cost / 10**decimals:.4f}; "
          f"backtest keeper {decision.target}, cost {decision.expected.total:.4f}")
