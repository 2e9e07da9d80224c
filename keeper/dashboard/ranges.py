"""Each Uniswap V3 strategy's range against its pool's price, sampled at every dashboard refresh."""

from __future__ import annotations

from typing import Any

from ape import chain

from keeper.dashboard.snapshot import RangePoint, RangeTrack


class RangeTracks:
    """Callable for ChainFeed(ranges=...): appends one point per strategy per call, in asset per paired token."""

    def __init__(self, strategies: dict[str, Any], pool_names: dict[str, str], decimals: tuple[int, int]) -> None:
        self.strategies, self.pool_names = strategies, pool_names
        self.asset_decimals, self.paired_decimals = decimals
        self.tracks = {label: RangeTrack(strategy=label, pool=pool_names[label], points=[]) for label in strategies}

    def _price(self, strategy: Any, tick: float) -> float:
        # The pool quotes token1 per token0; the dashboard shows the paired token in the vault's asset.
        raw = 1.0001**tick
        if strategy.assetIsToken0():
            return 1 / raw * 10 ** (self.paired_decimals - self.asset_decimals)
        return raw * 10 ** (self.paired_decimals - self.asset_decimals)

    def __call__(self) -> list[RangeTrack]:
        from keeper import contracts

        now = chain.blocks.head.timestamp
        for label, strategy in self.strategies.items():
            tick = contracts.at("UniswapV3Pool", strategy.pool()).slot0().tick
            point = RangePoint(t=now, price=self._price(strategy, tick))
            if strategy.liquidity() > 0:
                a, b = self._price(strategy, strategy.tickLower()), self._price(strategy, strategy.tickUpper())
                point.lower, point.upper = min(a, b), max(a, b)
            points = self.tracks[label].points
            if points and points[-1].t == now:
                points[-1] = point
            else:
                points.append(point)
        return [t.model_copy(deep=True) for t in self.tracks.values()]
