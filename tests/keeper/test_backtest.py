"""The backtest engine: no strategy sees the future, fees are conserved, costs are charged and bounded, baselines
behave as defined, and the pool maths alone matches an independent float model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from keeper.backtest.engine import simulate
from keeper.backtest.holdings import Range
from keeper.backtest.policies import HoldAsset, HoldBasket, StaticRange, centred
from keeper.backtest.series import PastView, PoolSeries

N = 48


def _series(liquidity: float = 1e18, drift: float = 0.0, gas: float = 0.0) -> PoolSeries:
    ticks = 200_000 + np.cumsum(np.r_[0, np.full(N - 1, drift)])
    return PoolSeries(
        name="synthetic", times=np.arange(N, dtype=np.int64) * 3_600, open_tick=ticks, close_tick=ticks,
        low_tick=ticks - 5, high_tick=ticks + 5, fees0=np.full(N, 1e9), fees1=np.full(N, 1e15),
        liquidity=np.full(N, liquidity), gas_gwei=np.full(N, gas), native_price=np.full(N, 2_000.0),
        fee_rate=0.0005, decimals0=6, decimals1=18, symbols=("USDC", "WETH"), numeraire_is_token0=True,
        chain="ethereum", spacing=10,
    )


class _Spy:
    """Records what it was shown and tries to read one row past the present."""

    name = "spy"

    def __init__(self):
        self.seen: list[tuple[int, int]] = []
        self.peeks_failed = 0

    def decide(self, view: PastView, position):
        self.seen.append((view.step, len(view.close_tick)))
        try:
            view.close_tick[view.step]
        except IndexError:
            self.peeks_failed += 1
        return position.decide(centred(view.tick, 0.05)) if position.entered is None else None


def test_no_strategy_sees_the_future():
    spy = _Spy()
    simulate(_series(), spy, 1_000_000, start=10, cadence=1)
    assert [s for s, _ in spy.seen] == list(range(10, N))
    assert all(length == step for step, length in spy.seen), "a decision at row i sees rows < i, warm-up included"
    assert spy.peeks_failed == len(spy.seen), "reading the current or a future row must fail at every step"


def _paid(series: PoolSeries) -> float:
    """Every fee the pool paid, in the numéraire; the non-numéraire token converted through the pool."""
    keep = 1 - series.fee_rate
    return sum(series.value(f0, f1 * keep, float(t)) for f0, f1, t in zip(series.fees0, series.fees1, series.close_tick))


def test_fees__conserved__a_sole_lp_earns_every_fee():
    series = _series(liquidity=0.0)  # nobody else in the pool: our position is all the in-range liquidity
    result = simulate(series.without_costs(), StaticRange(math.inf), 1_000_000)
    total = sum(series.value(f0, f1, float(t)) for f0, f1, t in zip(series.fees0, series.fees1, series.close_tick))
    assert result.fees == pytest.approx(total, rel=1e-9)
    charged = simulate(series, StaticRange(math.inf), 1_000_000)
    assert charged.fees == pytest.approx(_paid(series), rel=1e-9), "with costs on, fee tokens are swapped in"


def test_fees__share_of_liquidity__never_more_than_the_pool_paid():
    series = _series(liquidity=1e18)
    result = simulate(series, StaticRange(0.05), 1_000_000)
    assert 0 < result.fees < _paid(series)


def test_baselines__hold_asset_constant__fifty_fifty_follows_price():
    flat = _series()
    assert np.all(simulate(flat, HoldAsset(), 1_000).values == 1_000)
    fifty = simulate(flat.without_costs(), HoldBasket(0.5), 1_000)
    assert fifty.values[-1] == pytest.approx(1_000)
    rising = _series(drift=-50)  # numéraire is token0 (USDC): WETH gains value as the tick falls
    assert simulate(rising, HoldBasket(0.5), 1_000).values[-1] > 1_000
    charged = simulate(flat, HoldBasket(0.5), 1_000)
    assert charged.values[-1] < 1_000 and charged.costs.pool_fee == pytest.approx(500 * flat.fee_rate)


def test_costs__gas_in_the_native_token__impact_by_the_pool_maths():
    series = _series(liquidity=1e15, gas=50.0)
    result = simulate(series, StaticRange(0.05), 1_000_000)
    move = result.moves[0]
    assert move.charged.gas == pytest.approx(500_195 * 50e-9 * 2_000.0)
    # A thin pool: swapping half of a million through liquidity 1e15 costs far more than the fee.
    assert move.charged.impact > 10 * move.charged.pool_fee
    deep = simulate(_series(liquidity=1e22, gas=50.0), StaticRange(0.05), 1_000_000).moves[0]
    assert deep.charged.impact < 0.01 * deep.charged.pool_fee


def test_costs__a_move_dearer_than_the_wealth__is_refused_and_value_never_negative():
    series = _series(gas=1e6)  # a move costs 1,000 ETH of gas
    result = simulate(series, StaticRange(0.05), 1_000.0, cadence=1)
    assert result.moves == [] and result.refused > 0
    assert np.all(result.values == 1_000.0)


def _float_model(series: PoolSeries, rng: Range, capital: float, start: int) -> float:
    """An independent re-derivation of a static range's end value with free moves: liquidity bought at the open,
    then hour by hour its share of the fees for the part of the hour's price span inside it."""
    def amounts(liquidity, tick):
        sa, sb, s = (1.0001 ** (t / 2) for t in (rng.lower, rng.upper, tick))
        s = min(max(s, sa), sb)
        return liquidity * (1 / s - 1 / sb), liquidity * (s - sa)

    tick0 = float(series.close_tick[start - 1])
    liquidity = capital / series.value(*amounts(1.0, tick0), tick0)
    fees = 0.0
    for i in range(start, len(series)):
        low, high = float(series.low_tick[i]), float(series.high_tick[i])
        inside = (max(min(high, rng.upper) - max(low, rng.lower), 0) / (high - low) if high > low
                  else float(rng.lower <= low < rng.upper))
        share = liquidity / (float(series.liquidity[i]) + liquidity)
        fees += series.value(share * inside * series.fees0[i], share * inside * series.fees1[i], float(series.close_tick[i]))
    end = float(series.close_tick[-1])
    return series.value(*amounts(liquidity, end), end) + fees


def test_costs_off__static_ranges_match_an_independent_float_model():
    from keeper.backtest.runner import main_series
    from keeper.localnet.data import data_root
    from keeper.market.history import load_market

    series = next(s for s in main_series(load_market(data_root())) if s.name.startswith("polygon")).without_costs()
    start = 24 * 14
    for width in (math.inf, 0.10, 0.02):
        engine = simulate(series, StaticRange(width), 10_000.0, start=start).values[-1]
        model = _float_model(series, centred(float(series.close_tick[start - 1]), width, series.spacing), 10_000.0, start)
        assert engine == pytest.approx(model, rel=1e-6)


def test_allocation_across_sources__hindsight_bounds_every_strategy():
    from keeper.backtest.allocation_run import run_allocation
    from keeper.localnet.data import data_root
    from keeper.market.history import load_market

    report = run_allocation(load_market(data_root()))
    hindsight = next(r for r in report.rows if r.kind == "bound")
    assert all(np.isfinite(r.curve).all() for r in report.rows)
    assert all(r.curve[-1] <= hindsight.curve[-1] for r in report.rows)
    assert {r.kind for r in report.rows} >= {"hold", "static", "alp", "bound"}
    assert len(report.sources) >= 3  # deep pool, thin pool, lending markets
    assert any(r.costs > 0 for r in report.rows if r.kind == "alp" and r.moves)


def test_alp_command__json_names_windows_strategies_and_bound(tmp_path):
    import json

    from click.testing import CliRunner

    from keeper.backtest.command import backtest

    result = CliRunner(mix_stderr=False).invoke(backtest, ["--json", "--no-sweep", "--pool", "polygon-usdc-weth-500",
                                                           "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stdout + result.stderr
    body = json.loads(result.stdout)  # stdout is only JSON; the data notes go to stderr
    assert "data polygon-usdc-weth-500: 2 segment(s) (2022-07-19→2022-08-22, 2023-08-13→2023-08-17)" in result.stderr
    # Every segment is run, each named by its dates; windows under 30 days report no APR, only the period's return.
    assert [s["pool"] for s in body["series"]] == ["polygon-usdc-weth-500 2022-07-19→2022-08-22",
                                                   "polygon-usdc-weth-500 2023-08-13→2023-08-17"]
    first = body["series"][0]
    assert len(first["windows"]) >= 3
    for w in first["windows"]:
        assert w["train"]["end"] <= w["test"]["start"], "tuned before the window it is reported on"
        assert all(s["apr"] is None for s in w["strategies"].values())
    names = set(first["summary"])
    assert {"hold the vault asset", "hold 50/50", "HODL the keeper's first inventory", "static full range",
            "best static ex ante", "re-centre +-5%", "ALP keeper (balanced)", "upper bound (perfect foresight)"} <= names
    assert first["bound_violations"] == []
    assert first["capital_share_of_depth"] == pytest.approx(0.01)
    assert "MATIC" in first["native_token_price"] and body["cost_check"]["moves"]["count"] > 0
    assert (tmp_path / "report.html").is_file() and list(tmp_path.glob("*-equity.png"))
    assert list(tmp_path.glob("*-ranges.png")) and (tmp_path / "report.json").is_file()


def test_alp_command__bad_data_folder__one_line_error(tmp_path):
    from click.testing import CliRunner

    from keeper.backtest.command import backtest

    result = CliRunner().invoke(backtest, ["--data", str(tmp_path)])
    assert result.exit_code != 0
    assert "no market data" in result.output and result.output.count("\n") <= 2


@pytest.mark.parametrize("args, says", [(["--capital-share", "0"], "--capital-share 0: must be above 0"),
                                        (["--capital", "-5"], "--capital -5: must be above 0"),
                                        (["--capital", "5", "--capital-share", "0.1"], "choose one"),
                                        (["--pool", "nope"], "no pool 'nope' in the data")])
def test_alp_command__bad_option__one_line_error(args, says):
    from click.testing import CliRunner

    from keeper.backtest.command import backtest

    result = CliRunner().invoke(backtest, args)
    assert result.exit_code != 0
    assert says in result.output and result.output.strip().count("\n") <= 4
