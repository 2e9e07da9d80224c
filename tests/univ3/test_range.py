"""Placing, valuing and moving the range; one-sided and out-of-range positions."""

from __future__ import annotations

import ape
import pytest
from eth_utils import keccak

from .conftest import USDC, centred_range, deadline, funding_swap
from keeper.execute.rationale import NO_RATIONALE


def test_rebalance_range__centred__deploys_and_values_near_cost(ranged, pool, vault):
    assert ranged.liquidity() > 0
    lower, upper = ranged.tickLower(), ranged.tickUpper()
    assert lower < pool.slot0().tick < upper
    # Half was swapped through a 0.05 % pool: value stays within fee + impact of the 50,000 deposited.
    value = ranged.totalAssets()
    assert 49_950 * USDC <= value <= 50_000 * USDC
    assert ranged.positionAmounts()[0] > 0 and ranged.positionAmounts()[1] > 0


def test_rebalance_range__one_sided_below_price__uses_only_the_asset(strategy, pool, people, chain, usdc, deployment):
    tick, spacing = pool.slot0().tick, pool.tickSpacing()
    # USDC is the asset; a range entirely on the asset's side of the price needs no swap.
    asset_is_token0 = strategy.assetIsToken0()
    if asset_is_token0:
        lower, upper = (tick // spacing + 2) * spacing, (tick // spacing + 200) * spacing
    else:
        lower, upper = (tick // spacing - 200) * spacing, (tick // spacing - 2) * spacing
    # A range beside the TWAP is a limit order: refused unless the admin allows that distance.
    with ape.reverts(strategy.RangeAwayFromTwap):
        strategy.rebalanceRange((lower, upper, False, 0, 0), deadline(chain), NO_RATIONALE, sender=people["keeper"])
    deployment.admin.call(strategy, "setMaxTwapDistanceTicks", 3 * spacing)
    chain.pending_timestamp += strategy.minRangeInterval()
    strategy.rebalanceRange((lower, upper, False, 0, 0), deadline(chain), NO_RATIONALE, sender=people["keeper"])
    assert strategy.liquidity() > 0
    assert usdc.balanceOf(strategy) < 10 * USDC  # all but dust went in
    amount0, amount1, _, _ = strategy.positionAmounts()
    paired_amount = amount1 if asset_is_token0 else amount0
    assert paired_amount == 0


def test_rebalance_range__rerange__moves_liquidity(ranged, pool, people, chain):
    first = (ranged.tickLower(), ranged.tickUpper())
    lower, upper = centred_range(pool, 0.10)
    chain.pending_timestamp += ranged.minRangeInterval()
    receipt = ranged.rebalanceRange((lower, upper, True, 0, 0), deadline(chain), NO_RATIONALE, sender=people["keeper"])
    assert (ranged.tickLower(), ranged.tickUpper()) == (lower, upper) != first
    events = receipt.decode_logs(ranged.RangeUpdated)
    assert len(events) == 1 and events[0].liquidity == ranged.liquidity() > 0
    # The old position is empty.
    old = pool.positions(keccak(
        bytes.fromhex(ranged.address[2:]) + first[0].to_bytes(3, "big", signed=True) + first[1].to_bytes(3, "big", signed=True)
    ))
    assert old.liquidity == 0


def test_out_of_range__value_follows_twap_and_rerange_recovers(ranged, pool, people, chain, market):
    attacker_free_trader = people["lp"]
    upper = ranged.tickUpper()
    # The market moves above the range and stays there long enough for the TWAP to follow.
    market.move_to_tick(attacker_free_trader, pool, upper + 200)
    chain.pending_timestamp += 2 * ranged.twapWindow()
    chain.mine()
    amount0, amount1, _, _ = ranged.positionAmounts()
    assert (amount0 == 0) != (amount1 == 0), "out of range, the position holds a single token"
    assert ranged.totalAssets() > 40_000 * USDC
    lower2, upper2 = centred_range(pool, 0.05)
    zero_for_one, _ = funding_swap(ranged, pool)
    # Out of range above, the position is all asset (USDC) when USDC is token1: sell half of its value to re-centre.
    held_asset = amount1 if not ranged.assetIsToken0() else amount0
    ranged.rebalanceRange((lower2, upper2, zero_for_one, held_asset // 2, 0), deadline(chain), NO_RATIONALE, sender=people["keeper"])
    assert ranged.tickLower() < pool.slot0().tick < ranged.tickUpper()


@pytest.mark.parametrize("width_spacings", [1, 10**6])
def test_rebalance_range__width_out_of_bounds__reverts(strategy, pool, people, chain, width_spacings):
    spacing = pool.tickSpacing()
    lower = (pool.slot0().tick // spacing) * spacing
    upper = min(lower + width_spacings * spacing, (887272 // spacing) * spacing)
    with ape.reverts(strategy.RangeWidthOutOfBounds if width_spacings == 1 else strategy.InvalidRange):
        strategy.rebalanceRange((lower, upper if width_spacings == 1 else upper + spacing, False, 0, 0), deadline(chain), NO_RATIONALE,
                                sender=people["keeper"])


def test_rebalance_range__guards(strategy, pool, people, chain):
    lower, upper = centred_range(pool, 0.05)
    with ape.reverts(strategy.OnlyKeeper):
        strategy.rebalanceRange((lower, upper, False, 0, 0), deadline(chain), NO_RATIONALE, sender=people["attacker"])
    with ape.reverts(strategy.DeadlineExpired):
        strategy.rebalanceRange((lower, upper, False, 0, 0), chain.pending_timestamp - 1, NO_RATIONALE, sender=people["keeper"])
    with ape.reverts(strategy.InvalidRange):
        strategy.rebalanceRange((lower + 1, upper, False, 0, 0), deadline(chain), NO_RATIONALE, sender=people["keeper"])
    with ape.reverts(strategy.NotPool):
        strategy.uniswapV3SwapCallback(1, 0, b"", sender=people["attacker"])
    with ape.reverts(strategy.NotPool):
        strategy.uniswapV3MintCallback(1, 0, b"", sender=people["attacker"])


def test_vault_exit__full_redeem_of_a_ranged_strategy__leaves_nothing_behind(ranged, vault, people, chain, deployment):
    """Found by the demo: rounding made maxRedeem one share short, so a rebalance to zero reverted."""
    assert ranged.maxRedeem(vault) == ranged.balanceOf(vault)
    # Leaving a range sells the paired token through the pool: more than the default 1 bp of loss per move, so the
    # admin (timelock) must allow it first; the default refuses it (RebalanceLossExceeded).
    deployment.admin.call(vault, "setMaxRebalanceLossBps", 10)
    # The swap fees the range paid are an unrealised loss the price already counts: 50,000 is a bit over half of it.
    deployment.admin.call(vault, "setMaxTurnoverBps", 6_000)
    chain.pending_timestamp += vault.minRebalanceInterval()
    vault.rebalance([(ranged.address, 0)], deadline(chain), NO_RATIONALE, sender=people["keeper"])
    assert vault.strategies(ranged).currentDebt == 0 and ranged.balanceOf(vault) == 0
    assert ranged.liquidity() == 0
