"""Share price across deposit → rebalance → profit → unlock → loss; fees and the high-water mark; the sandwich."""

from __future__ import annotations

import pytest

from .conftest import DAY, USDC, allocation, deadline, earn
from keeper.execute.rationale import NO_RATIONALE

ONE_SHARE = 10 ** (6 + 6)  # asset decimals + the vault's decimals offset
WEEK = 7 * DAY


def price(vault) -> int:
    """Assets (in USDC wei) one whole share redeems for."""
    return vault.convertToAssets(ONE_SHARE)


@pytest.fixture
def invested(chain, funded, strategies, keeper):
    s0, s1, _ = strategies
    funded.rebalance(allocation((s0, 40_000 * USDC), (s1, 10_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    return funded


def test_share_price__through_profit_unlock_and_loss(chain, funded, strategies, yield_sources, keeper, deployer, asset):
    s0, s1, _ = strategies
    p0 = price(funded)
    assert p0 == 1 * USDC

    funded.rebalance(allocation((s0, 40_000 * USDC), (s1, 10_000 * USDC)), deadline(chain), NO_RATIONALE, sender=keeper)
    assert price(funded) == p0, "moving assets to strategies must not move the price"

    earn(asset, yield_sources[0], 1_000 * USDC, deployer)
    receipt = funded.harvest(s0, deadline(chain), sender=keeper)
    harvest_time = chain.blocks[receipt.block_number].timestamp
    assert abs(funded.lockedProfit() - 1_000 * USDC) <= 2  # the yield vault's ERC-4626 rounding
    assert abs(price(funded) - p0) <= 1, "a harvest must not jump the price (it would be sandwiched)"

    chain.pending_timestamp = harvest_time + WEEK // 2
    chain.mine()
    assert abs(funded.totalAssets() - 100_500 * USDC) <= 2
    chain.pending_timestamp = harvest_time + WEEK
    chain.mine()
    assert abs(funded.totalAssets() - 101_000 * USDC) <= 2
    p_profit = price(funded)
    assert p_profit > p0

    yield_sources[1].slash(deployer, 2_000 * USDC, sender=deployer)
    funded.harvest(s1, deadline(chain), sender=keeper)
    assert abs(funded.totalAssets() - 99_000 * USDC) <= 4
    assert price(funded) < p0
    print(f"\nshare price: start {p0/USDC:.6f} → after unlocked profit {p_profit/USDC:.6f} → after loss {price(funded)/USDC:.6f}")


def test_loss__while_profit_still_locked__lowers_the_price_at_once_and_the_profit_keeps_unlocking(
    chain, invested, strategies, yield_sources, keeper, deployer, asset
):
    """Issue 15: a loss no longer eats locked profit (netting the two let a gain reported under a larger unrealised
    loss jump the price); both are held back separately, so neither report moves the price."""
    s0 = strategies[0]
    p0 = price(invested)
    earn(asset, yield_sources[0], 1_000 * USDC, deployer)
    invested.harvest(s0, deadline(chain), sender=keeper)
    yield_sources[0].slash(deployer, 400 * USDC, sender=deployer)
    unreported = price(invested)
    invested.harvest(s0, deadline(chain), sender=keeper)
    assert abs(price(invested) - unreported) <= 1, "reporting the loss must not move the price again"
    assert unreported == pytest.approx(p0 * (100_000 - 400) / 100_000, abs=2)
    assert invested.lockedProfit() == pytest.approx(1_000 * USDC, abs=2 * USDC)


def test_performance_fee__only_above_high_water_mark(
    chain, invested, strategies, yield_sources, keeper, deployer, asset, admin, fee_recipient
):
    s0 = strategies[0]
    admin.call(invested, "setFees", 2_000, 0)
    chain.pending_timestamp += 1

    earn(asset, yield_sources[0], 1_000 * USDC, deployer)
    receipt = invested.harvest(s0, deadline(chain), sender=keeper)
    first = receipt.events.filter(invested.Harvested)[0]
    fee_value = invested.convertToAssets(invested.balanceOf(fee_recipient))
    assert abs(fee_value - 200 * USDC) <= 1 * USDC // 100, "20 % of a 1,000 gain"
    assert first.performanceFeeShares > 0

    yield_sources[0].slash(deployer, 1_000 * USDC, sender=deployer)
    invested.harvest(s0, deadline(chain), sender=keeper)
    earn(asset, yield_sources[0], 1_000 * USDC, deployer)
    recovery = invested.harvest(s0, deadline(chain), sender=keeper).events.filter(invested.Harvested)[0]
    assert abs(recovery.gain - 1_000 * USDC) <= 2
    assert recovery.performanceFeeShares == 0, "no fee while recovering a loss"

    earn(asset, yield_sources[0], 1_000 * USDC, deployer)
    above = invested.harvest(s0, deadline(chain), sender=keeper).events.filter(invested.Harvested)[0]
    assert above.performanceFeeShares > 0
    charged = invested.convertToAssets(above.performanceFeeShares)
    assert abs(charged - 200 * USDC) <= 2 * USDC, f"fee on the new high only, got {charged / USDC}"


def test_management_fee__one_year__charges_its_rate(chain, invested, strategies, keeper, admin, fee_recipient):
    admin.call(invested, "setFees", 0, 100)  # 1 %/yr
    invested.harvest(strategies[0], deadline(chain), sender=keeper)  # start the clock after the timelock delay
    chain.pending_timestamp += 365 * DAY
    invested.harvest(strategies[0], deadline(chain), sender=keeper)
    fee_value = invested.convertToAssets(invested.balanceOf(fee_recipient))
    assert 999 * USDC <= fee_value <= 1_001 * USDC, f"1 % of 100,000 over a year, got {fee_value / USDC}"


@pytest.mark.parametrize("unlock_time", [7 * DAY, 0])
def test_harvest__sandwiched_by_deposit_and_withdraw__gains_nothing(
    unlock_time, chain, invested, strategies, yield_sources, keeper, deployer, asset, attacker, admin
):
    """With profit unlocking the sandwich gains dust; without it (unlock time 0, shown for contrast) it gains most
    of the harvest. Deposit, harvest and withdraw land in consecutive blocks."""
    if unlock_time == 0:
        admin.call(invested, "setProfitUnlockTime", 0)
    earn(asset, yield_sources[0], 1_000 * USDC, deployer)
    start = asset.balanceOf(attacker)
    invested.deposit(1_000_000 * USDC, attacker, sender=attacker)
    invested.harvest(strategies[0], deadline(chain), sender=keeper)
    invested.redeem(invested.balanceOf(attacker), attacker, attacker, sender=attacker)
    gain = asset.balanceOf(attacker) - start
    print(f"\nsandwich gain with unlock time {unlock_time}s: {gain / USDC:.6f} USDC on a 1,000 USDC harvest")
    if unlock_time:
        assert gain <= 1 * USDC // 10, "profit unlocking must leave the sandwich nothing measurable"
    else:
        assert gain > 500 * USDC, "the contrast case: without unlocking the sandwich would take most of the harvest"


def test_donation__does_not_move_share_price(funded, asset, attacker):
    before = (funded.totalAssets(), price(funded))
    asset.transfer(funded, 50_000 * USDC, sender=attacker)
    assert (funded.totalAssets(), price(funded)) == before
