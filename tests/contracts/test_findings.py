"""Issue 15's review findings on the vault, each replayed as the reviewer demonstrated it and held to its bound.

The attacker is a depositor with deep pockets (F-2), the order of exits is the adversary (F-6), the order of
harvests (F-7), a broken yield source (F-8), and the keeper itself (F-12: many moves, each inside its own bound).
Figures are printed (`-s`) for the issue's note; the assertions are the bounds.
"""

from __future__ import annotations

import ape
import pytest

from keeper.execute.rationale import NO_RATIONALE

from .conftest import DAY, USDC, allocation, deadline, earn

PERFORMANCE_FEE_BPS = 2_000


def value_of(vault, who) -> int:
    return vault.previewRedeem(vault.balanceOf(who))


@pytest.fixture
def with_fee(funded, admin):
    admin.call(funded, "setFees", PERFORMANCE_FEE_BPS, 0)
    return funded


def test_f2__full_exit_with_unreported_gain__sandwich_gains_nothing_and_the_fee_is_charged(
    chain, with_fee, strategies, yield_sources, keeper, attacker, asset, fee_recipient, deployer
):
    """Before: gain 4,000, 1M deposited around the keeper's exit: sandwicher +3,636, fee 0."""
    vault, s0 = with_fee, strategies[0]
    vault.rebalance(allocation((s0, 40_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    earn(asset, yield_sources[0], 4_000 * USDC, deployer)
    chain.pending_timestamp += vault.minRebalanceInterval()

    asset.approve(vault, 2**256 - 1, sender=attacker)
    start = asset.balanceOf(attacker)
    vault.deposit(1_000_000 * USDC, attacker, sender=attacker)
    vault.rebalance(allocation((s0, 0)), deadline(chain), NO_RATIONALE, sender=keeper)
    vault.redeem(vault.balanceOf(attacker), attacker, attacker, sender=attacker)
    profit = asset.balanceOf(attacker) - start
    fee = value_of(vault, fee_recipient)
    print(f"\nF-2 after: sandwicher {profit / USDC:+,.2f} USDC, fee {fee / USDC:,.2f} USDC, "
          f"locked {vault.lockedProfit() / USDC:,.2f}")
    assert profit <= 1 * USDC  # a few seconds of unlocking at most: 4,000 x 2 s / 7 days
    assert fee == pytest.approx(4_000 * USDC * PERFORMANCE_FEE_BPS // 10_000, rel=1e-3)
    assert vault.lockedProfit() == pytest.approx(3_200 * USDC, rel=1e-3)


def test_f4__max_withdraw_and_max_redeem__are_exactly_what_the_erc4626_calls_pay(
    chain, funded, strategies, yield_sources, keeper, whale, deployer
):
    """Before: 1 USDC of bad debt on 50,000: maxWithdraw 99,000, only 50,000 withdrawable."""
    vault, s0 = funded, strategies[0]
    vault.rebalance(allocation((s0, 50_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    yield_sources[0].slash(deployer, 1 * USDC, sender=deployer)
    most = vault.maxWithdraw(whale)
    snapshot = chain.snapshot()
    vault.withdraw(most, whale, whale, sender=whale)
    chain.restore(snapshot)
    vault.redeem(vault.maxRedeem(whale), whale, whale, sender=whale)
    print(f"\nF-4 after: maxWithdraw {most / USDC:,.2f} USDC, withdrawn in full; maxRedeem redeemed in full")
    assert most >= 98_990 * USDC  # the whale's 99 % of 99,999, all reachable without loss
    assert vault.balanceOf(whale) == 0


def _alice_loss_after_harvest(chain, vault, s0, keeper, whale, alice, whale_exits_first: bool) -> int:
    if whale_exits_first:
        vault.redeem(vault.balanceOf(whale), whale, whale, sender=whale)
    vault.harvest(s0, deadline(chain), sender=keeper)
    return 1_000 * USDC - value_of(vault, alice)


def test_f6__unrealised_loss__every_depositor_pays_the_same_whoever_exits_first(
    chain, funded, strategies, yield_sources, keeper, whale, alice, deployer
):
    """Before: 10 % loss on a 40k strategy: Alice (1,000 in) lost 97.56 instead of 40.00 after a whale exited first."""
    vault, s0 = funded, strategies[0]
    vault.rebalance(allocation((s0, 40_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    yield_sources[0].slash(deployer, 4_000 * USDC, sender=deployer)
    snapshot = chain.snapshot()
    stays = _alice_loss_after_harvest(chain, vault, s0, keeper, whale, alice, whale_exits_first=False)
    chain.restore(snapshot)
    whale_value = value_of(vault, whale)
    exits = _alice_loss_after_harvest(chain, vault, s0, keeper, whale, alice, whale_exits_first=True)
    print(f"\nF-6 after: Alice loses {exits / USDC:,.2f} USDC when the whale exits first, {stays / USDC:,.2f} when not; "
          f"the whale took {whale_value / USDC:,.2f} for 99,000")
    assert exits == pytest.approx(40 * USDC, abs=2) and stays == pytest.approx(40 * USDC, abs=2)
    assert whale_value == pytest.approx(99_000 * USDC - 3_960 * USDC, abs=2)


def test_f7__first_loss_recovered__pays_no_performance_fee(
    chain, with_fee, strategies, yield_sources, keeper, deployer, asset, fee_recipient
):
    """Before: the high-water mark started at 0, so recovering the first reported loss was charged."""
    vault, s0 = with_fee, strategies[0]
    vault.rebalance(allocation((s0, 40_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    yield_sources[0].slash(deployer, 1_000 * USDC, sender=deployer)
    vault.harvest(s0, deadline(chain), sender=keeper)
    earn(asset, yield_sources[0], 1_000 * USDC, deployer)
    vault.harvest(s0, deadline(chain), sender=keeper)
    recovered_fee = value_of(vault, fee_recipient)
    earn(asset, yield_sources[0], 1_000 * USDC, deployer)
    vault.harvest(s0, deadline(chain), sender=keeper)
    real_gain_fee = value_of(vault, fee_recipient)
    print(f"\nF-7 after: fee on recovering a first loss {recovered_fee / USDC:,.2f}; on a real 1,000 gain "
          f"{real_gain_fee / USDC:,.2f}")
    assert recovered_fee <= 1 * USDC
    assert real_gain_fee == pytest.approx(200 * USDC, rel=0.01)


@pytest.mark.parametrize("gain_first", [True, False])
def test_f7__net_zero_period__no_fee_whatever_the_harvest_order(
    gain_first, chain, with_fee, strategies, yield_sources, keeper, deployer, asset, fee_recipient
):
    """Before: a gain in one strategy offset by a loss in another paid 200.0 / 0 / 199.6 depending on order."""
    vault, (s0, s1, _) = with_fee, strategies
    vault.rebalance(allocation((s0, 20_000 * USDC), (s1, 20_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    earn(asset, yield_sources[0], 1_000 * USDC, deployer)
    yield_sources[1].slash(deployer, 1_000 * USDC, sender=deployer)
    for s in ((s0, s1) if gain_first else (s1, s0)):
        vault.harvest(s, deadline(chain), sender=keeper)
    fee = value_of(vault, fee_recipient)
    print(f"\nF-7 after ({'gain' if gain_first else 'loss'} harvested first): fee {fee / USDC:,.2f} USDC")
    assert fee <= 1 * USDC


def test_f8__strategy_whose_valuation_reverts__is_skipped_by_exits(
    chain, funded, strategies, yield_sources, keeper, whale, deployer
):
    """Before: a strategy whose valuation reverted blocked a 20,000 withdrawal that a healthy one could pay."""
    vault, (s0, s1, _) = funded, strategies
    vault.rebalance(allocation((s0, 25_000 * USDC), (s1, 25_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    queue = vault.withdrawQueue()
    broken = yield_sources[[s.address for s in strategies].index(queue[0])]
    broken.setBroken(True, sender=deployer)
    liquid = vault.maxWithdraw(whale)
    vault.withdraw(70_000 * USDC, whale, whale, sender=whale)  # 50,000 idle + 20,000 from the healthy strategy
    print(f"\nF-8 after: with the first strategy in the queue broken, maxWithdraw {liquid / USDC:,.2f}; "
          f"a 70,000 withdrawal went through")
    assert liquid == pytest.approx(75_000 * USDC, abs=10)
    with ape.reverts(vault.InsufficientLiquidity):
        vault.withdraw(6_000 * USDC, whale, whale, sender=whale)


def test_f10__frequent_harvests__do_not_stretch_the_unlock(chain, funded, strategies, yield_sources, keeper, deployer,
                                                         asset):
    """Before: 7 days after a 7,000 harvest, 2,528 was still locked after 28 zero-gain harvests (0 normally)."""
    vault, s0 = funded, strategies[0]
    vault.rebalance(allocation((s0, 40_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    earn(asset, yield_sources[0], 7_000 * USDC, deployer)
    start = chain.blocks[vault.harvest(s0, deadline(chain), sender=keeper).block_number].timestamp
    for i in range(1, 29):
        chain.pending_timestamp = start + i * 6 * 3600
        vault.harvest(s0, deadline(chain), sender=keeper)
    chain.pending_timestamp = start + 7 * DAY
    chain.mine()
    print(f"\nF-10 after: locked 7 days after a 7,000 harvest and 28 zero-gain harvests: "
          f"{vault.lockedProfit() / USDC:,.2f}")
    assert vault.lockedProfit() == 0


def test_f10__second_gain__unlocks_on_the_weighted_schedule(chain, funded, strategies, yield_sources, keeper, deployer,
                                                          asset):
    vault, s0 = funded, strategies[0]
    vault.rebalance(allocation((s0, 40_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    earn(asset, yield_sources[0], 7_000 * USDC, deployer)
    start = chain.blocks[vault.harvest(s0, deadline(chain), sender=keeper).block_number].timestamp
    chain.pending_timestamp = start + 7 * DAY // 2
    earn(asset, yield_sources[0], 3_500 * USDC, deployer)
    vault.harvest(s0, deadline(chain), sender=keeper)
    # 3,500 left with 3.5 days to go plus 3,500 new over 7 days: 7,000 locked, ending 5.25 days from now.
    assert vault.lockedProfit() == pytest.approx(7_000 * USDC, rel=1e-3)
    assert vault.profitUnlockEnd() - (start + 7 * DAY // 2) == pytest.approx(5.25 * DAY, abs=2)


def test_f12__rolling_budget__bounds_a_keeper_making_lossy_moves_all_day(
    chain, funded, strategies, yield_sources, keeper, admin, asset, deployer
):
    """Before: 1 bp per rebalance, one an hour: ~24 bps a day. Now every keeper move draws on one daily budget."""
    vault, s0 = funded, strategies[0]
    admin.call(vault, "setMaxRebalanceLossBps", 10)
    admin.call(vault, "setTurnoverBudgetBps", vault.MAX_TURNOVER_BUDGET_BPS())  # the loss side is under test here
    yield_sources[0].setExitFee(60 * USDC, sender=deployer)  # each exit from s0 loses 60 USDC: 6 bps, under 10
    lost, moves, refused, hours = 0, 0, None, 0
    for hours in range(1, 49):
        chain.pending_timestamp += vault.minRebalanceInterval()
        debt = vault.strategies(s0).currentDebt
        before = vault.totalAssets()
        target = 20_000 * USDC if debt == 0 else 0
        try:
            vault.rebalance(allocation((s0, target)), deadline(chain), NO_RATIONALE, sender=keeper)
        except ape.exceptions.ContractLogicError as error:
            refused = type(error).__name__
            break  # a refused call costs a trace on anvil: one is proof enough
        lost += max(before - vault.totalAssets(), 0)
        moves += 1
    days = hours / 24
    print(f"\nF-12 after: hourly lossy moves, {moves} went through in {hours} h, lost {lost / USDC:,.2f} USDC "
          f"({lost / days / (100_000 * USDC) * 10_000:.1f} bps a day; budget {vault.lossBudgetBps()} bps a day), "
          f"then refused: {refused}")
    assert refused == "LossBudgetExceeded"
    # A bucket: a full day's budget at once, then what leaks back, a day's budget per day.
    daily = vault.lossBudgetBps() * 100_000 * USDC // 10_000
    assert lost <= daily * (1 + days)


def test_budget__curator_tightens_at_once__loosening_needs_the_timelock(funded, curator, admin):
    vault = funded
    vault.setLossBudgetBps(10, sender=curator)
    vault.setTurnoverBudgetBps(5_000, sender=curator)
    with ape.reverts(vault.Unauthorized):
        vault.setLossBudgetBps(11, sender=curator)
    admin.call(vault, "setLossBudgetBps", 40)
    assert (vault.lossBudgetBps(), vault.turnoverBudgetBps()) == (40, 5_000)
