"""What one share was worth over time, read from the vaults' own `convertToAssets` at past blocks: the depositor's
measure of performance (a vault's size moves with every deposit and withdrawal; its share price does not).

Past blocks never change, so each (vault, block) is read once and kept for the life of the reader.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel

# Enough points for a smooth line on a page, few enough that a first load stays a few hundred calls.
SAMPLES = 48


class PricePoint(BaseModel):
    t: int
    block: int
    price: float


class PriceLine(BaseModel):
    name: str
    points: list[PricePoint]


class SharePriceReader:
    def __init__(self) -> None:
        self._prices: dict[tuple[str, int], float] = {}
        self._times: dict[int, int] = {}
        self._decimals: dict[str, int] = {}

    def _time(self, block: int) -> int:
        from ape import chain

        if block not in self._times:
            self._times[block] = chain.blocks[block].timestamp
        return self._times[block]

    def _price(self, vault: Any, block: int, head: int) -> float | None:
        key = (vault.address, block)
        if key not in self._prices or block == head:
            one = 10 ** vault.decimals()
            unit = 10 ** self._asset_decimals(vault)
            try:
                raw = vault.convertToAssets(one, block_id=block)
            except Exception:  # a node without that block's state, or a passing error: no point, asked again later
                return None
            self._prices[key] = raw / unit
        return self._prices[key]

    def _asset_decimals(self, vault: Any) -> int:
        if vault.address not in self._decimals:
            from keeper import names

            self._decimals[vault.address] = names.token(vault.asset())[1]
        return self._decimals[vault.address]

    def lines(self, vaults: list[tuple[str, Any]], start_block: int, head: int) -> list[PriceLine]:
        """One line per (name, vault) from `start_block` to `head`, on the same blocks, plus "holding the asset" (a
        flat line at the first vault's starting price: what the money would be worth had it stayed in the asset)."""
        start_block = max(0, min(start_block, head))
        # A power-of-two grid: as the chain grows the sampled blocks stay the same ones, so they stay cached.
        step = 1 << max(0, math.ceil(math.log2(max(1, (head - start_block) / SAMPLES))))
        blocks = sorted({start_block, *range(-(-start_block // step) * step, head, step), head})
        out = []
        for name, vault in vaults:
            points = [PricePoint(t=self._time(b), block=b, price=p)
                      for b in blocks if (p := self._price(vault, b, head)) is not None]
            out.append(PriceLine(name=name, points=points))
        if out and out[0].points:
            first = out[0].points[0]
            out.append(PriceLine(name="holding the asset", points=[
                PricePoint(t=first.t, block=first.block, price=first.price),
                PricePoint(t=self._time(head), block=head, price=first.price)]))
        return out
