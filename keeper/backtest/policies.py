"""The range policies compared: static ranges, a passive re-centring rule, and the ALP keeper's optimizer."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from keeper.backtest.series import PastView
from keeper.market.features import realised_volatility
from keeper.optimize.ranges import HORIZON_YEARS, best_range, evaluate
from keeper.risk.profiles import RiskProfile

MIN_TICK, MAX_TICK = -887_272, 887_272
LOG_TICK = math.log(1.0001)


def centred(tick: float, half_width: float, spacing: int = 10) -> tuple[float, float]:
    """A range of +-half_width around `tick` on the pool's tick spacing (full range for an infinite width)."""
    if math.isinf(half_width):
        return (-(MAX_TICK // spacing) * spacing, (MAX_TICK // spacing) * spacing)
    away = math.log(1 + half_width) / LOG_TICK
    return (math.floor((tick - away) / spacing) * spacing, math.ceil((tick + away) / spacing) * spacing)


def label(half_width: float) -> str:
    return "full range" if math.isinf(half_width) else f"+-{half_width:.0%}"


@dataclass
class StaticRange:
    half_width: float
    spacing: int = 10

    @property
    def name(self) -> str:
        return f"static {label(self.half_width)}"

    def decide(self, view: PastView, current):
        return centred(view.tick, self.half_width, self.spacing) if current is None and view.step == 0 else None


@dataclass
class Recentre:
    """The passive rule most LP managers start with: re-centre the same width whenever the price leaves the range."""

    half_width: float
    spacing: int = 10

    @property
    def name(self) -> str:
        return f"re-centre {label(self.half_width)}"

    def decide(self, view: PastView, current):
        if current is None or not current[0] <= view.tick < current[1]:
            return centred(view.tick, self.half_width, self.spacing)
        return None


@dataclass
class AlpKeeper:
    """The live keeper's decision rule on the past alone: features -> risk -> optimizer -> act only if it pays.

    width_scale is the one tuned parameter (on the in-sample period); everything else comes from the profile.
    """

    profile: RiskProfile
    width_scale: float = 1.0
    gas_cost_fraction: float = 0.0005  # expected cost of a move, as a share of capital (set by the runner)
    spacing: int = 10
    decision_every: int = 6  # hours between re-evaluations when nothing forces one
    lookback: int = 168
    cost_margin: float = 2.0

    @property
    def name(self) -> str:
        return f"ALP keeper ({self.profile.name.value})"

    def _assess(self, view: PastView) -> tuple[float, float]:
        ticks = view.close_tick[-self.lookback:]
        vol = realised_volatility(ticks) if len(ticks) >= 24 else 0.8
        window = slice(max(view.step - 72, 0), view.step)
        price = 1.0001**view.tick
        fee_raw1 = float(np.mean(view.fees0[window] * price + view.fees1[window])) if view.step else 0.0
        depth_raw1 = 2 * float(np.mean(view.liquidity[window])) * math.sqrt(price) if view.step else 1.0
        base_fee_apr = fee_raw1 * 24 * 365 / depth_raw1 if depth_raw1 > 0 else 0.0
        return vol, base_fee_apr

    def decide(self, view: PastView, current):
        out_of_range = current is not None and not current[0] <= view.tick < current[1]
        if view.step < 24 or (view.step % self.decision_every and not out_of_range):
            return None  # a day of history before the first move; then every few hours, or when forced
        vol, base = self._assess(view)
        if vol > self.profile.max_volatility:
            return "exit" if current is not None else None
        choice = best_range(base, vol, self.gas_cost_fraction, self.profile.il_aversion, self.profile.min_half_width)
        if choice.net_apr <= 0:
            return "exit" if current is not None else None
        width = choice.half_width * self.width_scale if not math.isinf(choice.half_width) else choice.half_width
        if current is None or out_of_range:
            return centred(view.tick, width, self.spacing)
        # In range: move only if the better width pays for the move, with a margin, over the horizon.
        now_width = math.exp((current[1] - current[0]) / 2 * LOG_TICK) - 1
        now = evaluate(now_width, base, vol, self.gas_cost_fraction, self.profile.il_aversion)
        gain = (choice.net_apr - now.net_apr) * HORIZON_YEARS
        if gain > self.cost_margin * self.gas_cost_fraction:
            return centred(view.tick, width, self.spacing)
        return None
