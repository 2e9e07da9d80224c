"""Features of a pool's recent past, as pure functions over arrays (the live keeper and the backtest share them).

Every function looks only at the arrays it is given: callers pass the past, never the future.
"""

from __future__ import annotations

import math

import numpy as np

HOURS_PER_YEAR = 24 * 365
LOG_TICK = math.log(1.0001)


def log_returns(close_ticks: np.ndarray) -> np.ndarray:
    """Per-step log price returns: a tick is a fixed log-price step, so returns are tick differences."""
    return np.diff(np.asarray(close_ticks, dtype=float)) * LOG_TICK


def realised_volatility(close_ticks: np.ndarray, steps_per_year: float = HOURS_PER_YEAR) -> float:
    """Annualised standard deviation of log returns (0 when there is too little history)."""
    returns = log_returns(close_ticks)
    if len(returns) < 2:
        return 0.0
    return float(np.std(returns, ddof=1) * math.sqrt(steps_per_year))


def fee_apr(fees_value: np.ndarray, liquidity_value: float, steps_per_year: float = HOURS_PER_YEAR) -> float:
    """Annualised fees earned by the pool's active liquidity, as a fraction of that liquidity's value."""
    if liquidity_value <= 0 or len(fees_value) == 0:
        return 0.0
    return float(np.mean(fees_value) * steps_per_year / liquidity_value)


def volume_trend(volume_value: np.ndarray, short: int = 24, long: int = 168) -> float:
    """Recent over longer-run mean volume, minus one: +0.5 means the last day traded 50 % above the week's pace."""
    v = np.asarray(volume_value, dtype=float)
    if len(v) < 2:
        return 0.0
    long_mean = np.mean(v[-long:])
    return float(np.mean(v[-short:]) / long_mean - 1) if long_mean > 0 else 0.0


def depth_value(liquidity: float, sqrt_price: float, half_width: float = 0.02) -> float:
    """Value (in token1) the active liquidity holds within +-half_width of the price: what a trade can lean on."""
    lower = sqrt_price / math.sqrt(1 + half_width)
    upper = sqrt_price * math.sqrt(1 + half_width)
    amount0 = liquidity * (1 / sqrt_price - 1 / upper)
    amount1 = liquidity * (sqrt_price - lower)
    return amount0 * sqrt_price**2 + amount1
