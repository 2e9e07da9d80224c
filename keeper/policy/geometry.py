"""Ranges on a pool's tick grid: how a half-width becomes ticks and back."""

from __future__ import annotations

import math
from dataclasses import dataclass

from keeper.optimize.ranges import CANDIDATE_HALF_WIDTHS

MIN_TICK, MAX_TICK = -887_272, 887_272
LOG_TICK = math.log(1.0001)


@dataclass(frozen=True)
class Range:
    """A concentrated position over ticks [lower, upper)."""

    lower: int
    upper: int


def centred(tick: float, half_width: float, spacing: int = 10) -> Range:
    """A range of +-half_width around `tick` on the pool's tick spacing (full range for an infinite width)."""
    top = (MAX_TICK // spacing) * spacing
    if math.isinf(half_width):
        return Range(-top, top)
    away = math.log(1 + half_width) / LOG_TICK
    lower = max(math.floor((tick - away) / spacing) * spacing, -top)
    return Range(lower, min(math.ceil((tick + away) / spacing) * spacing, top))


def snap(half_width: float, grid: tuple[float, ...] = CANDIDATE_HALF_WIDTHS) -> float:
    """The grid width nearest in log terms (the full range stays the full range if the grid has it)."""
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
