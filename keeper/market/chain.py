"""Reads pools, strategies and the vault from the chain in JSON-RPC batches: one HTTP request carries hundreds of
calls, so observing a thousand pools costs a handful of round trips instead of thousands.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from web3 import Web3

from keeper import contracts

BATCH_SIZE = 500
TWAP_SECONDS = 1_800
ETHEREUM_BLOCK_SECONDS = 12
MIN_OBSERVATIONS = 10
_POOL_SELECTOR = bytes.fromhex("16f0115b")  # pool(): only a range strategy answers it


def strategy_pool(web3: Web3, strategy: str) -> str | None:
    """The Uniswap pool of a range strategy; None for any other strategy (asked with a raw call, quietly)."""
    try:
        raw = web3.eth.call({"to": strategy, "data": _POOL_SELECTOR})
    except Exception:  # no such function: an ERC-4626 adapter or another kind of strategy
        return None
    return Web3.to_checksum_address(raw[-20:]) if len(raw) == 32 else None


class OracleTooShort(RuntimeError):
    """A pool's oracle does not reach back as far as a strategy's TWAP window: every valuation and move reverts."""


def require_oracle(strategy: Any, pool: Any, name: str) -> None:
    """Raises OracleTooShort, with the fix, when `pool`'s observations do not cover `strategy`'s TWAP window."""
    from ape.exceptions import ContractLogicError

    window = strategy.twapWindow()
    try:
        pool.observe([window, 0])
    except ContractLogicError:  # the pool's "OLD": its observations do not reach back `window` seconds
        slot0 = pool.slot0()
        # About one observation per block: a 12-second block needs window / 12 of them, with room to spare.
        needed = max(2 * window // ETHEREUM_BLOCK_SECONDS, MIN_OBSERVATIONS)
        fix = (f"call increaseObservationCardinalityNext({needed}) on the pool and wait {window // 60} minutes"
               if slot0.observationCardinalityNext < needed else f"wait {window // 60} minutes for it to fill")
        raise OracleTooShort(
            f"strategy {name}: pool {pool.address} holds {slot0.observationCardinality} oracle observation(s), "
            f"less than the strategy's {window // 60}-minute TWAP window: {fix}, then retry") from None


class PoolState(BaseModel):
    address: str
    sqrt_price_x96: int
    tick: int
    liquidity: int
    fee_growth0: int
    fee_growth1: int
    twap_tick: int | None  # None when the oracle does not reach back TWAP_SECONDS


class ChainReader:
    """Batched eth_calls with a count of the HTTP round trips they took."""

    def __init__(self, web3: Web3) -> None:
        self.web3 = web3
        self.requests = 0
        self._pool_abi = contracts.contract_type("UniswapV3Pool").model_dump(mode="json")["abi"]

    def call_many(self, calls: list[Any]) -> list[Any]:
        """Executes contract function calls in batches; a failed call yields its exception instead of a value."""
        results: list[Any] = []
        for start in range(0, len(calls), BATCH_SIZE):
            chunk = calls[start:start + BATCH_SIZE]
            with self.web3.batch_requests() as batch:
                for fn in chunk:
                    batch.add(fn)
                self.requests += 1
                results.extend(batch.execute())
        return results

    def pools(self, addresses: Iterable[str]) -> list[PoolState]:
        addresses = list(addresses)
        contracts = [self.web3.eth.contract(address=Web3.to_checksum_address(a), abi=self._pool_abi) for a in addresses]
        calls = []
        for c in contracts:
            f = c.functions
            calls += [f.slot0(), f.liquidity(), f.feeGrowthGlobal0X128(), f.feeGrowthGlobal1X128(),
                      f.observe([TWAP_SECONDS, 0])]
        values = self.call_many(calls)
        out = []
        for i, address in enumerate(addresses):
            slot0, liquidity, g0, g1, observed = values[5 * i:5 * i + 5]
            twap = None
            if not isinstance(observed, Exception) and observed is not None:
                cumulatives = observed[0]
                twap = math.floor((cumulatives[1] - cumulatives[0]) / TWAP_SECONDS)
            out.append(PoolState(address=address, sqrt_price_x96=slot0[0], tick=slot0[1], liquidity=liquidity,
                                 fee_growth0=g0, fee_growth1=g1, twap_tick=twap))
        return out


@dataclass
class PoolFeatures:
    """What two observations of a pool say about its fees: a full-range position's fee APR over the interval."""

    base_fee_apr: float
    seconds: int


def fee_apr_between(before: dict, after: dict) -> PoolFeatures | None:
    """Fee APR from fee-growth accumulators between two observations (wrapping arithmetic like the pool's)."""
    seconds = after["t"] - before["t"]
    if seconds <= 0:
        return None
    wrap = 1 << 256
    growth0 = (int(after["fee_growth0"]) - int(before["fee_growth0"])) % wrap / 2**128  # token0 per unit liquidity
    growth1 = (int(after["fee_growth1"]) - int(before["fee_growth1"])) % wrap / 2**128
    sqrt_price = int(after["sqrt_price_x96"]) / 2**96
    # Per unit of liquidity: fees in token1 terms over the value a unit of full-range liquidity holds (2 sqrt P).
    fees_token1 = growth0 * sqrt_price**2 + growth1
    return PoolFeatures(base_fee_apr=fees_token1 / (2 * sqrt_price) * 365 * 24 * 3600 / seconds, seconds=seconds)
