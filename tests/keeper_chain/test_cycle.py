"""The keeper's cycle on the real local market: it explains itself, refuses moves that do not pay, waits for
approval when told to, and moves capital towards the pool whose volume rises."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from keeper.cycle import Keeper
from keeper.forecast.models import EWMA_HALF_LIFE_HOURS

from .conftest import HOUR, USDC, rebalances

WETH = 10**18
BPS = 10_000


def _trade(world, fee: int, rounds: int, size: int = 200 * WETH) -> None:
    """Real two-way volume in one pool: WETH in, then the USDC received back in."""
    market, trader = world["market"], world["trader"]
    for _ in range(rounds):
        before = market.tokens["USDC"].balanceOf(trader)
        market.swap_exact_in(trader, "WETH", "USDC", fee, size)
        got = market.tokens["USDC"].balanceOf(trader) - before
        market.swap_exact_in(trader, "USDC", "WETH", fee, got)


def _history(keeper: Keeper, world, chain, busy_fee: int) -> None:
    """Observations an hour apart with trading in `busy_fee`'s pool and interest in the lending market."""
    for _ in range(2):
        keeper.cycle(dry_run=True)
        _trade(world, busy_fee, rounds=3)
        world["usdc"].mint(world["source"], 5 * USDC, sender=world["deployer"])
        chain.pending_timestamp += HOUR
        chain.mine()


def test_once_dry_run__prints_a_plan_with_reasons__sends_nothing(world, config, chain, tmp_path):
    start = chain.blocks.head.number
    settings = config(mode="dry-run")
    keeper = Keeper(settings, world["keeper"])
    first = keeper.cycle()
    assert first.state == "no-action" and any("not enough" in r for r in first.reasons)
    _history(keeper, world, chain, busy_fee=500)
    path = tmp_path / "keeper.yaml"
    path.write_text(yaml.safe_dump(settings.model_dump(mode="json")))
    result = CliRunner().invoke(__import__("keeper.commands", fromlist=["once"]).once,
                                ["--config", str(path), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["state"] == "dry-run" and body["plan"]["kind"] == "rebalance"
    reasons = " ".join(body["reasons"])
    assert "fee APR" in reasons and "expected gain" in reasons and "dry run" in reasons
    print("\n" + "\n".join(body["reasons"]))
    assert rebalances(world["vault"], start) == 0


def test_gain_below_cost__skipped_with_reason(world, config, chain):
    keeper = Keeper(config(min_gain=10**15), world["keeper"])
    _history(keeper, world, chain, busy_fee=500)
    result = keeper.cycle()
    assert result.state == "skipped" and "expected gain" in result.reasons[-1]


def test_approval_mode__sends_nothing_until_approved(world, config, chain):
    start = chain.blocks.head.number
    keeper = Keeper(config(mode="approval"), world["keeper"])
    _history(keeper, world, chain, busy_fee=500)
    result = keeper.cycle()
    assert result.state == "awaiting_approval"
    assert rebalances(world["vault"], start) == 0
    assert keeper.approve(result.plan.id, who="operator") == "confirmed"
    assert rebalances(world["vault"], start) == 1
    assert keeper.store.plan(result.plan.id)["approved_by"] == "operator"


def test_volume_moves__capital_follows_the_busier_pool(world, config, chain):
    vault = world["vault"]
    s500, s3000 = world["strategies"]["univ3-500"], world["strategies"]["univ3-3000"]
    keeper = Keeper(config(), world["keeper"])
    _history(keeper, world, chain, busy_fee=500)
    assert keeper.cycle().state == "confirmed"
    first = vault.strategies(s500).currentDebt, vault.strategies(s3000).currentDebt
    assert first[0] > first[1], "volume in the 0.05 % pool: capital goes there first"
    # The 0.05 % pool goes quiet and the 0.3 % pool trades, for long enough that the keeper's fee estimate (an
    # EWMA that smooths bursts on purpose) has mostly forgotten the busy hours.
    quiet = EWMA_HALF_LIFE_HOURS * 3_600 // 2
    for _ in range(2):
        keeper.cycle(dry_run=True)
        _trade(world, 3000, rounds=3)
        chain.pending_timestamp += quiet
        chain.mine()
    result = keeper.cycle()
    second = vault.strategies(s500).currentDebt, vault.strategies(s3000).currentDebt
    assert second[1] > first[1] and second[0] < first[0]
    # The turnover guardrail (50 % per move) spreads the shift over moves an interval apart: the next one goes on.
    _trade(world, 3000, rounds=3)
    chain.pending_timestamp += quiet
    chain.mine()
    last = keeper.cycle()
    third = vault.strategies(s500).currentDebt, vault.strategies(s3000).currentDebt
    print(f"\ndebt 0.05 % / 0.3 % pools: {first} -> {second} -> {third}; last cycle {last.state}: {last.reasons}")
    # The busy pool fills up to the profile's largest weight; the quiet one gives up what that takes.
    cap = world["vault"].totalAssets() * keeper.profile.max_weight
    assert third[1] > second[1] and third[1] >= cap * 0.99 and third[0] < second[0]


def test_new_capital_in_a_pool_strategy__follow_up_cycle_places_the_range_at_once(world, config, chain):
    keeper = Keeper(config(), world["keeper"])
    _history(keeper, world, chain, busy_fee=500)
    first = keeper.cycle()  # the vault's allocation first
    assert first.state == "confirmed" and first.follow_up
    s500 = world["strategies"]["univ3-500"]
    assert world["vault"].strategies(s500).currentDebt > 0 and s500.liquidity() == 0
    # Straight away, with no time passing: any further reallocation waits for the vault's interval, and must not
    # keep the funded range from being placed.
    result = keeper.cycle()
    print(f"\nfollow-up cycle: {result.state}: {result.reasons[-3:]}")
    assert result.plan.kind.value == "rerange" and result.state == "confirmed", result.reasons
    assert "holds no position yet" in " ".join(result.reasons)
    assert s500.liquidity() > 0
    assert s500.tickLower() < world["market"].pool("WETH", "USDC", 500).slot0().tick < s500.tickUpper()


def test_curator_tightens_a_cap__keeper_brings_the_holding_under_it_whatever_the_gain(world, config, chain):
    vault, s500 = world["vault"], world["strategies"]["univ3-500"]
    keeper = Keeper(config(), world["keeper"])
    _history(keeper, world, chain, busy_fee=500)
    assert keeper.cycle().state == "confirmed"
    held = vault.strategies(s500).currentDebt
    chain.pending_timestamp += vault.minRebalanceInterval()
    chain.mine()
    # A keeper that wants an impossible gain sends nothing for return alone...
    strict = Keeper(config(min_gain=10**15), world["keeper"])
    assert strict.cycle().state in ("skipped", "no-action")
    # ...but a cap the curator tightens below the holding is a limit, not a trade-off: it is restored anyway.
    cap_bps = held * 3 * BPS // (4 * vault.totalAssets())
    vault.setStrategyCaps(s500, vault.strategies(s500).maxDebt, cap_bps, sender=world["curator"])
    # The vault checks a cap against total assets when the move starts; unwinding part of a range can then lower
    # them by its swap's cost, so the bound is read before the move.
    total_before = vault.totalAssets()
    others = {s.address: vault.strategies(s).currentDebt for s in world["strategies"].values() if s != s500}
    idle_before = vault.totalIdle()
    result = strict.cycle()
    print(f"\n0.05 % pool debt {held} -> {vault.strategies(s500).currentDebt} under a cap of {cap_bps} bps: "
          f"{result.reasons[-2:]}")
    assert result.state == "confirmed" and result.plan.restores_limit, result.reasons
    assert "over its cap" in " ".join(result.reasons)
    assert vault.strategies(s500).currentDebt * BPS <= cap_bps * total_before
    # Only the restore is exempt from paying: nothing else moves (the excess goes to idle), and it stops just under
    # the cap rather than far below it.
    assert [t.strategy for t in result.plan.targets] == [s500.address]
    assert {a: vault.strategies(a).currentDebt for a in others} == others
    assert vault.totalIdle() > idle_before
    assert vault.strategies(s500).currentDebt * BPS >= (cap_bps - 20) * total_before
