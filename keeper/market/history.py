"""Loads historical market data laid out like the repository's `data/` (see data/README.md) into arrays, validating as it goes.

Layout: `uniswap-v3/<pool>/<YYYY-MM-DD>.csv` with a `pool.json`; optional `aave-v3/<market>/` with a
`source.json`; optional `gas/*.csv`. Every problem is reported as one line naming the file, the line and the fix;
gaps are reported (`gaps`), never filled silently here — resampling says what it carried forward.
"""

from __future__ import annotations

from collections.abc import Callable

import csv
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ValidationError

MINUTE = 60
HOUR = 3_600
DAY = 24 * HOUR
POOL_COLUMNS = ("timestamp", "netAmount0", "netAmount1", "closeTick", "openTick", "lowestTick", "highestTick",
                "inAmount0", "inAmount1", "currentLiquidity")
LENDING_COLUMNS = ("block_timestamp", "liquidity_rate")
GAS_COLUMNS = ("block_timestamp", "gas_price")


class DataError(ValueError):
    """A data file that cannot be used as it is; the message names the file, the line and what to do."""


class TokenInfo(BaseModel):
    symbol: str
    decimals: int


class PoolInfo(BaseModel):
    chain: str
    pool: str
    token0: TokenInfo
    token1: TokenInfo
    fee: int  # hundredths of a bip: 500 = 0.05 %


class LendingInfo(BaseModel):
    chain: str
    protocol: str
    asset: TokenInfo


@dataclass
class PoolHistory:
    """One pool's observations, one entry per row (per minute as loaded, per hour after `resample`)."""

    name: str
    info: PoolInfo
    timestamps: np.ndarray  # int64 unix seconds, strictly increasing
    open_tick: np.ndarray
    close_tick: np.ndarray
    low_tick: np.ndarray
    high_tick: np.ndarray
    volume0: np.ndarray  # gross token0 swapped in (raw units)
    volume1: np.ndarray
    liquidity: np.ndarray  # active liquidity at the close
    step: int = MINUTE
    gaps: list[tuple[int, int]] = field(default_factory=list)  # (last seen, next seen) where rows are missing

    def __len__(self) -> int:
        return len(self.timestamps)

    @property
    def fee_rate(self) -> float:
        return self.info.fee / 1_000_000

    def window(self, start: int, end: int) -> PoolHistory:
        """Rows with start <= t < end."""
        keep = (self.timestamps >= start) & (self.timestamps < end)
        return _select(self, keep)

    def segments(self, max_gap: int = DAY) -> list[tuple[int, int]]:
        """Contiguous stretches [start, end) separated by gaps longer than `max_gap`."""
        if len(self) == 0:
            return []
        breaks = np.nonzero(np.diff(self.timestamps) > max_gap)[0]
        starts = [int(self.timestamps[0])] + [int(self.timestamps[i + 1]) for i in breaks]
        ends = [int(self.timestamps[i]) + self.step for i in breaks] + [int(self.timestamps[-1]) + self.step]
        return list(zip(starts, ends))


@dataclass
class RateHistory:
    """A per-minute series of one number: a lending supply APR (fraction) or a gas price (gwei)."""

    name: str
    timestamps: np.ndarray
    values: np.ndarray
    step: int = MINUTE


@dataclass
class MarketData:
    pools: dict[str, PoolHistory]
    lending: dict[str, RateHistory]
    gas: RateHistory | None
    root: Path


def _parse_time(text: str, where: str) -> int:
    try:
        return int(datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp())
    except ValueError:
        raise DataError(f"{where}: timestamp {text!r} is not 'YYYY-MM-DD HH:MM:SS': fix or remove the row") from None


def _number(row: dict, column: str, where: str) -> float:
    text = row.get(column)
    try:
        return float(text)
    except (TypeError, ValueError):
        raise DataError(f"{where}: {column} = {text!r} is not a number: fix the value or remove the row") from None


def _ordered(times: np.ndarray, where: Callable[[int], str]) -> None:
    steps = np.diff(times)
    bad = np.nonzero(steps <= 0)[0]
    if len(bad) == 0:
        return
    i = int(bad[0]) + 1
    if times[i] == times[i - 1]:
        raise DataError(f"{where(i)}: duplicate minute {datetime.fromtimestamp(int(times[i]), timezone.utc):%Y-%m-%d %H:%M}: keep one row per minute")
    raise DataError(f"{where(i)}: timestamps go backwards: sort the rows (and the files) by time")


def _columns(files: list[Path], columns: tuple[str, ...]) -> tuple[np.ndarray, dict[str, np.ndarray], Callable[[int], str]]:
    """Every file's rows as arrays: the first column parsed as times, the others as numbers. Parsing is by whole
    columns; only when a column fails is it walked row by row, to name the row at fault."""
    raw: dict[str, list[str]] = {c: [] for c in columns}
    bounds: list[tuple[int, Path]] = []  # (first row index, file)
    for path in files:
        with path.open(newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            missing = [c for c in columns if c not in header]
            if missing:
                raise DataError(f"{path}:1: missing column(s) {', '.join(missing)}: the header must name {', '.join(columns)}")
            index = [header.index(c) for c in columns]
            bounds.append((len(raw[columns[0]]), path))
            width = max(index) + 1
            for row in reader:
                if len(row) < width:
                    row = row + [""] * (width - len(row))
                for c, k in zip(columns, index):
                    raw[c].append(row[k])

    def where(i: int) -> str:
        first, path = next((b for b in reversed(bounds) if b[0] <= i), bounds[0])
        return f"{path}:{i - first + 2}"

    text = raw[columns[0]]
    try:
        strings = np.array(text, dtype=str)
        if len(text) and (np.char.str_len(strings) != len("YYYY-MM-DD HH:MM:SS")).any():
            raise ValueError  # numpy would read a date alone as midnight: let the strict parser name the row
        times = strings.astype("datetime64[s]").astype(np.int64)
    except ValueError:
        times = np.array([_parse_time(t, where(i)) for i, t in enumerate(text)], dtype=np.int64)
    values = {}
    for c in columns[1:]:
        try:
            values[c] = np.array(raw[c], dtype=float)
        except ValueError:
            for i, t in enumerate(raw[c]):
                _number({c: t}, c, where(i))
            raise
    return times, values, where


def _day_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.glob("*.csv"))
    if not files:
        raise DataError(f"{folder}: no <YYYY-MM-DD>.csv files: point --data at a folder laid out like the repository's data/")
    return files


def _gaps(times: np.ndarray, step: int) -> list[tuple[int, int]]:
    jumps = np.nonzero(np.diff(times) > step)[0]
    return [(int(times[i]), int(times[i + 1])) for i in jumps]


def load_pool(folder: Path) -> PoolHistory:
    """One `uniswap-v3/<pool>/` folder: its pool.json and every day file, in time order."""
    meta_path = folder / "pool.json"
    try:
        info = PoolInfo.model_validate_json(meta_path.read_text())
    except FileNotFoundError:
        raise DataError(f"{meta_path}: missing: each pool folder needs a pool.json (chain, pool, token0, token1, fee)") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise DataError(f"{meta_path}: field {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    ts, columns, where = _columns(_day_files(folder), POOL_COLUMNS)
    _ordered(ts, where)
    return PoolHistory(
        name=folder.name, info=info, timestamps=ts,
        open_tick=np.asarray(columns["openTick"]), close_tick=np.asarray(columns["closeTick"]),
        low_tick=np.asarray(columns["lowestTick"]), high_tick=np.asarray(columns["highestTick"]),
        volume0=np.asarray(columns["inAmount0"]), volume1=np.asarray(columns["inAmount1"]),
        liquidity=np.asarray(columns["currentLiquidity"]), gaps=_gaps(ts, MINUTE),
    )


def _load_rate(folder_or_file: Path, columns: tuple[str, ...], name: str) -> RateHistory:
    files = _day_files(folder_or_file) if folder_or_file.is_dir() else [folder_or_file]
    times, values, where = _columns(files, columns)
    _ordered(times, where)
    return RateHistory(name=name, timestamps=times, values=values[columns[1]])


def load_lending(folder: Path) -> RateHistory:
    """An `aave-v3/<market>/` folder: supply APR (fraction) per minute."""
    source = folder / "source.json"
    try:
        LendingInfo.model_validate_json(source.read_text())
    except FileNotFoundError:
        raise DataError(f"{source}: missing: each lending folder needs a source.json (chain, protocol, asset)") from None
    except ValidationError as exc:
        raise DataError(f"{source}: {exc.errors()[0]['msg']}") from None
    return _load_rate(folder, LENDING_COLUMNS, folder.name)


def load_market(root: Path) -> MarketData:
    """Everything under a data root: every pool, lending market and gas series found."""
    root = Path(root)
    pools_dir = root / "uniswap-v3"
    if not pools_dir.is_dir():
        raise DataError(f"{root}: no uniswap-v3/ folder: point --data at a folder laid out like the repository's data/")
    pools = {p.name: load_pool(p) for p in sorted(pools_dir.iterdir()) if p.is_dir()}
    if not pools:
        raise DataError(f"{pools_dir}: no pool folders: add uniswap-v3/<pool>/ with pool.json and day files")
    lending_dir = root / "aave-v3"
    lending = ({p.name: load_lending(p) for p in sorted(lending_dir.iterdir()) if p.is_dir()}
               if lending_dir.is_dir() else {})
    gas_files = sorted((root / "gas").glob("*.csv")) if (root / "gas").is_dir() else []
    gas = _load_rate(gas_files[0], GAS_COLUMNS, gas_files[0].stem) if gas_files else None
    return MarketData(pools=pools, lending=lending, gas=gas, root=root)


def _select(history: PoolHistory, keep: np.ndarray) -> PoolHistory:
    return PoolHistory(
        name=history.name, info=history.info, timestamps=history.timestamps[keep],
        open_tick=history.open_tick[keep], close_tick=history.close_tick[keep], low_tick=history.low_tick[keep],
        high_tick=history.high_tick[keep], volume0=history.volume0[keep], volume1=history.volume1[keep],
        liquidity=history.liquidity[keep], step=history.step,
        gaps=_gaps_within(history.gaps, history.timestamps[keep]),
    )


def _gaps_within(gaps: list[tuple[int, int]], kept: np.ndarray) -> list[tuple[int, int]]:
    if len(kept) == 0:
        return []
    first, last = kept[0], kept[-1]
    return [g for g in gaps if first <= g[0] < last]


def resample(history: PoolHistory, step: int = HOUR) -> PoolHistory:
    """Buckets of `step` seconds from the first row to the last: open/close/low/high ticks, summed volume, closing
    liquidity. A bucket with no rows means no trades were recorded: its volume is zero and its prices carry the last
    close forward; such buckets are listed in `gaps` of the result."""
    if len(history) == 0:
        return history
    start = int(history.timestamps[0]) // step * step
    buckets = (history.timestamps - start) // step
    count = int(buckets[-1]) + 1
    # The last row of each bucket gives the close; the first gives the open.
    last = np.full(count, -1)
    last[buckets] = np.arange(len(buckets))
    first = np.full(count, -1)
    first[buckets[::-1]] = np.arange(len(buckets))[::-1]
    filled = last >= 0
    carry = np.maximum.accumulate(np.where(filled, last, 0))  # index of the latest row at or before each bucket
    close = history.close_tick[carry]
    open_ = np.where(filled, history.open_tick[np.maximum(first, 0)], close)
    low = np.full(count, np.inf)
    high = np.full(count, -np.inf)
    np.minimum.at(low, buckets, history.low_tick)
    np.maximum.at(high, buckets, history.high_tick)
    low = np.where(filled, low, close)
    high = np.where(filled, high, close)
    volume0 = np.bincount(buckets, weights=history.volume0, minlength=count)
    volume1 = np.bincount(buckets, weights=history.volume1, minlength=count)
    times = start + np.arange(count, dtype=np.int64) * step
    empty = np.nonzero(~filled)[0]
    return PoolHistory(
        name=history.name, info=history.info, timestamps=times, open_tick=open_, close_tick=close, low_tick=low,
        high_tick=high, volume0=volume0, volume1=volume1, liquidity=history.liquidity[carry], step=step,
        gaps=[(int(times[i]), int(times[i]) + step) for i in empty],
    )


def resample_rate(series: RateHistory, timestamps: np.ndarray) -> np.ndarray:
    """The series' latest value at or before each timestamp (its first value before it starts)."""
    index = np.searchsorted(series.timestamps, timestamps, side="right") - 1
    return series.values[np.clip(index, 0, len(series.values) - 1)]


def gap_report(history: PoolHistory, min_gap: int = HOUR) -> dict:
    """What is missing from a series, for the report: its contiguous segments (split by gaps over a day) and every
    stretch over `min_gap` with no rows. Nothing is filled in here; the backtest runs each segment on its own."""
    long_gaps = [(a, b) for a, b in history.gaps if b - a > min_gap]
    longest = max((b - a for a, b in long_gaps), default=0)
    return {"pool": history.name, "segments": [list(s) for s in history.segments()], "gaps_over_min": len(long_gaps),
            "min_gap_seconds": min_gap, "longest_gap_seconds": int(longest)}
