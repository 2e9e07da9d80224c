"""Walk-forward evaluation: windows tile the series out of sample, choices come from the training window only,
and the perfect-foresight bound is the best path over the strategies' own moves, above every strategy."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from keeper.backtest.bound import upper_bound
from keeper.backtest.engine import simulate
from keeper.backtest.holdings import CASH, Basket
from keeper.backtest.policies import StaticRange, centred
from keeper.backtest.runner import STATIC_WIDTHS, main_series, plan_windows, run_many
from keeper.localnet.data import data_root
from keeper.market.history import load_market


@pytest.fixture(scope="module")
def shipped():
    return main_series(load_market(data_root()))


@pytest.fixture(scope="module")
def reports(shipped):
    return run_many(shipped, sweep=False)


@pytest.mark.parametrize("rows", [96, 120, 840, 16_906])
def test_windows__train_before_test__reports_tile_the_rest(rows):
    windows, cadence = plan_windows(rows)
    assert len(windows) >= 3 and cadence >= 1
    for w in windows:
        assert w.train[1] == w.test[0], "each reporting window follows its own training window"
        assert w.test[1] - w.test[0] == windows[0].test[1] - windows[0].test[0]
        assert (w.test[1] - w.test[0]) % cadence == 0
    for a, b in zip(windows, windows[1:]):
        assert a.test[1] == b.test[0], "reporting windows roll on without gaps or overlaps"
    assert rows - windows[-1].test[1] < windows[0].test[1] - windows[0].test[0]


def test_bound__at_or_above_every_strategy_on_every_window_of_the_shipped_data(reports):
    checked = 0
    for report in reports:
        for w in report.windows:
            bound = next(r for r in w.rows if r.kind == "bound")
            for row in w.rows:
                assert row.gross[-1] <= bound.gross[-1] * (1 + 1e-12), (report.pool, w.times, row.strategy)
                assert row.curve[-1] <= bound.curve[-1] * (1 + 1e-12), "vault fees keep the order"
                checked += 1
    assert checked > 300
    # Every shipped series, every segment.
    assert {r.pool.split(" ")[0] for r in reports} == {"ethereum-wbtc-weth-3000", "ethereum-weth-osqth-3000",
                                                       "polygon-usdc-weth-500"}


def test_walk_forward__static_width_chosen_on_the_training_window(reports, shipped):
    report = next(r for r in reports if r.pool == "ethereum-wbtc-weth-3000")
    series = next(s for s in shipped if s.name == report.pool)
    for w in report.windows[:4]:
        scores = {width: simulate(series, StaticRange(width), report.capital, *w.window.train,
                                  cadence=report.cadence).values[-1] for width in STATIC_WIDTHS}
        assert w.best_static == max(scores, key=scores.get)
        chosen = next(r for r in w.rows if r.strategy == "best static ex ante")
        same = next(r for r in w.rows if r.strategy == StaticRange(w.best_static).name)
        np.testing.assert_allclose(chosen.gross, same.gross)


class _Script:
    """Moves into a fixed holding at each decision (None keeps what it holds)."""

    name = "script"

    def __init__(self, plan):
        self.plan = list(plan)

    def decide(self, view, position):
        step = self.plan.pop(0)
        if step is None:
            return None
        target = step if not isinstance(step, float) else centred(view.tick, step, view.series.spacing)
        return position.decide(target)


def test_bound__equals_the_best_of_every_path_by_brute_force(shipped):
    """On a short stretch, every sequence of moves over cash, the 50/50 basket and two widths (kept or redrawn at
    each decision) run through the engine: the bound is the best of them. The pool's liquidity is made deep enough
    that the position's own share of it is negligible, the one place the bound is allowed to be generous."""
    from dataclasses import replace

    series = next(s for s in shipped if s.name.startswith("polygon-usdc-weth-500 2022"))
    series = replace(series, liquidity=series.liquidity * 1e6, cache={})
    start, cadence, decisions = 24 * 14, 24, 3
    end = start + cadence * decisions
    choices = [None, CASH, Basket(0.5), 0.05, math.inf]
    best = -math.inf
    for plan in itertools.product(choices, repeat=decisions):
        values = simulate(series, _Script(plan), 10_000.0, start, end, cadence=cadence).values
        best = max(best, float(values[-1]))
    bound = upper_bound(series, 10_000.0, start, end, baskets=(0.5,), widths=(0.05, math.inf), cadence=cadence)
    assert bound.final == pytest.approx(best, rel=1e-6)
    assert bound.values[-1] == pytest.approx(bound.final)


def test_cost_model__decision_estimates_agree_with_what_the_engine_charged(reports):
    from keeper.backtest.aggregate import cost_check

    check = cost_check(reports)
    assert check["moves"]["count"] > 500
    # Pool fee and impact: the decision sees the pool as the move meets it. Gas: it sees the last hour's price,
    # the engine charges this hour's.
    assert check["pool_fee"]["difference"] == pytest.approx(0.0, abs=1e-9)
    assert check["impact"]["difference"] == pytest.approx(0.0, abs=1e-9)
    assert abs(check["total"]["difference"]) < 0.15


def test_size_sweep__size_hurts_a_passive_range_through_impact_and_dilution(shipped):
    from keeper.backtest.runner import run_series

    series = next(s for s in shipped if s.name.startswith("polygon-usdc-weth-500 2022"))
    report = run_series(series)
    full = report.sweep["static full range"]
    shares = sorted(full)
    assert shares[0] <= 0.001 and shares[-1] >= 3.0
    # Gas is negligible on Polygon: from 1 % of the depth up, every step in size costs return.
    big = [full[s] for s in shares if s >= 0.01]
    assert all(a > b for a, b in zip(big, big[1:]))
