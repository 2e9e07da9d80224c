"""Expected impermanent loss of a concentrated range over a horizon, for a log-normal price with given volatility.

Exact position maths at each quadrature node (Gauss-Hermite over the log-price), so narrow ranges' amplified losses
and the cap once the price leaves the range both come out of the maths, not a rule of thumb.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.special import ndtr

_NODES = 24


@lru_cache(maxsize=1)
def _quadrature() -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.hermite_e.hermegauss(_NODES)  # weight exp(-x^2/2)
    return x, w / math.sqrt(2 * math.pi)


def range_value(price_ratio: np.ndarray, lower_ratio: float, upper_ratio: float) -> np.ndarray:
    """Value of a range position per unit of its value at ratio 1 (price relative to entry), in token1."""
    s, a, b = np.sqrt(price_ratio), math.sqrt(lower_ratio), math.sqrt(upper_ratio)
    p0 = 1.0
    entry = (1 / math.sqrt(p0) - 1 / b) * p0 + (math.sqrt(p0) - a)  # value per unit liquidity at entry
    sc = np.clip(s, a, b)
    amount0 = 1 / sc - 1 / b
    amount1 = sc - a
    return (amount0 * s**2 + amount1) / entry


def hold_value(price_ratio: np.ndarray, lower_ratio: float, upper_ratio: float) -> np.ndarray:
    """Value of holding the position's entry amounts, per unit of entry value."""
    a, b = math.sqrt(lower_ratio), math.sqrt(upper_ratio)
    amount0, amount1 = 1 - 1 / b, 1 - a
    entry = amount0 + amount1
    return (amount0 * price_ratio + amount1) / entry


def expected_impermanent_loss(half_width: float, volatility: float, horizon_years: float) -> float:
    """Expected (hold − position) value over the horizon, as a fraction of the position's value (>= 0).

    half_width: the range as +-fraction of price (e.g. 0.05); math.inf for the full range.
    """
    if volatility <= 0 or horizon_years <= 0:
        return 0.0
    lower, upper = (1e-12, 1e12) if math.isinf(half_width) else (1 / (1 + half_width), 1 + half_width)
    x, w = _quadrature()
    sigma = volatility * math.sqrt(horizon_years)
    ratios = np.exp(sigma * x - sigma**2 / 2)  # martingale price
    loss = hold_value(ratios, lower, upper) - range_value(ratios, lower, upper)
    return float(max(np.dot(w, loss), 0.0))


def concentration(half_width: float) -> float:
    """Liquidity per unit value relative to a full-range position: how much more fee a range earns while in range."""
    if math.isinf(half_width):
        return 1.0
    a, b = 1 / math.sqrt(1 + half_width), math.sqrt(1 + half_width)
    per_unit_value = 1 / ((1 - 1 / b) + (1 - a))  # liquidity per unit value at price 1
    return per_unit_value / 0.5  # a full-range position holds 2 units of value per unit of liquidity at price 1


def time_in_range(half_width: float, volatility: float, horizon_years: float) -> float:
    """Probability-weighted share of the horizon a centred range stays in range (reflection principle, driftless)."""
    if math.isinf(half_width) or volatility <= 0:
        return 1.0
    h = math.log(1 + half_width)
    steps = 16
    total = 0.0
    for k in range(1, steps + 1):
        t = horizon_years * k / steps
        sd = volatility * math.sqrt(t)
        # P(max |W| < h) ~ 1 - 2 P(|W_t| > h), floored at 0: a simple bound that is tight for short horizons.
        total += max(0.0, 1 - 4 * (1 - _phi(h / sd)))
    return total / steps


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _bounds(half_widths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = np.asarray(half_widths, dtype=float)
    full = np.isinf(w)
    return np.where(full, 1e-12, 1 / (1 + np.where(full, 1.0, w))), np.where(full, 1e12, 1 + np.where(full, 1.0, w))


def expected_impermanent_loss_many(half_widths, volatility: float, horizon_years: float) -> np.ndarray:
    """`expected_impermanent_loss` for many half-widths at once (one quadrature, every width)."""
    w = np.asarray(half_widths, dtype=float)
    if volatility <= 0 or horizon_years <= 0:
        return np.zeros(len(w))
    lower, upper = _bounds(w)
    x, weights = _quadrature()
    sigma = volatility * math.sqrt(horizon_years)
    ratios = np.exp(sigma * x - sigma**2 / 2)[None, :]
    s, a, b = np.sqrt(ratios), np.sqrt(lower)[:, None], np.sqrt(upper)[:, None]
    entry = (1 - 1 / b) + (1 - a)
    sc = np.clip(s, a, b)
    position = ((1 / sc - 1 / b) * s**2 + (sc - a)) / entry
    hold = ((1 - 1 / b) * ratios + (1 - a)) / entry
    return np.maximum((hold - position) @ weights, 0.0)


_STEPS = 16
_ROOT_FRACTIONS = np.sqrt(np.arange(1, _STEPS + 1) / _STEPS)[None, :]


def time_in_range_many(half_widths, volatility: float, horizon_years: float) -> np.ndarray:
    """`time_in_range` for many half-widths at once."""
    w = np.asarray(half_widths, dtype=float)
    if volatility <= 0:
        return np.ones(len(w))
    full = np.isinf(w)
    h = np.log1p(np.where(full, 1.0, w))[:, None]
    sd = volatility * math.sqrt(horizon_years) * _ROOT_FRACTIONS
    inside = np.maximum(0.0, 1 - 4 * ndtr(-h / sd)).mean(axis=1)
    return np.where(full, 1.0, inside)


def concentration_many(half_widths) -> np.ndarray:
    w = np.asarray(half_widths, dtype=float)
    finite = np.where(np.isinf(w), 1.0, w)
    a, b = 1 / np.sqrt(1 + finite), np.sqrt(1 + finite)
    return np.where(np.isinf(w), 1.0, 2 / ((1 - 1 / b) + (1 - a)))
