"""The local market from the real Uniswap V3 bytecode: pools, prices, oracle, depth, and the replay of history."""

from __future__ import annotations

import pytest

from keeper.localnet.market import DEFAULT_POOLS, OBSERVATION_CARDINALITY, TICK_SPACING, deploy_market
from keeper.localnet.session import hourly_series, replayed_market
from keeper.univ3.ticks import price_at_tick


@pytest.fixture(scope="module")
def market(accounts):
    return deploy_market(accounts[0], lp=accounts[1])


def _price(market, pool, base):
    sym0, sym1 = market.symbol_of(pool.token0()), market.symbol_of(pool.token1())
    price = float(price_at_tick(pool.slot0().tick, market.decimals(sym0), market.decimals(sym1)))
    return price if sym0 == base else 1 / price


def test_market__pools_in_three_fee_tiers__at_their_prices(market):
    assert {spec.fee for spec in DEFAULT_POOLS} == {500, 3000, 10000}
    for spec in DEFAULT_POOLS:
        pool = market.pool(spec.base, spec.quote, spec.fee)
        assert pool.fee() == spec.fee
        assert pool.tickSpacing() == TICK_SPACING[spec.fee]
        assert market.factory.getPool(pool.token0(), pool.token1(), spec.fee) == pool.address
        assert _price(market, pool, spec.base) == pytest.approx(spec.price, rel=1e-3)
        assert pool.slot0().observationCardinalityNext == OBSERVATION_CARDINALITY


def test_market__depth__thins_away_from_the_price(market):
    """Several LP ranges: more liquidity near the price than far from it, none missing at the edges."""
    pool = market.pool("WETH", "USDC", 500)
    near = pool.liquidity()
    tick = pool.slot0().tick
    market.move_to_tick(market.deployer, pool, tick + 3_000)  # ~35 % away: only wide ranges remain
    far = pool.liquidity()
    assert 0 < far < near


def test_market__twap__observable_over_an_hour(market, chain, accounts):
    pool = market.pool("WETH", "USDC", 3000)
    start = pool.slot0().tick
    market.move_to_tick(accounts[2], pool, start + 600)
    chain.pending_timestamp += 3_600
    market.move_to_tick(accounts[2], pool, start)
    cumulatives, _ = pool.observe([3_600, 0])
    twap = (cumulatives[1] - cumulatives[0]) // 3_600
    # The price sat at start+600 for the hour: the TWAP says so, whatever the spot is now.
    assert abs(twap - (start + 600)) <= 1


def test_replay__one_day__follows_the_path_and_the_volume(accounts):
    series = hourly_series(1, start_day=3)
    result = replayed_market(accounts[0], accounts[1], accounts[3], series).report
    assert len(result.steps) == 24
    assert result.max_tick_error <= 10  # round-trip fees nudge the close by a few ticks (0.1 % at most)
    assert 0.85 <= result.volume_ratio <= 1.05
    times = [s.timestamp for s in result.steps]
    assert times[-1] - times[0] >= 23 * 3_600  # chain time advanced with the series
    print(f"\n1-day replay: {result.swaps} swaps in {result.seconds:.1f} s, max tick error {result.max_tick_error}, "
          f"volume {result.volume_ratio:.1%}")
