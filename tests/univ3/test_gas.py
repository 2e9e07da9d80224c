"""Gas bound of a keeper re-range against the raw Uniswap calls for the same change (issue 3: at most +30 %)."""

from __future__ import annotations

from bench.univ3_rebalance import BOUND, measure


def test_rerange_gas__within_30_percent_of_raw_uniswap_calls():
    result = measure()
    print(f"\nre-range gas: ours {result['ours']:,} vs raw {result['uniswap_raw']:,} "
          f"({result['ours'] / result['uniswap_raw'] - 1:.1%} overhead)")
    assert result["ours"] <= result["uniswap_raw"] * BOUND
