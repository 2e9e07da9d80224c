"""Backtest inputs: a pool's hourly history in the units the engine uses, and the no-look-ahead view of it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np

from keeper.backtest.chains import chain
from keeper.market.history import HOUR, PoolHistory, RateHistory
from keeper.optimize.costs import MoveContext

STABLE = {"USDC", "USDT", "DAI"}
SPACING = {100: 1, 500: 10, 3000: 60, 10000: 200}  # Uniswap V3's tick spacing per fee tier


def numeraire_index(symbols: tuple[str, str], wrapped_native: str) -> int:
    """The vault's asset for a pool: its stablecoin, else the chain's wrapped native token, else token0."""
    for wanted in (lambda s: s in STABLE, lambda s: s == wrapped_native):
        for i, s in enumerate(symbols):
            if wanted(s):
                return i
    return 0


@dataclass(frozen=True)
class PoolSeries:
    """Hourly rows of one pool. Prices are token1 raw per token0 raw (1.0001^tick); values are in the numéraire
    (the pool's stablecoin, else the chain's wrapped native token, else token0), in human units."""

    name: str
    times: np.ndarray
    open_tick: np.ndarray
    close_tick: np.ndarray
    low_tick: np.ndarray
    high_tick: np.ndarray
    fees0: np.ndarray  # raw token0 fees paid by the hour's swaps
    fees1: np.ndarray
    liquidity: np.ndarray
    gas_gwei: np.ndarray  # the chain's gas price in the hour
    native_price: np.ndarray  # numéraire per native token at the hour's close
    fee_rate: float
    decimals0: int
    decimals1: int
    symbols: tuple[str, str]
    numeraire_is_token0: bool
    chain: str = "ethereum"
    spacing: int = 10
    gas_source: str = "assumed"
    native_source: str = "assumed"
    costless: bool = False  # moves are free (no gas, pool fee or impact): to compare the pool maths alone
    # What a strategy derives from rows before a step, kept per step so that the same decision on the same data is
    # computed once however many runs (tuning, profiles, sizes) ask for it. Never copied to another series.
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.times)

    @property
    def numeraire(self) -> str:
        return self.symbols[0] if self.numeraire_is_token0 else self.symbols[1]

    @classmethod
    def from_history(cls, history: PoolHistory, gas: RateHistory | None = None) -> PoolSeries:
        info = history.info
        net = chain(info.chain)
        symbols = (info.token0.symbol, info.token1.symbol)
        token0 = numeraire_index(symbols, net.wrapped) == 0
        base = dict(fee_rate=history.fee_rate, decimals0=info.token0.decimals, decimals1=info.token1.decimals,
                    symbols=symbols, numeraire_is_token0=token0, chain=info.chain,
                    spacing=SPACING.get(info.fee, 10))
        times = history.timestamps
        gwei, gas_source = _hourly_gas(times, gas if gas is not None and gas.name.startswith(f"{info.chain}-") else None,
                                       net.assumed_gas_gwei)
        probe = cls(name=history.name, times=times, open_tick=history.open_tick, close_tick=history.close_tick,
                    low_tick=history.low_tick, high_tick=history.high_tick, fees0=history.volume0 * history.fee_rate,
                    fees1=history.volume1 * history.fee_rate, liquidity=history.liquidity, gas_gwei=gwei,
                    native_price=np.ones(len(times)), gas_source=gas_source, **base)
        if net.wrapped in symbols:
            unit = (10**probe.decimals0, 0.0) if symbols[0] == net.wrapped else (0.0, 10**probe.decimals1)
            native = probe.value_at(*unit, probe.close_tick)
            source = f"{net.native} priced by this pool ({net.wrapped})"
        elif probe.numeraire in STABLE and net.assumed_native_usd is not None:
            native = np.full(len(times), net.assumed_native_usd)
            source = f"{net.native} assumed at {net.assumed_native_usd} USD, {probe.numeraire} at 1 USD"
        else:
            raise ValueError(f"pool {history.name}: nothing in the data prices {net.native} (gas) in {probe.numeraire}: "
                             f"add an assumed {net.native} price for {info.chain} in keeper/backtest/chains.py")
        return cls(**{**probe._fields(), "native_price": np.asarray(native, dtype=float), "native_source": source})

    def _fields(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "cache"}

    def without_costs(self) -> PoolSeries:
        """The same history with every move free and fees taken in the numéraire without a swap."""
        return PoolSeries(**{**self._fields(), "costless": True, "gas_gwei": np.zeros(len(self)),
                             "gas_source": "none (costs switched off)"})

    def window(self, start: int, end: int) -> PoolSeries:
        keep = (self.times >= start) & (self.times < end)
        return PoolSeries(**{k: (v[keep] if isinstance(v, np.ndarray) else v) for k, v in self._fields().items()})

    def rows(self, start: int, end: int) -> PoolSeries:
        """Rows start <= i < end, by index."""
        return PoolSeries(**{k: (v[start:end] if isinstance(v, np.ndarray) else v) for k, v in self._fields().items()})

    def tiled(self, hours: int) -> PoolSeries:
        """The series repeated until it has `hours` rows, prices continuing from where each copy ends (for the
        throughput benchmark only: the joins are not history)."""
        reps = -(-hours // len(self))
        shift = np.concatenate([[0.0], np.cumsum(np.full(reps - 1, self.close_tick[-1] - self.open_tick[0]))])
        step = int(self.times[1] - self.times[0]) if len(self) > 1 else HOUR
        shifted = {"open_tick", "close_tick", "low_tick", "high_tick"}
        out = {}
        for f in fields(self):
            if f.name == "cache":
                continue
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray) and f.name != "times":
                out[f.name] = np.concatenate([v + (s if f.name in shifted else 0) for s in shift])[:hours]
            else:
                out[f.name] = v
        out["times"] = self.times[0] + np.arange(hours, dtype=np.int64) * step
        return PoolSeries(**out)

    # ------------------------------------------------------------------ units

    def value(self, amount0: float, amount1: float, tick: float) -> float:
        """Raw token amounts -> numéraire, human units, at `tick` (one value, in plain floats)."""
        price = 1.0001 ** float(tick)
        in_token1 = float(amount0) * price + float(amount1)
        if self.numeraire_is_token0:
            return in_token1 / price / 10**self.decimals0
        return in_token1 / 10**self.decimals1

    def value_at(self, amount0, amount1, tick):
        """`value`, element-wise over arrays."""
        price = 1.0001 ** np.asarray(tick, dtype=float)  # token1 raw per token0 raw
        in_token1 = amount0 * price + amount1
        if self.numeraire_is_token0:
            return in_token1 / price / 10**self.decimals0
        return in_token1 / 10**self.decimals1

    def raw_of_numeraire(self, value: float, tick: float) -> float:
        """Numéraire (human) -> raw token1 units at `tick`."""
        price = 1.0001**tick
        return value * 10**self.decimals0 * price if self.numeraire_is_token0 else value * 10**self.decimals1

    def state(self, i: int, gas_row: int | None = None) -> MoveContext:
        """The pool as a move at the open of row i meets it: the previous close's tick and liquidity, and the gas
        price of row `gas_row` (the execution's own hour; a decision made before it sees only the hour before)."""
        prev = max(i - 1, 0)
        tick = float(self.close_tick[prev] if i > 0 else self.open_tick[0])
        g = i if gas_row is None else gas_row
        g = min(max(g, 0), len(self) - 1)
        if self.costless:
            return MoveContext(tick=tick, liquidity=math.inf, fee_rate=0.0, decimals0=self.decimals0,
                             decimals1=self.decimals1, numeraire_is_token0=self.numeraire_is_token0,
                             gas_price_gwei=0.0, native_price=float(self.native_price[prev]))
        return MoveContext(tick=tick, liquidity=float(self.liquidity[prev]), fee_rate=self.fee_rate,
                         decimals0=self.decimals0, decimals1=self.decimals1,
                         numeraire_is_token0=self.numeraire_is_token0, gas_price_gwei=float(self.gas_gwei[g]),
                         native_price=float(self.native_price[prev]))


def _hourly_gas(times: np.ndarray, gas: RateHistory | None, assumed: float) -> tuple[np.ndarray, str]:
    """Mean gas price of each hour the history covers; the chain's assumption elsewhere."""
    out = np.full(len(times), assumed, dtype=float)
    if gas is None or len(times) == 0:
        return out, f"assumed {assumed:g} gwei"
    index = np.searchsorted(times, gas.timestamps, side="right") - 1
    inside = (index >= 0) & (gas.timestamps < times[-1] + HOUR)
    total = np.bincount(index[inside], weights=gas.values[inside], minlength=len(times))
    count = np.bincount(index[inside], minlength=len(times))
    covered = count > 0
    out[covered] = total[covered] / count[covered]
    if covered.all():
        return out, f"history {gas.name}"
    if not covered.any():
        return out, f"assumed {assumed:g} gwei ({gas.name} does not cover these dates)"
    return out, f"history {gas.name} for {covered.mean():.0%} of hours, else assumed {assumed:g} gwei"


class PastView:
    """What a strategy may see at step i: rows strictly before i, and the price the step opens at.

    The arrays are truncated views (made when first read): indexing at or beyond i raises (a test tries it).
    `series` stays reachable for units, tick spacing and the per-step cache; a strategy reading its arrays
    directly would see the future. None of the shipped strategies does: a rule kept by review, not by the type.
    """

    def __init__(self, series: PoolSeries, step: int) -> None:
        self.step = step
        self.series = series
        # The price at the start of step i is the close of step i-1 (or the first open).
        self.tick = float(series.close_tick[step - 1] if step > 0 else series.open_tick[0])

    @property
    def close_tick(self) -> np.ndarray:
        return self.series.close_tick[: self.step]

    @property
    def fees0(self) -> np.ndarray:
        return self.series.fees0[: self.step]

    @property
    def fees1(self) -> np.ndarray:
        return self.series.fees1[: self.step]

    @property
    def liquidity(self) -> np.ndarray:
        return self.series.liquidity[: self.step]

    @property
    def gas_gwei(self) -> np.ndarray:
        return self.series.gas_gwei[: self.step]

    @property
    def times(self) -> np.ndarray:
        return self.series.times[: self.step]

    def state(self):
        """The pool as the decision sees it: the execution hour's gas price is not known yet, the last one is."""
        return self.series.state(self.step, gas_row=self.step - 1)
