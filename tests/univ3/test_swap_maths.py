"""The cost model's swap formulas against the real Uniswap V3 pool (npm bytecode) on anvil: within one interval of
constant liquidity, the pool pays what `keeper.univ3.swap` says to within rounding."""

from __future__ import annotations

import pytest

from keeper.univ3.swap import swap_output_one

Q96 = 2**96


@pytest.mark.parametrize("sym_in, amount", [("USDC", 1_000 * 10**6), ("WETH", 3 * 10**18), ("USDC", 200_000 * 10**6)])
def test_swap_output__matches_the_real_pool(market, pool, people, sym_in, amount):
    trader = people["whale"]
    sym_out = "WETH" if sym_in == "USDC" else "USDC"
    slot0 = pool.slot0()
    liquidity = pool.liquidity()
    zero_for_one = market.tokens[sym_in].address.lower() == pool.token0().lower()
    predicted = swap_output_one(float(amount), zero_for_one, slot0.sqrtPriceX96 / Q96, float(liquidity),
                                pool.fee() / 1_000_000)
    out = market.tokens[sym_out]
    before = out.balanceOf(trader)
    market.swap_exact_in(trader, sym_in, sym_out, pool.fee(), amount)
    paid = out.balanceOf(trader) - before
    assert pool.liquidity() == liquidity, "the swap stayed inside one interval of constant liquidity"
    assert pool.slot0().sqrtPriceX96 != slot0.sqrtPriceX96, "the price moved"
    assert paid == pytest.approx(predicted, rel=1e-9)
