"""A pool's hourly past as the forecasters see it: returns, fee APR, features at a row and what came after it.

Row t's features use rows before t only (the decision at t opens at the close of t-1); its targets are the
realised volatility and fee APR over rows [t, t+horizon). Pure numpy, no chain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from keeper.market.regime import detect

HOURS_PER_YEAR = 24 * 365
LOG_TICK = math.log(1.0001)
SHORT, LONG = 24, 168  # a day and a week of hours: the two look-backs every feature is taken over
MIN_PAST = SHORT  # rows of history before a row can have features
FEE_FLOOR = 1e-4  # APR below which fee levels are not told apart (logs stay finite when a pool does not trade)
VOL_FLOOR = 1e-3
FEATURES = ("log vol 24 h", "log vol 168 h", "log fee APR 24 h", "log fee APR 168 h", "volume trend",
            "log depth vs week", "volume spike", "volume collapse", "volatility up", "volatility down")


@dataclass(frozen=True)
class PoolPast:
    """Hourly arrays of one pool: `returns[i]` is the log price move into row i's close (0 for row 0),
    `fee_apr[i]` the row's fees over the value of its active liquidity as a full-range position, annualised."""

    close_tick: np.ndarray
    returns: np.ndarray
    fee_apr: np.ndarray
    liquidity: np.ndarray
    traded: np.ndarray  # fees in token1 raw: the volume up to the constant fee rate, which the regime signals divide out

    @classmethod
    def from_rows(cls, close_tick, fees0, fees1, liquidity) -> PoolPast:
        close_tick = np.asarray(close_tick, dtype=float)
        liquidity = np.asarray(liquidity, dtype=float)
        price = 1.0001**close_tick
        depth = 2 * liquidity * np.sqrt(price)  # token1 raw held by a full-range position of the pool's L
        fees = np.asarray(fees0, dtype=float) * price + np.asarray(fees1, dtype=float)
        fee_apr = np.divide(fees * HOURS_PER_YEAR, depth, out=np.zeros_like(fees), where=depth > 0)
        returns = np.concatenate([[0.0], np.diff(close_tick) * LOG_TICK])
        return cls(close_tick, returns, fee_apr, liquidity, fees)

    @classmethod
    def of(cls, series) -> PoolPast:
        """From a backtest `PoolSeries` (kept on its cache: one per series)."""
        hit = series.cache.get("pool-past")
        if hit is None:
            hit = cls.from_rows(series.close_tick, series.fees0, series.fees1, series.liquidity)
            series.cache["pool-past"] = hit
        return hit

    def __len__(self) -> int:
        return len(self.returns)

    def _cumulative(self) -> tuple[np.ndarray, np.ndarray]:
        return (np.concatenate([[0.0], np.cumsum(self.returns**2)]),
                np.concatenate([[0.0], np.cumsum(self.fee_apr)]))

    def realised(self, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Annualised volatility and mean fee APR over rows [start, end) for each pair."""
        r2, fees = self._cumulative()
        span = np.maximum(end - start, 1)
        vol = np.sqrt((r2[end] - r2[start]) / span * HOURS_PER_YEAR)
        return vol, (fees[end] - fees[start]) / span

    def features(self, rows: np.ndarray) -> np.ndarray:
        """One row of `FEATURES` per entry of `rows` (each >= MIN_PAST), from the rows before it."""
        return self._all_features[np.asarray(rows, dtype=int)]

    @cached_property
    def _all_features(self) -> np.ndarray:
        # Every row's at once (row 0 has no past: zeros), so that refits and predictions only index.
        rows = np.arange(1, len(self), dtype=int)
        short0, long0 = np.maximum(rows - SHORT, 1), np.maximum(rows - LONG, 1)
        vol_s, fee_s = self.realised(short0, rows)
        vol_l, fee_l = self.realised(long0, rows)
        out = np.empty((len(rows), len(FEATURES)))
        out[:, 0], out[:, 1] = np.log(vol_s + VOL_FLOOR), np.log(vol_l + VOL_FLOOR)
        out[:, 2], out[:, 3] = np.log(fee_s + FEE_FLOOR), np.log(fee_l + FEE_FLOOR)
        out[:, 4] = (fee_s + FEE_FLOOR) / (fee_l + FEE_FLOOR) - 1
        for k, t in enumerate(rows):
            past_l = self.liquidity[max(t - LONG, 0):t]
            out[k, 5] = math.log(max(past_l[-1], 1.0) / max(float(np.mean(past_l)), 1.0))
            kinds = {s.kind for s in detect(self.close_tick[max(t - LONG, 0):t], self.traded[max(t - LONG, 0):t],
                                            SHORT, LONG)}
            out[k, 6:] = [kind in kinds for kind in ("volume_spike", "volume_collapse", "volatility_up",
                                                    "volatility_down")]
        return np.vstack([np.zeros((1, len(FEATURES))), out])

    def targets(self, rows: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        """Realised volatility and fee APR over [t, t+horizon) for each row t (the caller keeps t+horizon inside)."""
        rows = np.asarray(rows, dtype=int)
        return self.realised(rows, rows + horizon)


def sample_rows(start: int, end: int, stride: int) -> np.ndarray:
    """Rows from `start` (at least MIN_PAST) to before `end`, every `stride`."""
    return np.arange(max(start, MIN_PAST), end, max(stride, 1), dtype=int)
