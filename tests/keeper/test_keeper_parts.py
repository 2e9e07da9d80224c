"""Keeper parts without a chain: config errors, the guardrail mirror, store migrations."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from keeper.config import ConfigError, load_config
from keeper.execute.guardrails import StrategyLimits, VaultLimits, violations
from keeper.execute.plan import Plan, PlanKind, Target

VAULT = "0x" + "ab" * 20
S1, S2 = "0x" + "01" * 20, "0x" + "02" * 20


@pytest.mark.parametrize("overrides, field", [
    (dict(vault="0x12"), "vault"),
    (dict(mode="yolo"), "mode"),
    (dict(account="0x" + "1" * 64), "account"),
    (dict(cycle_seconds=1), "cycle_seconds"),
    (dict(profile="reckless"), "profile"),
])
def test_config__bad_value__one_line_naming_the_field(overrides, field):
    settings = dict(vault=VAULT, account="test:4") | overrides
    with pytest.raises(ConfigError) as error:
        load_config(**settings)
    assert str(error.value).startswith(f"config: {field}") and "\n" not in str(error.value)


def test_config__missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("vault: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)


def test_cli__bad_config__exits_with_the_one_line(tmp_path):
    from keeper.commands import once

    path = tmp_path / "k.yaml"
    path.write_text("vault: 0x12\naccount: test:4\n")
    result = CliRunner().invoke(once, ["--config", str(path)])
    assert result.exit_code != 0 and "config: vault" in result.output


def _limits(**changes) -> VaultLimits:
    base = dict(total_assets=100_000, total_idle=100_000, min_idle_bps=200, max_turnover_bps=5_000,
                min_rebalance_interval=3_600, last_rebalance=0, paused=False, shutdown=False,
                strategies={S1: StrategyLimits(address=S1, current_debt=0, max_debt=60_000, max_debt_bps=6_000, active=True),
                            S2: StrategyLimits(address=S2, current_debt=0, max_debt=30_000, max_debt_bps=6_000, active=True)})
    return VaultLimits(**(base | changes))


def _plan(*targets) -> Plan:
    return Plan(vault=VAULT, kind=PlanKind.rebalance, reasons=[], expected_gain=1, cost=0, created_at=0,
                targets=[Target(strategy=s, current_debt=0, target_debt=t) for s, t in targets])


def test_guardrail_mirror__names_each_violation_like_the_contract():
    limits = _limits()
    assert violations(_plan((S1, 40_000), (S2, 10_000)), limits, now=10_000) == []
    assert any("TurnoverExceeded" in v for v in violations(_plan((S1, 40_000), (S2, 20_000)), limits, 10_000))
    assert any("StrategyCapExceeded" in v for v in violations(_plan((S2, 30_001)), limits, 10_000))
    assert any("RebalanceTooSoon" in v for v in violations(_plan((S1, 1)), limits, now=100))
    assert any("TargetsNotSorted" in v for v in violations(_plan((S2, 1), (S1, 1)), limits, 10_000))
    assert any("VaultPaused" in v for v in violations(_plan((S1, 1)), _limits(paused=True), 10_000))
    assert any("TurnoverBudgetExceeded" in v
               for v in violations(_plan((S1, 20_000)), _limits(turnover_budget_left=19_999), 10_000))
    assert violations(_plan((S1, 20_000)), _limits(turnover_budget_left=20_000), 10_000) == []
    tight = _limits(max_turnover_bps=10_000)
    assert any("IdleBufferBreached" in v for v in violations(_plan((S1, 60_000), (S2, 39_000)), tight, 10_000))


def test_halved_rebalance__every_move_half_as_big__none_when_nothing_is_left():
    from keeper.cycle import _halved
    from keeper.execute.plan import Plan, PlanKind, Target

    plan = Plan(vault="0xv", kind=PlanKind.rebalance, created_at=1, reasons=["r"], expected_gain=10.0, cost=1.0,
                targets=[Target(strategy="0xa", current_debt=100, target_debt=0),
                         Target(strategy="0xb", current_debt=0, target_debt=101),
                         Target(strategy="0xc", current_debt=5, target_debt=6)])
    half = _halved(plan, "simulation reverted: SlippageExceeded(1, 2)")
    assert [(t.strategy, t.target_debt) for t in half.targets] == [("0xa", 50), ("0xb", 50)]  # 0xc: nothing left
    assert half.expected_gain == 5.0 and half.id != plan.id and "halved" in half.reasons[-1]
    tiny = plan.model_copy(update={"targets": [Target(strategy="0xc", current_debt=5, target_debt=6)]})
    assert _halved(tiny, "why") is None
