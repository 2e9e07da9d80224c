"""Each vault guardrail: the violating call reverts with its own error, and the call exactly at the bound passes."""

from __future__ import annotations

import ape
import pytest

from .conftest import USDC, allocation, deadline
from keeper.execute.rationale import NO_RATIONALE

HOUR = 3600


@pytest.fixture
def s0(strategies):
    return strategies[0]


@pytest.fixture
def s1(strategies):
    return strategies[1]


def test_rebalance__above_absolute_cap__reverts(chain, funded, strategies, s0, keeper, curator):
    funded.setStrategyCaps(s0, 10_000 * USDC, 6_000, sender=curator)
    with ape.reverts(funded.StrategyCapExceeded):
        funded.rebalance(allocation((s0, 10_000 * USDC + 1)), deadline(chain), NO_RATIONALE, sender=keeper)
    funded.rebalance(allocation((s0, 10_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    assert funded.strategies(s0).currentDebt == 10_000 * USDC


def test_rebalance__above_bps_cap__reverts(chain, funded, s0, keeper, curator):
    funded.setStrategyCaps(s0, 1_000_000 * USDC, 3_000, sender=curator)  # 30 % of 100,000
    with ape.reverts(funded.StrategyCapBpsExceeded):
        funded.rebalance(allocation((s0, 30_000 * USDC + 1)), deadline(chain), NO_RATIONALE, sender=keeper)
    funded.rebalance(allocation((s0, 30_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    assert funded.strategies(s0).currentDebt == 30_000 * USDC


def test_rebalance__turnover_above_max__reverts(chain, funded, s0, s1, keeper):
    assert funded.maxTurnoverBps() == 5_000  # 50,000 of 100,000
    with ape.reverts(funded.TurnoverExceeded):
        funded.rebalance(allocation((s0, 25_000 * USDC), (s1, 25_000 * USDC + 1)), deadline(chain), NO_RATIONALE, sender=keeper)
    funded.rebalance(allocation((s0, 25_000 * USDC), (s1, 25_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    assert funded.totalDebt() == 50_000 * USDC


def test_rebalance__idle_below_buffer__reverts(chain, funded, s0, s1, keeper, admin):
    admin.call(funded, "setMaxTurnoverBps", 10_000)
    assert funded.minIdleBps() == 200  # 2,000 of 100,000 must stay idle
    with ape.reverts(funded.IdleBufferBreached):
        funded.rebalance(allocation((s0, 60_000 * USDC), (s1, 38_000 * USDC + 1)), deadline(chain), NO_RATIONALE, sender=keeper)
    funded.rebalance(allocation((s0, 60_000 * USDC), (s1, 38_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    assert funded.totalIdle() == 2_000 * USDC


def test_rebalance__sooner_than_interval__reverts(chain, funded, s0, keeper):
    receipt = funded.rebalance(allocation((s0, 1_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    last = chain.blocks[receipt.block_number].timestamp
    chain.pending_timestamp = last + HOUR - 1
    with ape.reverts(funded.RebalanceTooSoon):
        funded.rebalance(allocation((s0, 2_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    chain.pending_timestamp = last + HOUR
    funded.rebalance(allocation((s0, 2_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    assert funded.strategies(s0).currentDebt == 2_000 * USDC


def test_keeper_call__after_deadline__reverts(chain, funded, s0, keeper):
    now = chain.pending_timestamp
    chain.pending_timestamp = now
    with ape.reverts(funded.DeadlineExpired):
        funded.rebalance(allocation((s0, 1_000 * USDC)), now - 1, NO_RATIONALE, sender=keeper)
    chain.pending_timestamp = now + 1
    funded.rebalance(allocation((s0, 1_000 * USDC)), now + 1, NO_RATIONALE, sender=keeper)  # deadline == block time passes
    chain.pending_timestamp = now + 2
    with ape.reverts(funded.DeadlineExpired):
        funded.harvest(s0, now + 1, sender=keeper)


def test_rebalance__loss_above_max__reverts(chain, funded, s0, yield_sources, keeper, deployer):
    funded.rebalance(allocation((s0, 50_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    chain.pending_timestamp += HOUR
    # Value touched: 50,000 idle + 50,000 in s0; 1 bp of it is 10 USDC.
    assert funded.maxRebalanceLossBps() == 1
    yield_sources[0].setExitFee(10 * USDC + 1, sender=deployer)
    with ape.reverts(funded.RebalanceLossExceeded):
        funded.rebalance(allocation((s0, 40_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    yield_sources[0].setExitFee(10 * USDC, sender=deployer)
    funded.rebalance(allocation((s0, 40_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    assert funded.totalIdle() == 60_000 * USDC - 10 * USDC


def test_deposit__above_limit__reverts(funded, curator, alice):
    total = funded.totalAssets()
    funded.setDepositLimit(total + 500 * USDC, sender=curator)
    assert funded.maxDeposit(alice) == 500 * USDC
    with ape.reverts(funded.ERC4626ExceededMaxDeposit):
        funded.deposit(500 * USDC + 1, alice, sender=alice)
    funded.deposit(500 * USDC, alice, sender=alice)
    assert funded.maxDeposit(alice) == 0


def test_withdraw__unrealised_loss__priced_in_not_charged_as_slippage(chain, funded, s0, yield_sources, keeper, whale,
                                                                      deployer):
    """A strategy worth less than its debt lowers the price for everyone at once (issue 15, F-6): an exit that pulls
    from it pays no extra loss, so the loss-free ERC-4626 withdraw goes through and burns the shares the price asks."""
    funded.rebalance(allocation((s0, 50_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    yield_sources[0].slash(deployer, 5_000 * USDC, sender=deployer)  # s0 is now worth 90 % of its debt
    assert funded.unrealisedLoss() == pytest.approx(5_000 * USDC, abs=10)
    assert funded.totalAssets() == pytest.approx(95_000 * USDC, abs=10)
    shares = funded.previewWithdraw(60_000 * USDC)
    before = funded.balanceOf(whale)
    funded.withdraw(60_000 * USDC, whale, whale, sender=whale)
    assert before - funded.balanceOf(whale) == shares
    # 10,000 pulled from s0 retires 10,000 of its debt; the rest of the loss stays with it, where the price sees it.
    assert funded.strategies(s0).currentDebt == 40_000 * USDC
    assert funded.unrealisedLoss() == pytest.approx(5_000 * USDC, abs=10)


def test_pause__stops_deposits_and_keeper__not_exits(chain, funded, s0, guardian, keeper, alice):
    funded.pause(sender=guardian)
    assert funded.maxDeposit(alice) == 0
    with ape.reverts(funded.ERC4626ExceededMaxDeposit):
        funded.deposit(1 * USDC, alice, sender=alice)
    with ape.reverts(funded.VaultPaused):
        funded.rebalance(allocation((s0, 1_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    with ape.reverts(funded.VaultPaused):
        funded.harvest(s0, deadline(chain), sender=keeper)
    funded.redeem(funded.balanceOf(alice), alice, alice, sender=alice)
    assert funded.balanceOf(alice) == 0


def test_shutdown__stops_deposits_and_rebalances__exits_and_revoke_work(
    chain, funded, s0, guardian, keeper, alice, asset
):
    funded.rebalance(allocation((s0, 10_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    funded.shutdown(sender=guardian)
    assert funded.maxDeposit(alice) == 0
    chain.pending_timestamp += HOUR
    with ape.reverts(funded.VaultShutdown):
        funded.rebalance(allocation((s0, 0)), deadline(chain), NO_RATIONALE, sender=keeper)
    funded.revokeStrategy(s0, False, sender=guardian)
    assert funded.totalIdle() == 100_000 * USDC
    assert s0.address not in funded.withdrawQueue()
    before = asset.balanceOf(alice)
    funded.redeem(funded.balanceOf(alice), alice, alice, sender=alice)
    assert asset.balanceOf(alice) - before == 1_000 * USDC


def test_revoke__broken_strategy__force_writes_debt_off(chain, funded, s0, guardian, keeper, yield_sources, deployer):
    funded.rebalance(allocation((s0, 10_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    yield_sources[0].slash(deployer, 10_000 * USDC, sender=deployer)
    receipt = funded.revokeStrategy(s0, True, sender=guardian)
    event = receipt.events.filter(funded.StrategyRevoked)[0]
    assert event.loss == 10_000 * USDC
    assert funded.totalAssets() == 90_000 * USDC


def test_rebalance__unsorted_or_inactive_targets__reverts(chain, funded, strategies, keeper, alice):
    pairs = allocation((strategies[0], 1 * USDC), (strategies[1], 1 * USDC))
    with ape.reverts(funded.TargetsNotSorted):
        funded.rebalance(list(reversed(pairs)), deadline(chain), NO_RATIONALE, sender=keeper)
    with ape.reverts(funded.StrategyNotActive):
        funded.rebalance([(alice.address, 1)], deadline(chain), NO_RATIONALE, sender=keeper)
