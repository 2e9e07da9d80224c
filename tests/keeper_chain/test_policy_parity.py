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

from .conftest import HOUR
from .test_cycle import _history

WETH = 10**18


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


def _both(keeper, settings, chain, monkeypatch):
    """The live keeper's range plan (None: it keeps) and the backtest keeper's decision from the same snapshot and
    the same book, at the chain's current state."""
    limits, views = keeper.observe("parity")
    keeper.estimate(views, limits.total_assets)
    plans, reasons = keeper.plan(limits, views, chain.blocks.head.timestamp)
    view = next(v for v in views if v.kind == "univ3" and v.value > 0)
    # The live keeper leaves a range through the vault: a reallocation that takes the range's debt out.
    leaves = any(p.kind.value == "rebalance" and any(t.strategy == view.address and t.target_debt < t.current_debt
                                                     for t in p.targets) for p in plans)
    live = "exit" if leaves else next((p for p in plans if p.kind.value == "rerange"), None)
    decimals = keeper.labels.token(keeper.vault.asset())[1]
    strategy = contracts.at("UniswapV3Strategy", view.address)
    bal0, bal1 = _holdings(strategy, view)
    price = (view.pool.sqrt_price_x96 / 2**96) ** 2
    share0 = bal0 * price / (bal0 * price + bal1)
    held = Range(*view.range) if view.liquidity > 0 and view.range else None
    # What the live keeper weighs a range against: the vault's best lending source, else idle.
    alternative = max([v.expected_apr for v in views if v.kind != "univ3"] + [0.0])

    # The backtest's keeper, handed the same snapshot, the same book and the same alternative.
    snapshot = view.snapshot
    terms = range_terms(snapshot.volatility, keeper.profile.min_half_width)
    monkeypatch.setattr(AlpKeeper, "_context",
                        lambda self, v, p: (snapshot, terms, unit_values(snapshot, terms.widths)))
    series = _series_like(snapshot)
    position = Position(held or CASH, view.value / 10**decimals, PastView(series, 25), None, lambda: share0)
    backtest = AlpKeeper(keeper.profile, cost_margin=settings.cost_margin,
                         alternative=np.full(len(series), alternative)).decide(PastView(series, 25), position)
    return live, backtest, decimals, reasons


def test_live_range_plans__are_the_backtest_keepers_decisions_from_the_same_snapshots(world, config, chain,
                                                                                      monkeypatch):
    settings = config()
    keeper = Keeper(settings, world["keeper"])
    _history(keeper, world, chain, busy_fee=500)
    assert keeper.cycle().state == "confirmed"  # capital allocated; the range strategy holds no position yet

    # 1. Funded, out of the pool: both enter the same range at the same cost.
    live, backtest, decimals, _ = _both(keeper, settings, chain, monkeypatch)
    assert live not in (None, "exit") and backtest is not None, "the backtest's keeper enters where the live one does"
    assert backtest.target == Range(live.rerange.lower, live.rerange.upper)
    assert backtest.expected.total * 10**decimals == pytest.approx(live.cost, rel=1e-9)
    print(f"\n1. live plan [{live.rerange.lower}, {live.rerange.upper}), cost {live.cost / 10**decimals:.4f}; "
          f"backtest keeper {backtest.target}, cost {backtest.expected.total:.4f}")

    # 2. The range placed, nothing changed: both keep.
    monkeypatch.undo()
    assert keeper.cycle().state == "confirmed"
    live, backtest, _, reasons = _both(keeper, settings, chain, monkeypatch)
    assert live is None and backtest is None, reasons
    print(f"2. in range: live keeps, backtest keeper keeps ({reasons[-1]})")

    # 3. A trader drives the price out of the range and it stays there past the TWAP window (volatility jumps, the
    #    range no longer beats lending): both leave, or both move to the same new range, or both wait.
    monkeypatch.undo()
    market, trader = world["market"], world["trader"]
    for _ in range(4):
        market.swap_exact_in(trader, "WETH", "USDC", 500, 400 * WETH)
    chain.pending_timestamp += 2 * HOUR
    chain.mine()
    keeper.cycle(dry_run=True)  # an observation at the new price
    live, backtest, _, reasons = _both(keeper, settings, chain, monkeypatch)
    assert (live is None) == (backtest is None), reasons
    if live == "exit":
        assert backtest.target == CASH, (backtest, reasons)
    elif live is not None:
        assert backtest.target == Range(live.rerange.lower, live.rerange.upper)
    print(f"3. after the push: live {live if live in (None, 'exit') else (live.rerange.lower, live.rerange.upper)}, "
          f"backtest {backtest and backtest.target}")
