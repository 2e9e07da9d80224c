"""The local market from the real Uniswap V3 bytecode: pools, prices, oracle, depth, and the replay of history."""

from __future__ import annotations

import pytest

from keeper.localnet.market import DEFAULT_POOLS, OBSERVATION_CARDINALITY, TICK_SPACING, deploy_market
from keeper.localnet.replay import full_range_fee_fraction, recorded_fee_fraction
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
    replayed = replayed_market(accounts[0], accounts[1], accounts[3], series)
    result = replayed.report
    assert len(result.steps) == 24
    assert result.max_tick_error <= 2  # every step ends with a swap limited to the target price
    assert 0.85 <= result.volume_ratio <= 1.05
    times = [s.timestamp for s in result.steps]
    assert times[-1] - times[0] >= 23 * 3_600  # chain time advanced with the series
    # What an LP earns: fees per unit of liquidity, as a fraction of what a full-range unit is worth. Trading the
    # volume where the real price traded keeps it at the real pool's; sweeping it through thin liquidity would not.
    local, real = full_range_fee_fraction(replayed.market.pool("WETH", "USDC", 500)), recorded_fee_fraction(series)
    assert 0.7 <= local / real <= 1.3, (local, real)
    print(f"\n1-day replay: {result.swaps} swaps in {result.seconds:.1f} s, max tick error {result.max_tick_error}, "
          f"volume {result.volume_ratio:.1%}, fees per unit liquidity {local:.3e} vs real {real:.3e}")


def test_replay__follower_pool__pays_the_asked_multiple_of_fees_per_unit_liquidity(accounts):
    from keeper.localnet.market import pools_at, series_start_price
    from keeper.localnet.replay import replay

    series = hourly_series(1, start_day=5)
    market = deploy_market(accounts[0], lp=accounts[1], pools=pools_at({"WETH": series_start_price(series, "WETH")}))
    leader, follower = market.pool("WETH", "USDC", 500), market.pool("WETH", "USDC", 3000)
    # (Asked for much less, the follower still earns what the arbitrage that moves it pays at its 0.3 % fee.)
    replay(market, leader, series, accounts[3], followers=[(follower, 1.5)])
    ratio = full_range_fee_fraction(follower) / full_range_fee_fraction(leader)
    print(f"\nfollower/leader fees per unit liquidity: {ratio:.3f} (asked 1.5)")
    assert 1.3 <= ratio <= 1.7, ratio
    assert abs(follower.slot0().tick - leader.slot0().tick) <= 2  # and arbitrage kept the prices together


def test_position_maths__equal_the_real_position_manager(market, accounts, chain):
    """Liquidity and amounts from keeper.univ3 equal what the real NonfungiblePositionManager and pool compute."""
    from keeper.univ3.liquidity import amounts_for_liquidity, liquidity_for_amounts
    from keeper.univ3.ticks import sqrt_price_x96_at_tick

    pool = market.pool("WETH", "USDC", 3000)
    lp = accounts[4]
    slot = pool.slot0()
    lower, upper = (slot.tick // 60 - 37) * 60, (slot.tick // 60 + 23) * 60
    amount0, amount1 = 7 * 10 ** market.decimals(market.symbol_of(pool.token0())), 31_000 * 10**6
    if market.symbol_of(pool.token0()) == "USDC":
        amount0, amount1 = 31_000 * 10**6, 7 * 10**18
    for token, amount in ((pool.token0(), amount0), (pool.token1(), amount1)):
        symbol = market.symbol_of(token)
        market.fund(lp, symbol, amount)
        market.tokens[symbol].approve(market.position_manager, amount, sender=lp)
    receipt = market.position_manager.mint(
        (pool.token0(), pool.token1(), 3000, lower, upper, amount0, amount1, 0, 0, lp.address,
         chain.pending_timestamp + 600), sender=lp)
    event = receipt.decode_logs(market.position_manager.IncreaseLiquidity)[0]
    sp, sa, sb = (slot.sqrtPriceX96, sqrt_price_x96_at_tick(lower), sqrt_price_x96_at_tick(upper))
    assert event.liquidity == liquidity_for_amounts(sp, sa, sb, amount0, amount1)
    assert (event.amount0, event.amount1) == amounts_for_liquidity(sp, sa, sb, event.liquidity, round_up=True)
