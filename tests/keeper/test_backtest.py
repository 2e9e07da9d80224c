"""The backtest engine: no strategy sees the future, fees are conserved, baselines behave as defined."""

from __future__ import annotations

import math

import numpy as np
import pytest

from keeper.backtest.engine import Costs, hold_asset, hold_fifty_fifty, simulate
from keeper.backtest.policies import StaticRange, centred
from keeper.backtest.series import PastView, PoolSeries

N = 48


def _series(liquidity: float = 1e18, drift: float = 0.0) -> PoolSeries:
    ticks = 200_000 + np.cumsum(np.r_[0, np.full(N - 1, drift)])
    return PoolSeries(
        name="synthetic", times=np.arange(N, dtype=np.int64) * 3_600, open_tick=ticks, close_tick=ticks,
        low_tick=ticks - 5, high_tick=ticks + 5, fees0=np.full(N, 1e9), fees1=np.full(N, 1e15),
        liquidity=np.full(N, liquidity), fee_rate=0.0005, decimals0=6, decimals1=18, symbols=("USDC", "WETH"),
        numeraire_is_token0=True,
    )


class _Spy:
    """Records what it was shown and tries to read one row past the present."""

    name = "spy"

    def __init__(self):
        self.seen: list[tuple[int, int]] = []
        self.peeks_failed = 0

    def decide(self, view: PastView, current):
        self.seen.append((view.step, len(view.close_tick)))
        try:
            view.close_tick[view.step]
        except IndexError:
            self.peeks_failed += 1
        return centred(view.tick, 0.05) if current is None else None


def test_no_strategy_sees_the_future():
    spy = _Spy()
    simulate(_series(), spy, 1_000_000)
    assert all(length == step for step, length in spy.seen)
    assert spy.peeks_failed == N, "reading the current or a future row must fail at every step"


def test_fees__conserved__a_sole_lp_earns_every_fee():
    series = _series(liquidity=0.0)  # nobody else in the pool: our position is all the in-range liquidity
    result = simulate(series, StaticRange(math.inf), 1_000_000, Costs(gas_price_gwei=0.0))
    total = sum(series.value(f0, f1, float(t)) for f0, f1, t in zip(series.fees0, series.fees1, series.close_tick))
    assert result.fees == pytest.approx(total, rel=1e-9)


def test_fees__share_of_liquidity__never_more_than_the_pool_paid():
    series = _series(liquidity=1e18)
    result = simulate(series, StaticRange(0.05), 1_000_000)
    total = sum(series.value(f0, f1, float(t)) for f0, f1, t in zip(series.fees0, series.fees1, series.close_tick))
    assert 0 < result.fees < total


def test_baselines__hold_asset_constant__fifty_fifty_follows_price():
    flat = _series()
    assert np.all(hold_asset(flat, 1_000).values == 1_000)
    assert hold_fifty_fifty(flat, 1_000).values[-1] == pytest.approx(1_000)
    rising = _series(drift=-50)  # numéraire is token0 (USDC): WETH gains value as the tick falls
    assert hold_fifty_fifty(rising, 1_000).values[-1] > 1_000


def test_allocation_across_sources__hindsight_bounds_every_strategy():
    from keeper.backtest.allocation_run import run_allocation
    from keeper.localnet.data import data_root
    from keeper.market.history import load_market

    report = run_allocation(load_market(data_root()), Costs())
    hindsight = next(r for r in report.rows if r.kind == "hindsight")
    assert all(np.isfinite(r.curve).all() for r in report.rows)
    assert all(r.net_return <= hindsight.net_return for r in report.rows)
    assert {r.kind for r in report.rows} == {"baseline", "alp", "hindsight"}
    assert len(report.source_names) >= 3  # deep pool, thin pool, lending markets


def test_alp_command__json_names_periods_and_strategies(tmp_path):
    import json

    from click.testing import CliRunner

    from keeper.backtest.command import backtest

    result = CliRunner(mix_stderr=False).invoke(backtest, ["--json", "--pool", "polygon-usdc-weth-500", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stdout + result.stderr
    body = json.loads(result.stdout)  # stdout is only JSON; the data notes go to stderr
    assert "data polygon-usdc-weth-500: 2 segment(s) (2022-07-19→2022-08-22, 2023-08-13→2023-08-17)" in result.stderr
    # Every segment is run, each named by its dates; one shorter than 30 days reports no APR.
    assert [p["pool"] for p in body["pools"]] == ["polygon-usdc-weth-500 2022-07-19→2022-08-22",
                                                  "polygon-usdc-weth-500 2023-08-13→2023-08-17"]
    assert all(s["apr"] is None for p in body["pools"] for s in p["strategies"].values())
    assert body["data_gaps"][0]["segments"] and body["data_gaps"][0]["longest_gap_seconds"] > 0
    pool = body["pools"][0]
    assert pool["in_sample"]["end"] < pool["held_out"]["start"]
    for numbers in pool["strategies"].values():
        assert {"net_return", "fees", "impermanent_loss", "gas", "rebalances", "max_drawdown"} <= set(numbers)
    assert (tmp_path / "report.html").is_file() and list(tmp_path.glob("*-equity.png"))


def test_alp_command__bad_data_folder__one_line_error(tmp_path):
    from click.testing import CliRunner

    from keeper.backtest.command import backtest

    result = CliRunner().invoke(backtest, ["--data", str(tmp_path)])
    assert result.exit_code != 0
    assert "no market data" in result.output and result.output.count("\n") <= 2
