"""The strategies compared: holds, static ranges, a passive re-centring rule, and the ALP keeper's optimizer.

Every range is centred on the decision's price with a half-width from `CANDIDATE_HALF_WIDTHS` (the grid the
keeper's optimizer chooses from), so the perfect-foresight bound searches exactly these strategies' moves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from keeper.backtest.engine import Decision, Position
from keeper.backtest.holdings import CASH, Basket, Cash, Range, unit_amounts
from keeper.backtest.series import PastView
from keeper.market.features import realised_volatility
from keeper.optimize.costs import RERANGE_GAS, move_cost
from keeper.optimize.ranges import CANDIDATE_HALF_WIDTHS, HORIZON_YEARS, RangeTerms, net_aprs, range_terms
from keeper.risk.profiles import RiskProfile

MIN_TICK, MAX_TICK = -887_272, 887_272
LOG_TICK = math.log(1.0001)


def centred(tick: float, half_width: float, spacing: int = 10) -> Range:
    """A range of +-half_width around `tick` on the pool's tick spacing (full range for an infinite width)."""
    top = (MAX_TICK // spacing) * spacing
    if math.isinf(half_width):
        return Range(-top, top)
    away = math.log(1 + half_width) / LOG_TICK
    lower = max(math.floor((tick - away) / spacing) * spacing, -top)
    return Range(lower, min(math.ceil((tick + away) / spacing) * spacing, top))


def snap(half_width: float, grid: tuple[float, ...] = CANDIDATE_HALF_WIDTHS) -> float:
    """The grid width nearest in log terms (the full range stays the full range)."""
    if math.isinf(half_width) and math.inf in grid:
        return half_width
    finite = [w for w in grid if not math.isinf(w)] or [math.inf]
    if math.isinf(half_width):
        return finite[-1]
    return min(finite, key=lambda w: abs(math.log(w) - math.log(half_width)))


def label(half_width: float) -> str:
    return "full range" if math.isinf(half_width) else f"+-{half_width:.0%}"


def half_width_of(rng: Range) -> float:
    if rng.upper - rng.lower > MAX_TICK:  # only a full range is that wide
        return math.inf
    return math.exp((rng.upper - rng.lower) / 2 * LOG_TICK) - 1


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
    """The live keeper's decision rule on the past alone: features -> risk -> optimizer -> act only if it pays.

    width_scale is the one tuned parameter (on each training window); everything else comes from the profile. The
    cost of every move is the cost model's estimate from what the keeper can see (last hour's gas, the pool now).
    """

    profile: RiskProfile
    width_scale: float = 1.0
    lookback: int = 168
    cost_margin: float = 2.0

    @property
    def name(self) -> str:
        return f"ALP keeper ({self.profile.name.value})"

    def _context(self, view: PastView) -> tuple[float, float, RangeTerms, np.ndarray]:
        """Volatility, full-range fee APR, the optimizer's per-width terms and each candidate range's value per
        unit of liquidity: functions of the rows before this step alone, computed once per step."""
        key = ("alp", view.step, self.lookback, self.profile.min_half_width)
        hit = view.series.cache.get(key)
        if hit is not None:
            return hit
        ticks = view.close_tick[-self.lookback:]
        vol = realised_volatility(ticks) if len(ticks) >= 24 else 0.8
        window = slice(max(view.step - 72, 0), view.step)
        price = 1.0001**view.tick
        fee_raw1 = float(np.mean(view.fees0[window] * price + view.fees1[window]))
        depth_raw1 = 2 * float(np.mean(view.liquidity[window])) * math.sqrt(price)
        base = fee_raw1 * 24 * 365 / depth_raw1 if depth_raw1 > 0 else 0.0
        terms = range_terms(vol, self.profile.min_half_width)
        widths = terms.widths
        finite = np.where(np.isinf(widths), 1.0, widths)
        away = np.log1p(finite) / LOG_TICK
        lower = np.where(np.isinf(widths), MIN_TICK, view.tick - away)
        upper = np.where(np.isinf(widths), MAX_TICK, view.tick + away)
        a0, a1 = unit_amounts(lower, upper, view.tick)
        hit = (vol, base, terms, view.series.value_at(a0, a1, view.tick))
        view.series.cache[key] = hit
        return hit

    def decide(self, view: PastView, position: Position) -> Decision | None:
        if view.step < 24:
            return None  # a day of history before the first move
        held = position.holding
        vol, base, terms, unit = self._context(view)
        if vol > self.profile.max_volatility:
            return position.decide(CASH) if not isinstance(held, Cash) else None
        # A re-centre swaps about half the position: its cost as a share of wealth, by the cost model.
        recentre = move_cost(position.wealth, 0.0, 0.5, RERANGE_GAS, position.state).total / position.wealth
        # The position's own share of the in-range liquidity at each width, were it all in that range.
        own = position.wealth / unit
        own = own / (float(view.liquidity[-1]) + own)
        net, _, _ = net_aprs(terms, base, recentre, self.profile.il_aversion, own)
        best = int(np.argmax(net))
        if net[best] <= 0:
            return position.decide(CASH) if not isinstance(held, Cash) else None
        allowed = tuple(float(w) for w in terms.widths)
        width = snap(float(terms.widths[best]) * self.width_scale, allowed)
        target = centred(view.tick, width, view.series.spacing)
        move = position.decide(target)
        margin = self.cost_margin * move.expected.total
        if not isinstance(held, Range) or not held.lower <= view.tick < held.upper:
            # Out of the pool or out of range, a position earns nothing: the gain is the fees it would earn.
            gain = float(net[best]) * HORIZON_YEARS * position.wealth
            return move if gain > margin else None
        now_width = snap(half_width_of(held), allowed)
        now = float(net[allowed.index(now_width)])
        gain = (float(net[best]) - now) * HORIZON_YEARS * position.wealth
        return move if gain > margin and target != held else None
