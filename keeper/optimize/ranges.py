"""The range for a concentrated position: the half-width that maximises expected net APR.

Expected net APR(w) = fee APR of a full-range position x concentration(w) x share of time in range
                      − IL aversion x expected impermanent loss(w, volatility, horizon) / horizon
                      − cost of re-centring (gas + swap) x expected re-centrings per year.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from keeper.risk.impermanent_loss import (
    concentration,
    concentration_many,
    expected_impermanent_loss,
    expected_impermanent_loss_many,
    time_in_range,
    time_in_range_many,
)

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
             il_aversion: float = 1.0, horizon_years: float = HORIZON_YEARS, own_share: float = 0.0) -> RangeChoice:
    """Expected annualised returns of a centred range (rebalance_cost: fraction of capital per re-centring;
    own_share: the position's own share of the in-range liquidity, which it earns instead of adding to)."""
    in_range = time_in_range(half_width, volatility, horizon_years)
    fees = base_fee_apr * concentration(half_width) * in_range * (1 - own_share)
    il = expected_impermanent_loss(half_width, volatility, horizon_years) / horizon_years
    recentres_per_year = (1 - in_range) / horizon_years if not math.isinf(half_width) else 0.0
    cost = rebalance_cost * recentres_per_year
    return RangeChoice(half_width, fees - il_aversion * il - cost, fees, il, cost)


@dataclass(frozen=True)
class RangeTerms:
    """The parts of `evaluate` that depend only on the volatility, for every candidate width at once."""

    widths: np.ndarray
    concentration: np.ndarray
    in_range: np.ndarray
    il_apr: np.ndarray
    recentres: np.ndarray  # expected re-centrings per year


def range_terms(volatility: float, min_half_width: float = 0.0,
                candidates: tuple[float, ...] = CANDIDATE_HALF_WIDTHS) -> RangeTerms:
    allowed = np.array([w for w in candidates if w >= min_half_width] or [math.inf])
    in_range = time_in_range_many(allowed, volatility, HORIZON_YEARS)
    return RangeTerms(allowed, concentration_many(allowed), in_range,
                      expected_impermanent_loss_many(allowed, volatility, HORIZON_YEARS) / HORIZON_YEARS,
                      np.where(np.isinf(allowed), 0.0, (1 - in_range) / HORIZON_YEARS))


def net_aprs(terms: RangeTerms, base_fee_apr: float, rebalance_cost: float, il_aversion: float = 1.0,
             own: np.ndarray | float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(net, fee, cost) APR of every candidate; `own` is the position's own share of the in-range liquidity."""
    fees = base_fee_apr * terms.concentration * terms.in_range * (1 - np.asarray(own))
    cost = rebalance_cost * terms.recentres
    return fees - il_aversion * terms.il_apr - cost, fees, cost


def choose(terms: RangeTerms, base_fee_apr: float, rebalance_cost: float, il_aversion: float = 1.0,
           own: np.ndarray | float = 0.0) -> RangeChoice:
    net, fees, cost = net_aprs(terms, base_fee_apr, rebalance_cost, il_aversion, own)
    k = int(np.argmax(net))
    return RangeChoice(float(terms.widths[k]), float(net[k]), float(fees[k]), float(terms.il_apr[k]), float(cost[k]))


def best_range(base_fee_apr: float, volatility: float, rebalance_cost: float, il_aversion: float = 1.0,
               min_half_width: float = 0.0, candidates: tuple[float, ...] = CANDIDATE_HALF_WIDTHS,
               own_share: Callable[[np.ndarray], np.ndarray] | None = None) -> RangeChoice:
    """The best candidate by `evaluate`, every candidate at once; `own_share(widths)` is the position's own share
    of the pool's liquidity at each width (a large position concentrated narrowly earns L / (L_pool + L) of the
    fees, not all the pool's fees at that concentration)."""
    terms = range_terms(volatility, min_half_width, candidates)
    own = np.asarray(own_share(terms.widths), dtype=float) if own_share else 0.0
    return choose(terms, base_fee_apr, rebalance_cost, il_aversion, own)
