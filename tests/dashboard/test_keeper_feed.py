"""Risk scores on the dashboard come from the keeper's latest scored cycle, labelled like the rest of the page."""

from __future__ import annotations

from keeper.dashboard.keeper_feed import risk_from_store
from keeper.risk.profiles import profile
from keeper.risk.score import assess
from keeper.store import Store

POOL, LENDING = "0x" + "a" * 40, "0x" + "b" * 40


def test_latest_scored_cycle_wins_and_bookkeeping_rows_are_skipped():
    store = Store("sqlite:///:memory:")
    risk = risk_from_store(store, {POOL: "WETH/USDC 0.05%"})
    assert risk() == []  # before the first cycle: nothing, not an error
    old = assess(profile("balanced"), weight=0.1, volatility=0.3)
    new = assess(profile("balanced"), weight=0.2, volatility=1.2, reputation=0.8)
    store.record_decision("c1", 1, "v", {}, {POOL: {"expected_apr": 0.1, **old.model_dump()}}, None, "no-action", [])
    store.record_decision("c2", 2, "v", {}, {POOL: {"expected_apr": 0.1, **new.model_dump()},
                                            LENDING: {"expected_apr": 0.04, **new.model_dump()}}, None, "no-action", [])
    store.record_decision("c3", 3, "v", {}, {}, "p1", "resumed:confirmed", ["plan p1 resumed after restart"])
    rows = {r.strategy: r for r in risk()}
    assert set(rows) == {"WETH/USDC 0.05%", LENDING[:10]}
    assert rows["WETH/USDC 0.05%"].score == new.score == 0.8  # 1.2 volatility of the 1.5 limit
    assert rows["WETH/USDC 0.05%"].components == new.components


def test_unsent_plans__refused_failed_and_waiting_are_shown_skipped_are_not():
    from keeper.dashboard.keeper_feed import unsent_from_store

    store = Store("sqlite:///:memory:")
    for plan_id, state in (("p-rej", "rejected"), ("p-wait", "awaiting_approval"), ("p-skip", "skipped"),
                           ("p-ok", "confirmed")):
        store.add_plan(plan_id, "v", "rebalance", {"created_at": 1_000}, state, [f"why {plan_id}"], 5.0, 1.0)
    store.update_plan("p-rej", error="simulation reverted: TurnoverExceeded(1, 2)")
    rows = {r.id: r for r in unsent_from_store(store)()}
    assert set(rows) == {"p-rej", "p-wait"}
    assert rows["p-rej"].reasons[-1].startswith("simulation reverted: TurnoverExceeded")
    assert rows["p-rej"].t == 1_000  # chain time of the plan, like the chain's own rows


def test_last_cycle__a_keeper_that_decides_nothing_is_still_alive():
    from keeper.dashboard.keeper_feed import last_cycle_from_store

    store = Store("sqlite:///:memory:")
    last = last_cycle_from_store(store)
    assert last() is None
    store.record_decision("c1", 1_000, "v", {}, {}, None, "no-action", ["allocation already optimal"])
    store.record_decision("c2", 7_000, "v", {}, {}, None, "no-action", ["allocation already optimal"])
    assert last() == 7_000
