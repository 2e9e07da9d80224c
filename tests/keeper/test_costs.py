"""The cost model: swaps by the pool's own formulas, gas in the native token, one model for a move priced alone or
in bulk, and per-swap data loaded and validated."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from keeper.market.history import DataError
from keeper.optimize.costs import MoveContext, move_cost, move_costs
from keeper.univ3.swap import swap_loss, swap_output, swap_output_one

CONTEXT = MoveContext(tick=200_000, liquidity=3e18, fee_rate=0.003, decimals0=6, decimals1=18,
                      numeraire_is_token0=True, gas_price_gwei=30.0, native_price=2_000.0)


def test_swap__one_and_many_agree__impact_grows_with_size():
    root = 1.0001 ** (200_000 / 2)
    for zero in (True, False):
        amounts = np.array([1e3, 1e9, 1e15, 1e21])
        many = swap_output(amounts, zero, root, 3e18, 0.003)
        one = [swap_output_one(float(a), zero, root, 3e18, 0.003) for a in amounts]
        np.testing.assert_allclose(many, one, rtol=1e-12)
        fee, impact = swap_loss(amounts, zero, root, 3e18, 0.003)
        np.testing.assert_allclose(fee, amounts * 0.003)
        shares = impact / amounts
        assert np.all(np.diff(shares) > 0), "a bigger swap moves the price further"
    assert swap_output_one(1e9, True, root, 0.0, 0.003) == 0.0  # nothing to swap against


def test_move_cost__scalar_and_vector_forms_are_one_model():
    for wealth, now, target in [(1e6, 1.0, 0.5), (1e6, 0.0, 0.5), (5e7, 0.2, 0.9), (10.0, 0.5, 0.5)]:
        one = move_cost(wealth, now, target, 500_000, CONTEXT)
        many = move_costs(np.array([wealth]), np.array([now]), np.array([target]), 500_000, CONTEXT)
        assert [one.gas, one.pool_fee, one.impact] == pytest.approx([float(x[0]) for x in many], rel=1e-9, abs=1e-12)
    assert move_cost(1e6, 1.0, 0.5, 500_000, CONTEXT).gas == pytest.approx(500_000 * 30e-9 * 2_000)
    assert move_cost(1e6, 1.0, 0.5, 500_000, CONTEXT).pool_fee == pytest.approx(0.5e6 * 0.003)


def test_series__numeraire_and_gas_priced_from_the_data():
    from keeper.backtest.runner import main_series
    from keeper.localnet.data import data_root
    from keeper.market.history import load_market

    by_name = {s.name.split(" ")[0] + (" 2023" if "2023-08-13" in s.name else ""): s
               for s in main_series(load_market(data_root()))}
    wbtc = by_name["ethereum-wbtc-weth-3000"]
    assert wbtc.numeraire == "WETH", "no stablecoin: the chain's wrapped native token is the vault asset"
    assert wbtc.native_source.startswith("ETH priced by this pool") and np.all(wbtc.native_price == 1.0)
    assert wbtc.gas_source.startswith("assumed 30 gwei")
    osqth = by_name["ethereum-weth-osqth-3000"]
    assert osqth.gas_source.startswith("history ethereum-gas-price"), "the gas file covers these dates"
    assert osqth.gas_gwei.max() > 5 * np.median(osqth.gas_gwei), "its spike is kept, not averaged away"
    polygon = by_name["polygon-usdc-weth-500"]
    assert polygon.numeraire == "USDC" and "MATIC assumed" in polygon.native_source


def test_swaps__loaded_and_active_liquidity_rebuilt_from_the_range_changes():
    from keeper.localnet.data import data_root
    from keeper.market.swaps import load_liquidity_changes, load_swaps

    folder = data_root() / "uniswap-v3" / "ethereum-wbtc-weth-3000"
    swaps, changes = load_swaps(folder), load_liquidity_changes(folder)
    assert len(swaps) == 161_984 and len(changes.block) == 36_271
    assert np.all(np.diff(swaps.block) >= 0)
    sample = np.linspace(1_000, len(swaps) - 1, 12).astype(int)
    for i in sample:
        rebuilt = changes.active_at(int(swaps.block[i]), int(swaps.tick[i]))
        assert rebuilt == pytest.approx(float(swaps.liquidity[i]), rel=1e-3)


def test_swaps__malformed_file__one_line_error_naming_the_row(tmp_path):
    from keeper.market.swaps import load_swaps

    with gzip.open(tmp_path / "swaps.csv.gz", "wt") as f:
        f.write("block,approx_timestamp,tick,amount0,amount1,liquidity\n")
        f.write("10,2021-05-03 15:40:34,258019,-0.1,1.0,100\n")
        f.write("11,2021-05-03 15:41:34,258019,oops,1.0,100\n")
    with pytest.raises(DataError, match=r"swaps.csv.gz:3: amount0 = 'oops' is not a number"):
        load_swaps(tmp_path)
    with gzip.open(tmp_path / "swaps.csv.gz", "wt") as f:
        f.write("block,approx_timestamp,tick,amount0,amount1,liquidity\n")
        f.write("12,2021-05-03 15:40:34,258019,-0.1,1.0,100\n11,2021-05-03 15:41:34,258019,-0.1,1.0,100\n")
    with pytest.raises(DataError, match="blocks go backwards"):
        load_swaps(tmp_path)
    with pytest.raises(DataError, match="missing"):
        load_swaps(tmp_path / "nowhere")


def test_fee_attribution__hourly_engine_within_2_percent_of_exact_per_swap():
    from keeper.backtest.fee_check import fee_attribution
    from keeper.backtest.runner import capital_for, main_series, plan_windows
    from keeper.localnet.data import data_root
    from keeper.market.history import load_market

    market = load_market(data_root())
    series = next(s for s in main_series(market, "ethereum-wbtc-weth-3000"))
    capital = capital_for(series, 0.01, plan_windows(len(series))[0][0].train)
    rows = fee_attribution(series, data_root() / "uniswap-v3" / "ethereum-wbtc-weth-3000", capital)
    assert len(rows) == 4 and all(r["windows"] >= 20 for r in rows)
    for r in rows:
        assert r["exact_fees"] > 0
        assert abs(r["difference"]) < 0.02, r
        assert r["worst_window"] < 0.10, r
