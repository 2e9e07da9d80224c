"""A local market with a month of real history replayed onto it: what the replay script, its benchmark and the
demo share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ape.api import AccountAPI

from keeper.localnet.data import REPLAY_POOL, data_root
from keeper.localnet.market import LocalMarket, deploy_market, pools_at, series_start_price
from keeper.localnet.replay import ReplayReport, replay
from keeper.market.history import DAY, PoolHistory, load_pool, resample


@dataclass
class ReplayedMarket:
    market: LocalMarket
    history: PoolHistory
    report: ReplayReport


def hourly_series(days: int, *, data: str | Path | None = None, pool: str = REPLAY_POOL,
                  start_day: int = 0) -> PoolHistory:
    """`days` of hourly rows from the first contiguous stretch of a pool's history, from `start_day` on."""
    history = load_pool(data_root(data) / "uniswap-v3" / pool)
    start, end = history.segments()[0]
    first = start + start_day * DAY
    if first + days * DAY > end:
        raise ValueError(f"{pool} has {(end - start) // DAY} contiguous days; asked for days {start_day}..{start_day + days}")
    return resample(history.window(first, first + days * DAY))


def replayed_market(deployer: AccountAPI, lp: AccountAPI, trader: AccountAPI, series: PoolHistory,
                    progress: Callable[[int, int], None] | None = None) -> ReplayedMarket:
    """Deploys the market priced where the series starts, then replays the series onto its WETH/USDC 0.05 % pool."""
    market = deploy_market(deployer, lp=lp, pools=pools_at({"WETH": series_start_price(series, "WETH")}))
    report = replay(market, market.pool("WETH", "USDC", 500), series, trader, progress=progress)
    return ReplayedMarket(market=market, history=series, report=report)
