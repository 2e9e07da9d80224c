"""Fees earned by the strategy's position over a replayed period equal the Uniswap V3 fee maths computed off-chain
from the pool's fee-growth accumulators; harvest collects exactly that and the vault reports it as locked profit."""

from __future__ import annotations

from eth_utils import keccak

from keeper.localnet.replay import replay
from keeper.localnet.session import hourly_series
from keeper.univ3.fees import fee_growth_inside, fees_earned

from .conftest import REPLAY_DAY, deadline


def _position_key(owner: str, lower: int, upper: int) -> bytes:
    return keccak(bytes.fromhex(owner[2:]) + lower.to_bytes(3, "big", signed=True) + upper.to_bytes(3, "big", signed=True))


def _inside(pool, lower, upper):
    tick = pool.slot0().tick
    lo, hi = pool.ticks(lower), pool.ticks(upper)
    return (
        fee_growth_inside(tick, lower, upper, pool.feeGrowthGlobal0X128(), lo.feeGrowthOutside0X128, hi.feeGrowthOutside0X128),
        fee_growth_inside(tick, lower, upper, pool.feeGrowthGlobal1X128(), lo.feeGrowthOutside1X128, hi.feeGrowthOutside1X128),
    )


def test_fees__over_replayed_day__match_fee_growth_maths(ranged, pool, market, people, vault, chain):
    lower, upper = ranged.tickLower(), ranged.tickUpper()
    position = pool.positions(_position_key(ranged.address, lower, upper))
    liquidity = position.liquidity
    assert liquidity == ranged.liquidity()

    # A day of real history, around the position's price (the replay follows the series' moves from here).
    series = hourly_series(1, start_day=REPLAY_DAY)
    report = replay(market, pool, series, people["attacker"])
    assert report.swaps > 0

    inside0, inside1 = _inside(pool, lower, upper)
    expected0 = fees_earned(liquidity, inside0, position.feeGrowthInside0LastX128) + position.tokensOwed0
    expected1 = fees_earned(liquidity, inside1, position.feeGrowthInside1LastX128) + position.tokensOwed1
    _, _, fees0, fees1 = ranged.positionAmounts()
    assert (fees0, fees1) == (expected0, expected1)
    assert expected0 + expected1 > 0, "the replayed volume must have earned the position something"

    receipt = vault.harvest(ranged, deadline(chain), sender=people["keeper"])
    collected = receipt.decode_logs(ranged.Collected)[0]
    assert expected0 > 0 and expected1 > 0, "a day of two-way trading in range earns fees in both tokens"
    # The poke happens in a later block, after nothing else traded: the collected fees are exactly the expected ones.
    assert (collected.amount0, collected.amount1) == (expected0, expected1)
    harvested = receipt.decode_logs(vault.Harvested)[0]
    assert harvested.gain > 0 or harvested.loss > 0
    print(f"\nfees over one replayed day: token0 {expected0}, token1 {expected1} (computed off-chain = collected)")
