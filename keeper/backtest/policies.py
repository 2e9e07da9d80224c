"""The strategies compared: holds, static ranges, a passive re-centring rule, and the ALP keeper's optimizer.

Every range is centred on the decision's price with a half-width from `CANDIDATE_HALF_WIDTHS` (the grid the
keeper's optimizer chooses from), so the perfect-foresight bound searches exactly these strategies' moves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from keeper.backtest.engine import Decision, Position
from keeper.backtest.holdings import CASH, Basket, Cash, Range
from keeper.backtest.series import PastView
from keeper.forecast.models import Ewma
from keeper.forecast.dataset import PoolPast
from keeper.forecast.selection import ForecastTrack
from keeper.optimize.ranges import RangeTerms, range_terms
from keeper.policy.geometry import centred, half_width_of, label, snap  # noqa: F401  (the strategies' geometry)
from keeper.policy.ranges import PoolSnapshot, RangeBook, decide_range, unit_values
from keeper.risk.profiles import RiskProfile


@dataclass
class HoldAsset:
    name: str = "hold the vault asset"
    once = True

    def decide(self, view: PastView, position: Position) -> Decision | None:
        return None


@dataclass
class HoldBasket:
    """Buy a token mix at `at_row` (the first decision from then on) and hold it."""

    share0: float
    name: str = "hold 50/50"
    at_row: int = 0
    once = True

    def decide(self, view: PastView, position: Position) -> Decision | None:
        if position.entered is None and view.step >= self.at_row:
            return position.decide(Basket(self.share0))
        return None


@dataclass
class StaticRange:
    half_width: float
    once = True

    @property
    def name(self) -> str:
        return f"static {label(self.half_width)}"

    def decide(self, view: PastView, position: Position) -> Decision | None:
        if position.entered is None:
            return position.decide(centred(view.tick, self.half_width, view.series.spacing))
        return None


@dataclass
class Recentre:
    """The passive rule most LP managers start with: re-centre the same width whenever the price is outside."""

    half_width: float

    @property
    def name(self) -> str:
        return f"re-centre {label(self.half_width)}"

    def decide(self, view: PastView, position: Position) -> Decision | None:
        held = position.holding
        if not isinstance(held, Range) or not held.lower <= view.tick < held.upper:
            return position.decide(centred(view.tick, self.half_width, view.series.spacing))
        return None


@dataclass
class AlpKeeper:
    """The keeper's range policy (`keeper.policy.ranges.decide_range`) on the past alone: this adapter builds the
    snapshot from the rows before the decision and the book from the engine's position.

    width_scale is the one tuned parameter (on each training window); everything else comes from the profile. The
    cost of every move is the cost model's estimate from what the keeper can see (last hour's gas, the pool now).
    Volatility and fee APR come from `forecast` (the walk-forward window's chosen models), else the EWMA baseline.
    `alternative` is what the capital earns outside the range, APR per row (the vault's lending in the pool's
    numéraire, where the data has it); read at the row before the decision. Without it the alternative is idle, 0.
    """

    profile: RiskProfile
    width_scale: float = 1.0
    cost_margin: float = 2.0
    forecast: ForecastTrack | None = None
    alternative: np.ndarray | None = None

    @property
    def name(self) -> str:
        return f"ALP keeper ({self.profile.name.value})"

    def _context(self, view: PastView, position: Position) -> tuple[PoolSnapshot, RangeTerms, np.ndarray]:
        """The snapshot, the optimizer's per-width terms and each candidate's value per unit of liquidity:
        functions of the rows before this step alone, computed once per step however many runs ask."""
        track = self.forecast or _baseline(view.series)
        key = ("alp", view.step, track.window, track.models, self.profile.min_half_width)
        hit = view.series.cache.get(key)
        if hit is not None:
            return hit
        vol, base = track.at(view.step)  # forecasts at a row read the rows before it only
        snapshot = PoolSnapshot(tick=view.tick, spacing=view.series.spacing, liquidity=float(view.liquidity[-1]),
                                volatility=vol, base_fee_apr=base, context=position.state)
        terms = range_terms(vol, self.profile.min_half_width)
        hit = (snapshot, terms, unit_values(snapshot, terms.widths))
        view.series.cache[key] = hit
        return hit

    def decide(self, view: PastView, position: Position) -> Decision | None:
        if view.step < 24:
            return None  # a day of history before the first move
        snapshot, terms, units = self._context(view, position)
        held = position.holding if isinstance(position.holding, Range) else None
        if held is None and not isinstance(position.holding, Cash):
            return None  # a basket is not this policy's to manage
        if self.alternative is not None:
            snapshot = replace(snapshot, alternative_apr=float(self.alternative[view.step - 1]))
        book = RangeBook(wealth=position.wealth, share0=position.share0, held=held)
        decision = decide_range(snapshot, book, self.profile, self.width_scale, self.cost_margin, terms, units)
        if decision.action == "enter":
            return Decision(decision.target, decision.cost)
        if decision.action == "exit":
            return Decision(CASH, decision.cost)
        return None


def _baseline(series) -> ForecastTrack:
    """The EWMA forecasts at every row of `series` (they need no fitting), kept on its cache."""
    hit = series.cache.get("ewma-track")
    if hit is None:
        past = PoolPast.of(series)
        rows = np.arange(len(past))
        vol, fee = Ewma().predict(past, rows, 0)
        hit = ForecastTrack(-1, ("EWMA", "EWMA"), 0, vol, fee)
        series.cache["ewma-track"] = hit
    return hit
