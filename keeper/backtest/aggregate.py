"""A series' walk-forward windows summed up: each strategy's figures over every reporting window, chained."""

from __future__ import annotations

import math

import numpy as np

from keeper.backtest.measures import HOURS_PER_YEAR, MIN_ANNUALISED_DAYS
from keeper.backtest.runner import SeriesReport, chained

# Below this gain over holding the asset (a share of capital) the bound is no yardstick: a share of it is noise.
MIN_HEADROOM = 0.005


def strategies(report: SeriesReport) -> list[tuple[str, str]]:
    """(name, kind) of every row, in the order of the first window."""
    return [(r.strategy, r.kind) for r in report.windows[0].rows]


def by_name(report: SeriesReport, name: str):
    return [next(r for r in w.rows if r.strategy == name) for w in report.windows]


def summary(report: SeriesReport) -> dict[str, dict]:
    """Per strategy: chained net return (out of sample, every reporting window in turn), its share of the bound's
    gain over holding the vault asset,
    the mean and worst window, windows won against hold 50/50, and the costs and fees summed over all windows."""
    capital = report.capital
    bound = [r.curve[-1] / capital - 1 for r in by_name(report, "upper bound (perfect foresight)")]
    cash = chained([r.curve[-1] / capital - 1 for r in by_name(report, "hold the vault asset")])
    # The bound's gain over doing nothing (holding the asset, itself a path the bound may take): the share of it
    # a strategy achieves. Too small a gain to divide by is not a yardstick.
    headroom = chained(bound) - cash
    fifty = [r.curve[-1] / capital - 1 for r in by_name(report, "hold 50/50")]
    hours = sum(len(w.rows[0].curve) for w in report.windows)
    out = {}
    for name, kind in strategies(report):
        rows = by_name(report, name)
        returns = [r.curve[-1] / capital - 1 for r in rows]
        total = chained(returns)
        hourly = np.concatenate([np.diff(np.r_[capital, r.curve]) / np.r_[capital, r.curve[:-1]] for r in rows])
        std = float(np.std(hourly))
        ils = [r.impermanent_loss for r in rows if r.impermanent_loss is not None]
        out[name] = {
            "kind": kind,
            "net_return": total,
            "apr": (1 + total) ** (HOURS_PER_YEAR / hours) - 1 if hours >= MIN_ANNUALISED_DAYS * 24 else None,
            "gross_return": chained([r.gross[-1] / capital - 1 for r in rows]),
            "share_of_bound": (total - cash) / headroom if headroom > MIN_HEADROOM else None,
            "mean_window": float(np.mean(returns)),
            "worst_window": float(np.min(returns)),
            "windows_beating_50_50": int(sum(a > b for a, b in zip(returns, fifty))),
            # The bound's path is a value, not a strategy run: its fees and costs are not itemised.
            "fees": None if kind == "bound" else float(sum(r.fees for r in rows)),
            "impermanent_loss": float(sum(ils)) if ils else None,
            "gas": None if kind == "bound" else float(sum(r.gas for r in rows)),
            "pool_fee": None if kind == "bound" else float(sum(r.pool_fee for r in rows)),
            "impact": None if kind == "bound" else float(sum(r.impact for r in rows)),
            "moves": int(sum(r.moves for r in rows)),
            "refused": int(sum(r.refused for r in rows)),
            "max_drawdown": float(max(np.max(1 - np.r_[capital, r.curve] / np.maximum.accumulate(np.r_[capital, r.curve]))
                                      for r in rows)),
            "sharpe": float(np.mean(hourly) / std * math.sqrt(HOURS_PER_YEAR)) if std > 1e-9 else 0.0,
        }
    return out


def bound_violations(report: SeriesReport, tolerance: float = 1e-9) -> list[tuple[int, str, float, float]]:
    """(window, strategy, its gross end value, the bound's) wherever a strategy ended above the bound."""
    out = []
    for k, w in enumerate(report.windows):
        bound = next(r for r in w.rows if r.kind == "bound").gross[-1]
        for r in w.rows:
            if r.gross[-1] > bound * (1 + tolerance):
                out.append((k, r.strategy, float(r.gross[-1]), float(bound)))
    return out


def cost_check(reports: list[SeriesReport]) -> dict[str, dict[str, float]]:
    """Over every move of every strategy in the run: what the deciding strategy expected each cost part to be
    (from the hour before, by the cost model) against what the engine charged at execution."""
    parts = ("gas", "pool_fee", "impact")
    expected = dict.fromkeys(parts, 0.0)
    charged = dict.fromkeys(parts, 0.0)
    moves = 0
    for report in reports:
        for w in report.windows:
            for r in w.rows:
                for m in r.move_log:
                    moves += 1
                    for p in parts:
                        # Each series has its own numéraire: sum shares of the wealth moved, not raw amounts.
                        expected[p] += getattr(m.expected, p) / m.wealth
                        charged[p] += getattr(m.charged, p) / m.wealth
    out = {p: {"expected": expected[p], "charged": charged[p],
               "difference": (expected[p] - charged[p]) / charged[p] if charged[p] else 0.0} for p in parts}
    total_e, total_c = sum(expected.values()), sum(charged.values())
    out["total"] = {"expected": total_e, "charged": total_c,
                    "difference": (total_e - total_c) / total_c if total_c else 0.0}
    out["moves"] = {"count": moves}
    return out
