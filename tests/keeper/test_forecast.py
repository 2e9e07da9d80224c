"""Forecasts: features and choices see only the past, every model is scored out of sample, and the walk-forward
picks by those scores alone. Runs on the shipped Polygon USDC/WETH 2022 stretch (real history, no chain)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from keeper.backtest.runner import main_series, plan_windows
from keeper.forecast.dataset import FEATURES, MIN_PAST, PoolPast
from keeper.forecast.models import Ewma, Garch, all_models, ewma_fee_apr, ewma_volatility
from keeper.forecast.selection import CHOSEN, FEE_FROM_BASELINE, MIN_SCORED, walk_forward
from keeper.localnet.data import data_root
from keeper.market.history import load_market


@pytest.fixture(scope="module")
def series():
    return next(s for s in main_series(load_market(data_root())) if s.name.startswith("polygon-usdc-weth-500 2022"))


@pytest.fixture(scope="module")
def report(series):
    windows, cadence = plan_windows(len(series))
    return walk_forward(series, windows, cadence), windows


def _future_scrambled(series, start: int):
    """The same series with every row from `start` on replaced by noise: what the future could have been."""
    rng = np.random.default_rng(7)
    tick = series.close_tick.copy()
    tick[start:] = tick[start - 1] + np.cumsum(rng.normal(0, 40, len(tick) - start)).round()
    fees1 = series.fees1.copy()
    fees1[start:] = fees1[start:] * rng.uniform(0, 5, len(tick) - start)
    return replace(series, close_tick=tick, fees1=fees1, cache={})


def test_features__use_only_rows_before_their_row(series):
    row = len(series) // 2
    past, other = PoolPast.of(series), PoolPast.of(_future_scrambled(series, row))
    np.testing.assert_array_equal(past.features(np.arange(MIN_PAST, row + 1)),
                                  other.features(np.arange(MIN_PAST, row + 1)))
    assert not np.array_equal(past.features([row + 30]), other.features([row + 30])), "the scramble reached them"
    assert past.features([row]).shape == (1, len(FEATURES))


def test_models__forecasts_are_positive_and_track_the_realised_level(series):
    past, horizon = PoolPast.of(series), 24
    fit = np.arange(MIN_PAST, len(past) // 2)
    later = np.arange(len(past) // 2, len(past) - horizon, 6)
    realised_vol, realised_fee = past.targets(later, horizon)
    for model in (Ewma(), Garch()):
        model.fit(past, fit, horizon)
        vol, fee = model.predict(past, later, horizon)
        assert np.all(vol > 0) and np.all(fee >= 0), model.name
        # Within a factor of three of what came, in the median: a forecaster, not a constant from elsewhere.
        assert 1 / 3 < np.median(vol / realised_vol) < 3, model.name
    assert 1 / 3 < np.median((fee + 1e-4) / (realised_fee + 1e-4)) < 3


def test_walk_forward__first_window_runs_the_baseline_then_choices_follow_past_errors_only(report):
    forecasts, windows = report
    assert forecasts.tracks[0].models == ("EWMA", "EWMA"), "no model has an out-of-sample error before window 0"
    for k, (track, w) in enumerate(zip(forecasts.tracks, windows)):
        for target in (0, 1):
            candidates = [m.name for m in all_models() if m.forecasts[target]
                          and forecasts.scores[m.name].known_rows(w.test[0])]
            common = set.intersection(*(forecasts.scores[c].known_rows(w.test[0]) for c in candidates)) \
                if candidates else set()
            if len(common) < MIN_SCORED:
                assert track.models[target] == "EWMA", (k, target)
                continue
            errors = {c: forecasts.scores[c].rmse(target, before=w.test[0], rows=common)[0] for c in candidates}
            assert track.models[target] == min(errors, key=errors.get), (k, target, errors)


def test_walk_forward__a_window_is_blind_to_what_came_after_its_start(series, report):
    forecasts, windows = report
    k = len(windows) - 1
    start = windows[k].test[0]
    other = walk_forward(_future_scrambled(series, start), windows, plan_windows(len(series))[1])
    for j in range(k + 1):
        a, b = forecasts.tracks[j], other.tracks[j]
        assert a.models == b.models, j
        first = windows[j].test[0]  # at or before the scramble: the forecast the window's first decision reads
        assert a.at(first) == pytest.approx(b.at(first)), j


def test_walk_forward__table_scores_every_model_and_the_chosen_track(report):
    forecasts, windows = report
    rows = {r["model"]: r for r in forecasts.table()}
    assert set(rows) == {m.name for m in all_models()} | {CHOSEN}
    chosen = rows[CHOSEN]
    assert chosen["windows"] == len(windows) and chosen["rows"] > 0
    assert math.isfinite(chosen["vol_rmse"]) and chosen["vol_rmse"] > 0
    for name in FEE_FROM_BASELINE:
        assert math.isnan(rows[name]["fee_rmse"]), "its fee forecast is the baseline's and is not scored as its own"
    assert sum(r["chosen_vol"] for n, r in rows.items() if n != CHOSEN) == len(windows)
    assert sum(r["chosen_fee"] for n, r in rows.items() if n != CHOSEN) == len(windows)


@pytest.mark.parametrize("model", all_models(), ids=lambda m: m.name)
def test_models__fitted_before_a_row_forecast_it_the_same_whatever_came_after(series, model):
    horizon, row = 24, 600
    fit = np.arange(MIN_PAST, row - horizon + 1)  # every target ends by `row`
    forecasts = []
    for s in (series, _future_scrambled(series, row)):
        past = PoolPast.of(s)
        fresh = type(model)().fit(past, fit, horizon)
        forecasts.append(np.concatenate(fresh.predict(past, np.array([row]), horizon)))
    np.testing.assert_allclose(forecasts[0], forecasts[1], rtol=1e-9)


def test_live_estimates__are_the_backtests_baseline_on_the_same_hours(series):
    """The live keeper's estimators (`ewma_volatility` on its observed ticks, `ewma_fee_apr` on each interval's fee
    APR) read what `Ewma` forecasts from the same hours, and keep their half-life in hours however they sample."""
    past, row = PoolPast.of(series), 600
    vol, fee = (float(x[0]) for x in Ewma().predict(past, np.array([row]), 24))
    hours = np.arange(row) * 3_600
    assert ewma_volatility(series.close_tick[:row], hours) == pytest.approx(vol, rel=1e-3)
    # Interval i (hours i -> i+1) earned row i+1's fees; the backtest's row 0 has no interval before it.
    assert ewma_fee_apr(past.fee_apr[1:row], hours) == pytest.approx(fee, rel=1e-3)
    # Sampled every two hours the same half-life in hours gives about the same level, not twice or half.
    assert ewma_volatility(series.close_tick[:row:2], hours[::2]) == pytest.approx(vol, rel=0.35)
    two_hourly = (past.fee_apr[1:row - 1:2] + past.fee_apr[2:row:2]) / 2
    assert ewma_fee_apr(two_hourly, hours[::2][: len(two_hourly) + 1]) == pytest.approx(fee, rel=0.1)
    # A long gap weighs as its length: one quiet day after busy hours pulls the estimate down, not by one step.
    busy = ewma_fee_apr([1.0] * 24, hours[:25])
    quiet = ewma_fee_apr([1.0] * 24 + [0.0], np.append(hours[:25], hours[24] + 86_400))
    assert busy == pytest.approx(1.0) and quiet < 0.6
