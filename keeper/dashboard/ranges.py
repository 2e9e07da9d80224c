"""Each Uniswap V3 strategy's range against its pool's price, sampled at every dashboard refresh."""

from __future__ import annotations

from typing import Any

from ape import chain

from keeper.dashboard.snapshot import RangePoint, RangeTrack


class RangeTracks:
    """Callable for ChainFeed(ranges=...): appends one point per strategy per call, in asset per paired token."""

    def __init__(self, strategies: dict[str, Any], pool_names: dict[str, str]) -> None:
        from keeper import contracts

        self.strategies, self.pool_names = strategies, pool_names
        # (asset, paired token) decimals per strategy: a vault's ranges may pair its asset with different tokens.
        self.decimals = {label: (contracts.erc20(s.asset()).decimals(), contracts.erc20(s.pairedToken()).decimals())
                         for label, s in strategies.items()}
        self.tracks = {label: RangeTrack(strategy=label, pool=pool_names[label], points=[]) for label in strategies}

    def _price(self, label: str, strategy: Any, tick: float) -> float:
        # The pool quotes token1 per token0; the dashboard shows the paired token in the vault's asset.
        asset, paired = self.decimals[label]
        raw = 1.0001**tick
        if strategy.assetIsToken0():
            return 1 / raw * 10 ** (paired - asset)
        return raw * 10 ** (paired - asset)

    def __call__(self) -> list[RangeTrack]:
        from keeper import contracts

        now = chain.blocks.head.timestamp
        for label, strategy in self.strategies.items():
            tick = contracts.at("UniswapV3Pool", strategy.pool()).slot0().tick
            point = RangePoint(t=now, price=self._price(label, strategy, tick))
            if strategy.liquidity() > 0:
                a, b = self._price(label, strategy, strategy.tickLower()), self._price(label, strategy, strategy.tickUpper())
                point.lower, point.upper = min(a, b), max(a, b)
            points = self.tracks[label].points
            if points and points[-1].t == now:
                points[-1] = point
            else:
                points.append(point)
        return [t.model_copy(deep=True) for t in self.tracks.values()]


def range_tracks_for(vault: Any) -> RangeTracks | None:
    """The range tracks of every Uniswap V3 strategy in `vault`'s queue, found from the chain and named by what
    they hold (`WETH/USDC 0.05 %`); None when the vault holds no range."""
    from keeper import contracts, names
    from keeper.market.chain import strategy_pool

    strategies = {}
    for address in vault.withdrawQueue():
        if strategy_pool(chain.provider.web3, address) is not None:
            strategies[names.strategy(address)] = contracts.at("UniswapV3Strategy", address)
    if not strategies:
        return None
    return RangeTracks(strategies, {label: f"{label} pool" for label in strategies})
