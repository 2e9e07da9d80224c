"""Features of a pool's recent past, as pure functions over arrays (the live keeper and the backtest share them).

Every function looks only at the arrays it is given: callers pass the past, never the future.
"""

from __future__ import annotations

import math

import numpy as np

LOG_TICK = math.log(1.0001)


def log_returns(close_ticks: np.ndarray) -> np.ndarray:
    """Per-step log price returns: a tick is a fixed log-price step, so returns are tick differences."""
    return np.diff(np.asarray(close_ticks, dtype=float)) * LOG_TICK
