"""Alerts derived from a snapshot: each condition raises its alert, a healthy vault raises none."""

from __future__ import annotations

from keeper.dashboard.alerts import derive_alerts
from keeper.dashboard.snapshot import DashboardSnapshot, DecisionRow, Headroom, RangePoint, RangeTrack, VaultSummary

NOW = 1_700_000_000


def _snapshot(**changes) -> DashboardSnapshot:
    vault = VaultSummary(name="v", address="0x0", asset_symbol="USDC", total_assets=1, share_price=1, idle=1)
    return DashboardSnapshot(generated_at=NOW, chain="test", vault=vault, **changes)


def test_alerts__healthy_vault__none():
    healthy = _snapshot(
        guardrails=[Headroom(name="cap", used=50, limit=100)],
        ranges=[RangeTrack(strategy="s", pool="p", points=[RangePoint(t=NOW, price=2, lower=1, upper=3)])],
        keeper_last_cycle=NOW - 60, keeper_interval=300,
    )
    assert derive_alerts(healthy) == []


def test_alerts__each_condition__raises_its_alert():
    vault = VaultSummary(name="v", address="0x0", asset_symbol="USDC", total_assets=1, share_price=1, idle=1,
                         paused=True)
    snapshot = DashboardSnapshot(
        generated_at=NOW, chain="test", vault=vault,
        guardrails=[Headroom(name="turnover", used=100, limit=100), Headroom(name="budget", used=95, limit=100),
                    Headroom(name="cap pool", used=130, limit=100, note="A reported gain put it there."),
                    Headroom(name="idle buffer", used=0.5, limit=2, floor=True, note="Depositors withdrew 10.")],
        ranges=[RangeTrack(strategy="s", pool="p", points=[RangePoint(t=NOW, price=5, lower=1, upper=3)])],
        decisions=[DecisionRow(id="1", t=NOW, action="rebalance", status="reverted", reasons=["TurnoverExceeded"])],
        keeper_last_cycle=NOW - 3_600, keeper_interval=300,
    )
    messages = " | ".join(a.message for a in derive_alerts(snapshot))
    for expected in ("paused", "out of range", "turnover at its limit", "budget at 95%",
                     "cap pool: 130.00 over its limit of 100.00. A reported gain put it there.",
                     "idle buffer: 0.50 under its minimum of 2.00. Depositors withdrew 10.", "reverted", "stalled"):
        assert expected in messages, expected
    assert "breach" not in messages.lower(), "a limit passed is explained by its cause, never called a keeper breach"


def test_alerts__a_limit_passed_is_rated_by_its_cause():
    snapshot = _snapshot(guardrails=[
        Headroom(name="cap a", used=130, limit=100, past_level="info", note="Depositors withdrew."),
        Headroom(name="cap b", used=130, limit=100, past_level="warning", note="A cap was lowered."),
        Headroom(name="idle", used=3, limit=2, floor=True),  # above its floor: nothing to say
    ])
    levels = {a.message.split(":")[0]: a.level for a in derive_alerts(snapshot)}
    assert levels == {"cap a": "info", "cap b": "warning"}


def test_alerts__refused_and_waiting_plans__say_why_and_what_to_run():
    snapshot = _snapshot(decisions=[
        DecisionRow(id="a1", t=NOW, action="rerange", status="rejected",
                    reasons=["simulation reverted: PriceDeviationExceeded(-203038, -202895, 100)"]),
        DecisionRow(id="b2", t=NOW, action="rebalance", status="awaiting_approval", reasons=["waiting"]),
        DecisionRow(id="c3", t=NOW, action="rebalance", status="skipped", reasons=["gain < cost"]),
    ])
    alerts = derive_alerts(snapshot)
    messages = [a.message for a in alerts]
    assert any("rerange rejected" in m and "PriceDeviationExceeded" in m for m in messages)
    assert any("alp approve b2" in m for m in messages)
    assert len(alerts) == 2  # a skipped plan is routine, not an alert
