"""Backtest inputs: a pool's hourly history in the units the engine uses, and the no-look-ahead view of it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keeper.market.history import PoolHistory

STABLE = {"USDC", "USDT", "DAI"}


@dataclass(frozen=True)
class PoolSeries:
    """Hourly rows of one pool. Prices are token1 raw per token0 raw (1.0001^tick); values are in the numéraire
    (the pool's stablecoin when it has one, else token0), in human units."""

    name: str
    times: np.ndarray
    open_tick: np.ndarray
    close_tick: np.ndarray
    low_tick: np.ndarray
    high_tick: np.ndarray
    fees0: np.ndarray  # raw token0 fees paid by the hour's swaps
    fees1: np.ndarray
    liquidity: np.ndarray
    fee_rate: float
    decimals0: int
    decimals1: int
    symbols: tuple[str, str]
    numeraire_is_token0: bool

    def __len__(self) -> int:
        return len(self.times)

    @classmethod
    def from_history(cls, history: PoolHistory) -> PoolSeries:
        info = history.info
        symbols = (info.token0.symbol, info.token1.symbol)
        return cls(
            name=history.name, times=history.timestamps, open_tick=history.open_tick, close_tick=history.close_tick,
            low_tick=history.low_tick, high_tick=history.high_tick, fees0=history.volume0 * history.fee_rate,
            fees1=history.volume1 * history.fee_rate, liquidity=history.liquidity, fee_rate=history.fee_rate,
            decimals0=info.token0.decimals, decimals1=info.token1.decimals, symbols=symbols,
            numeraire_is_token0=symbols[0] in STABLE or symbols[1] not in STABLE,
        )

    def window(self, start: int, end: int) -> PoolSeries:
        keep = (self.times >= start) & (self.times < end)
        fields = {k: (v[keep] if isinstance(v, np.ndarray) else v) for k, v in self.__dict__.items()}
        return PoolSeries(**fields)

    def tiled(self, hours: int) -> PoolSeries:
        """The series repeated until it has `hours` rows, prices continuing from where each copy ends."""
        reps = -(-hours // len(self))
        shift = np.concatenate([[0.0], np.cumsum(np.full(reps - 1, self.close_tick[-1] - self.open_tick[0]))])
        step = int(self.times[1] - self.times[0]) if len(self) > 1 else 3_600

        def tile(a: np.ndarray, shifted: bool = False) -> np.ndarray:
            parts = [a + (s if shifted else 0) for s in shift]
            return np.concatenate(parts)[:hours]

        return PoolSeries(
            name=self.name, times=self.times[0] + np.arange(hours, dtype=np.int64) * step,
            open_tick=tile(self.open_tick, True), close_tick=tile(self.close_tick, True),
            low_tick=tile(self.low_tick, True), high_tick=tile(self.high_tick, True), fees0=tile(self.fees0),
            fees1=tile(self.fees1), liquidity=tile(self.liquidity), fee_rate=self.fee_rate, decimals0=self.decimals0,
            decimals1=self.decimals1, symbols=self.symbols, numeraire_is_token0=self.numeraire_is_token0,
        )

    # ------------------------------------------------------------------ units

    def value(self, amount0: float, amount1: float, tick: float) -> float:
        """Raw token amounts -> numéraire, human units, at `tick`."""
        price = 1.0001**tick  # token1 raw per token0 raw
        in_token1 = amount0 * price + amount1
        if self.numeraire_is_token0:
            return in_token1 / price / 10**self.decimals0
        return in_token1 / 10**self.decimals1

    def raw_of_numeraire(self, value: float, tick: float) -> float:
        """Numéraire (human) -> raw token1 units at `tick`."""
        price = 1.0001**tick
        return value * 10**self.decimals0 * price if self.numeraire_is_token0 else value * 10**self.decimals1


class PastView:
    """What a strategy may see at step i: rows strictly before i, and the price the step opens at.

    Arrays are truncated copies' views; indexing at or beyond i raises, so look-ahead is impossible, not merely
    discouraged (a test tries it).
    """

    def __init__(self, series: PoolSeries, step: int) -> None:
        self.step = step
        self.series = series
        self.close_tick = series.close_tick[:step]
        self.fees0 = series.fees0[:step]
        self.fees1 = series.fees1[:step]
        self.liquidity = series.liquidity[:step]
        self.times = series.times[:step]
        # The price at the start of step i is the close of step i-1 (or the first open).
        self.tick = float(series.close_tick[step - 1] if step > 0 else series.open_tick[0])
