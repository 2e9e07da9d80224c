"""The range for a concentrated position: the half-width that maximises expected net APR.

Expected net APR(w) = fee APR of a full-range position x concentration(w) x share of time in range
                      − IL aversion x expected impermanent loss(w, volatility, horizon) / horizon
                      − cost of re-centring (gas + swap) x expected re-centrings per year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from keeper.risk.impermanent_loss import concentration, expected_impermanent_loss, time_in_range

CANDIDATE_HALF_WIDTHS = (0.01, 0.02, 0.03, 0.05, 0.075, 0.10, 0.15, 0.25, 0.5, 1.0, math.inf)
HORIZON_YEARS = 7 / 365  # re-evaluated weekly at the latest


@dataclass(frozen=True)
class RangeChoice:
    half_width: float
    net_apr: float
    fee_apr: float
    il_apr: float
    cost_apr: float


def evaluate(half_width: float, base_fee_apr: float, volatility: float, rebalance_cost: float,
             il_aversion: float = 1.0, horizon_years: float = HORIZON_YEARS) -> RangeChoice:
    """Expected annualised returns of a centred range (rebalance_cost: fraction of capital per re-centring)."""
    in_range = time_in_range(half_width, volatility, horizon_years)
    fees = base_fee_apr * concentration(half_width) * in_range
    il = expected_impermanent_loss(half_width, volatility, horizon_years) / horizon_years
    recentres_per_year = (1 - in_range) / horizon_years if not math.isinf(half_width) else 0.0
    cost = rebalance_cost * recentres_per_year
    return RangeChoice(half_width, fees - il_aversion * il - cost, fees, il, cost)


def best_range(base_fee_apr: float, volatility: float, rebalance_cost: float, il_aversion: float = 1.0,
               min_half_width: float = 0.0, candidates: tuple[float, ...] = CANDIDATE_HALF_WIDTHS) -> RangeChoice:
    allowed = [w for w in candidates if w >= min_half_width] or [math.inf]
    return max((evaluate(w, base_fee_apr, volatility, rebalance_cost, il_aversion) for w in allowed),
               key=lambda c: c.net_apr)
