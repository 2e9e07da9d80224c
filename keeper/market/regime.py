"""Flags sudden changes a person watching the pool would want to hear about: volume spikes and volatility regimes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keeper.market.features import log_returns

# A day trading at this multiple of the trailing week's pace is a spike worth a line in the decision log.
VOLUME_SPIKE_RATIO = 3.0
# Short-window volatility this many times the long-window one marks a regime change.
VOLATILITY_RATIO = 2.0


@dataclass(frozen=True)
class RegimeSignal:
    kind: str  # "volume_spike" | "volume_collapse" | "volatility_up" | "volatility_down"
    ratio: float

    def describe(self) -> str:
        return f"{self.kind.replace('_', ' ')}: {self.ratio:.1f}x the trailing level"


def detect(close_ticks: np.ndarray, volume_value: np.ndarray, short: int = 24, long: int = 168) -> list[RegimeSignal]:
    """Signals from the last `short` steps against the last `long` (past data only)."""
    signals: list[RegimeSignal] = []
    volume = np.asarray(volume_value, dtype=float)
    if len(volume) >= long // 2:
        base = np.mean(volume[-long:])
        recent = np.mean(volume[-short:])
        if base > 0 and recent / base >= VOLUME_SPIKE_RATIO:
            signals.append(RegimeSignal("volume_spike", recent / base))
        elif base > 0 and recent / base <= 1 / VOLUME_SPIKE_RATIO:
            signals.append(RegimeSignal("volume_collapse", recent / base))
    returns = log_returns(close_ticks)
    if len(returns) >= long // 2:
        long_vol, short_vol = np.std(returns[-long:]), np.std(returns[-short:])
        if long_vol > 0 and short_vol / long_vol >= VOLATILITY_RATIO:
            signals.append(RegimeSignal("volatility_up", short_vol / long_vol))
        elif long_vol > 0 and short_vol > 0 and long_vol / short_vol >= VOLATILITY_RATIO:
            signals.append(RegimeSignal("volatility_down", short_vol / long_vol))
    return signals
