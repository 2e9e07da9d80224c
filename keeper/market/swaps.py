"""Per-swap history: every Swap event and every change of LP liquidity per range, for pools that ship them
(`data/uniswap-v3/<pool>/swaps.csv.gz`, `liquidity_changes.csv.gz`; their README gives the columns).

They let the backtest's hourly fee attribution be checked against the exact one: a position earns, on each swap,
the fee on the part of the swap that moved the price across its range, times its share of the active liquidity.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from keeper.market.history import DataError, _parse_time

SWAP_COLUMNS = ("block", "approx_timestamp", "tick", "amount0", "amount1", "liquidity")
CHANGE_COLUMNS = ("block", "approx_timestamp", "tick_lower", "tick_upper", "liquidity_delta", "range_liquidity_after")


@dataclass(frozen=True)
class Swaps:
    block: np.ndarray
    times: np.ndarray
    tick: np.ndarray  # after the swap
    amount0: np.ndarray  # decimal-adjusted, + paid into the pool
    amount1: np.ndarray
    liquidity: np.ndarray  # active liquidity after the swap, raw

    def __len__(self) -> int:
        return len(self.block)


@dataclass(frozen=True)
class LiquidityChanges:
    block: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    delta: np.ndarray  # raw liquidity added (negative: removed) in the block
    after: np.ndarray  # the range's total after the block

    def active_at(self, block: int, tick: int) -> float:
        """Active liquidity at `tick` from every change up to and including `block`."""
        upto = self.block <= block
        inside = upto & (self.lower <= tick) & (tick < self.upper)
        return float(self.delta[inside].sum())


def _read(path: Path, columns: tuple[str, ...]) -> dict[str, list[str]]:
    if not path.is_file():
        raise DataError(f"{path}: missing: per-swap data needs swaps.csv.gz and liquidity_changes.csv.gz")
    with gzip.open(path, "rt", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataError(f"{path}:1: missing column(s) {', '.join(missing)}: the header must name {', '.join(columns)}")
        index = [header.index(c) for c in columns]
        raw: dict[str, list[str]] = {c: [] for c in columns}
        for row in reader:
            for c, k in zip(columns, index):
                raw[c].append(row[k] if k < len(row) else "")
    return raw


def _numbers(path: Path, raw: dict[str, list[str]], column: str, dtype=float) -> np.ndarray:
    try:
        return np.array(raw[column], dtype=float).astype(dtype)
    except ValueError:
        for i, text in enumerate(raw[column]):
            try:
                float(text)
            except ValueError:
                raise DataError(f"{path}:{i + 2}: {column} = {text!r} is not a number: fix the value or remove the row") from None
        raise


def _sorted_blocks(path: Path, block: np.ndarray) -> None:
    back = np.nonzero(np.diff(block) < 0)[0]
    if len(back):
        raise DataError(f"{path}:{int(back[0]) + 3}: blocks go backwards: the rows must be in block order")


def load_swaps(folder: Path) -> Swaps:
    path = Path(folder) / "swaps.csv.gz"
    raw = _read(path, SWAP_COLUMNS)
    block = _numbers(path, raw, "block", np.int64)
    _sorted_blocks(path, block)
    stamps = raw["approx_timestamp"]
    try:
        times = np.array(stamps, dtype="datetime64[s]").astype(np.int64)
    except ValueError:
        times = np.array([_parse_time(t, f"{path}:{i + 2}") for i, t in enumerate(stamps)], dtype=np.int64)
    return Swaps(block=block, times=times, tick=_numbers(path, raw, "tick"), amount0=_numbers(path, raw, "amount0"),
                 amount1=_numbers(path, raw, "amount1"), liquidity=_numbers(path, raw, "liquidity"))


def load_liquidity_changes(folder: Path) -> LiquidityChanges:
    path = Path(folder) / "liquidity_changes.csv.gz"
    raw = _read(path, CHANGE_COLUMNS)
    block = _numbers(path, raw, "block", np.int64)
    _sorted_blocks(path, block)
    return LiquidityChanges(block=block, lower=_numbers(path, raw, "tick_lower", np.int64),
                            upper=_numbers(path, raw, "tick_upper", np.int64),
                            delta=_numbers(path, raw, "liquidity_delta"), after=_numbers(path, raw, "range_liquidity_after"))


def exact_fees(swaps: Swaps, lower: int, upper: int, liquidity: float, fee_rate: float, decimals0: int,
               decimals1: int, rows: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw (token0, token1) fees a position of `liquidity` over [lower, upper) earns from each of swaps[rows], and
    the tick after each (to value them at).

    Each swap moves the price from the previous swap's tick to its own; the position earns the fee on the share of
    the input paid while the price was inside its range (token1 in moves sqrt(P) linearly in the input, token0 in
    moves 1/sqrt(P)), times its share of the active liquidity."""
    index = np.arange(len(swaps))[rows]
    index = index[index > 0]
    before = swaps.tick[index - 1]
    after = swaps.tick[index]
    in0 = swaps.amount0[index] > 0
    amount = np.where(in0, swaps.amount0[index] * 10**decimals0, swaps.amount1[index] * 10**decimals1)
    # The price path in the coordinate the input moves linearly: 1/sqrt(P) for token0 in, sqrt(P) for token1 in.
    def coord(tick, zero):
        root = 1.0001 ** (np.asarray(tick, dtype=float) / 2)
        return np.where(zero, 1 / root, root)

    a, b = coord(before, in0), coord(after, in0)
    lo, hi = coord(lower, in0), coord(upper, in0)
    lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
    span = np.abs(b - a)
    start, stop = np.minimum(a, b), np.maximum(a, b)
    overlap = np.clip(np.minimum(stop, hi) - np.maximum(start, lo), 0.0, None)
    still = ((lower <= after) & (after < upper)).astype(float)  # a swap too small to move the tick
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(span > 0, overlap / span, still)
    share = liquidity / (swaps.liquidity[index] + liquidity)
    fee = amount * fee_rate * fraction * share
    return np.where(in0, fee, 0.0), np.where(in0, 0.0, fee), after
