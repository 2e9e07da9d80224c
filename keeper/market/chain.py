"""Reads pools, strategies and the vault from the chain in few round trips: through Multicall3 where the chain has
it (a thousand pools in one HTTP request), else in JSON-RPC batches of hundreds of calls.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector
from pydantic import BaseModel
from web3 import Web3

from keeper import contracts
from keeper.market.multicall import Reads

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


_SLOT0 = function_signature_to_4byte_selector("slot0()")
_LIQUIDITY = function_signature_to_4byte_selector("liquidity()")
_GROWTH0 = function_signature_to_4byte_selector("feeGrowthGlobal0X128()")
_GROWTH1 = function_signature_to_4byte_selector("feeGrowthGlobal1X128()")
_OBSERVE = function_signature_to_4byte_selector("observe(uint32[])") + encode(["uint32[]"], [[TWAP_SECONDS, 0]])
_POOL_READS = (_SLOT0, _LIQUIDITY, _GROWTH0, _GROWTH1, _OBSERVE)


class NotAPool(ValueError):
    """An address that does not answer like a Uniswap V3 pool."""


class ChainReader:
    """Pool reads with a count of the HTTP round trips they took: through Multicall3 where the chain has it (a
    thousand pools in one request), else batched eth_calls."""

    def __init__(self, web3: Web3, multicall: bool | None = None) -> None:
        """multicall: None asks the chain once, at the first read; False reads in plain batches."""
        self.web3 = web3
        self._multicall = multicall
        self._reads: Reads | None = None

    @property
    def requests(self) -> int:
        return self._reads.round_trips if self._reads else 0

    def pools(self, addresses: Iterable[str]) -> list[PoolState]:
        addresses = [Web3.to_checksum_address(a) for a in addresses]
        if self._reads is None:
            self._reads = Reads(self.web3, self._multicall)
        results = self._reads.run([(a, data) for a in addresses for data in _POOL_READS])
        out = []
        for i, address in enumerate(addresses):
            (ok0, slot0), (ok1, liquidity), (ok2, g0), (ok3, g1), (ok4, observed) = results[5 * i:5 * i + 5]
            if not (ok0 and ok1 and ok2 and ok3) or len(slot0) < 64:
                raise NotAPool(f"{address} does not answer slot0(): not a Uniswap V3 pool")
            sqrt_price, tick = decode(["uint160", "int24"], slot0[:64])
            # observe reverts ("OLD") while the oracle does not reach back the window: no TWAP yet.
            cumulatives = decode(["int56[]", "uint160[]"], observed)[0] if ok4 else None
            out.append(_state(address, sqrt_price, tick, decode(["uint128"], liquidity)[0],
                              decode(["uint256"], g0)[0], decode(["uint256"], g1)[0], cumulatives))
        return out


class SharedPools:
    """A ChainReader for one scheduler cycle: each pool is read once, whichever of the chain's vaults hold ranges in
    it (make a new one per cycle: what it read is that moment's state)."""

    def __init__(self, reader: ChainReader) -> None:
        self.reader = reader
        self._read: dict[str, PoolState] = {}

    @property
    def requests(self) -> int:
        return self.reader.requests

    def pools(self, addresses: Iterable[str]) -> list[PoolState]:
        addresses = [Web3.to_checksum_address(a) for a in addresses]
        missing = list(dict.fromkeys(a for a in addresses if a not in self._read))
        if missing:
            self._read.update({s.address: s for s in self.reader.pools(missing)})
        return [self._read[a] for a in addresses]


def _state(address: str, sqrt_price: int, tick: int, liquidity: int, g0: int, g1: int,
           cumulatives: Any) -> PoolState:
    twap = None if cumulatives is None else math.floor((cumulatives[1] - cumulatives[0]) / TWAP_SECONDS)
    return PoolState(address=address, sqrt_price_x96=sqrt_price, tick=tick, liquidity=liquidity, fee_growth0=g0,
                     fee_growth1=g1, twap_tick=twap)


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
