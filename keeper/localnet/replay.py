"""Drives a local pool along a real historical series with real swaps: its price follows the recorded path, its
traded volume matches the recorded volume scaled to local depth, and chain time advances with the series.

Scaling, honestly stated: a local pool has its own depth, so each step's recorded volume is multiplied by the ratio
of the local pool's active liquidity to the real pool's at that step. Fees per unit of liquidity, which is what an
LP earns, then match the real pool's; absolute volumes do not and are reported beside the targets.

Where the volume trades matters as much as how much: real volume is many small swaps that keep the price inside the
step's recorded low..high band, so fees accrue where the liquidity is. The replay trades it the same way: sweeps
between the band's edges (all in one router multicall per step), never one big swap that would push the price out
into thin liquidity, where each unit of liquidity would collect fees no real position ever saw.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ape import chain
from eth_abi import decode
from ape.contracts import ContractInstance

from keeper.localnet.market import LocalMarket
from keeper.market.history import PoolHistory
from keeper.univ3.ticks import price_at_tick, sqrt_price_x96_at_tick, tick_at_price


@dataclass
class ReplayStep:
    timestamp: int  # chain time of the step
    target_tick: int
    reached_tick: int
    volume_target: float  # in units of the pool's token1 (human), scaled to local depth
    volume_done: float
    swaps: int


@dataclass
class ReplayReport:
    pool: str
    series: str
    steps: list[ReplayStep] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def swaps(self) -> int:
        return sum(s.swaps for s in self.steps)

    @property
    def max_tick_error(self) -> int:
        return max((abs(s.reached_tick - s.target_tick) for s in self.steps), default=0)

    @property
    def volume_ratio(self) -> float:
        target = sum(s.volume_target for s in self.steps)
        return sum(s.volume_done for s in self.steps) / target if target else 1.0


def local_ticks(history: PoolHistory, market: LocalMarket, pool: ContractInstance,
                column: str = "close_tick") -> np.ndarray:
    """A tick column of the series (closing prices by default) as ticks of the local pool (token order and decimals
    may differ: an inverted pair turns the series' lows into the local highs)."""
    real0, real1 = history.info.token0, history.info.token1
    local0, local1 = market.symbol_of(pool.token0()), market.symbol_of(pool.token1())
    if {real0.symbol, real1.symbol} != {local0, local1}:
        raise ValueError(f"series {history.name} trades {real0.symbol}/{real1.symbol}, the local pool "
                         f"{local0}/{local1}: replay a series onto a pool of the same pair")
    price0_in_1 = price_at_tick(getattr(history, column), real0.decimals, real1.decimals)
    if real0.symbol != local0:
        price0_in_1 = 1 / price0_in_1
    return np.rint(tick_at_price(price0_in_1, market.decimals(local0), market.decimals(local1))).astype(int)


# keccak256("Swap(address,address,int256,int256,uint160,uint128,int24)"): the pool's own event.
_SWAP_TOPIC = bytes.fromhex("c42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67")


class _FastTrader:
    """Sends the replay's swaps as plain `eth_sendTransaction`s from an account the local node holds unlocked.

    Ape's transaction path (estimate, sign, trace-ready receipt) costs ~150 ms a swap on anvil; this costs ~60 ms,
    which is what makes a month of hourly history replay in minutes. Local chains only.
    """

    def __init__(self, market: LocalMarket, pool: ContractInstance, trader: Any) -> None:
        self.market, self.pool, self.trader = market, pool, trader
        self.web3 = chain.provider.web3
        self.fee = int(pool.fee())
        self.tokens = (market.symbol_of(pool.token0()), market.symbol_of(pool.token1()))
        for symbol in self.tokens:  # funded and approved once: no per-swap balance or allowance checks
            market.fund(trader, symbol, 10 ** (market.decimals(symbol) + 15))
            market.tokens[symbol].approve(market.router, 2**256 - 1, sender=trader)

    def _swap_call(self, zero_for_one: bool, amount_in: int, sqrt_price_limit_x96: int = 0) -> bytes:
        sym_in, sym_out = self.tokens if zero_for_one else self.tokens[::-1]
        params = (self.market.tokens[sym_in].address, self.market.tokens[sym_out].address, self.fee,
                  self.trader.address, 2**40, amount_in, 0, sqrt_price_limit_x96)
        return bytes(self.market.router.exactInputSingle.encode_input(params))

    def swap(self, zero_for_one: bool, amount_in: int, sqrt_price_limit_x96: int = 0) -> tuple[int, int, int]:
        """Swaps `amount_in` of token0 (or token1); returns gross token0 in, token1 in, and token1 (or token0) out."""
        in0, in1, out0, out1 = self._send(self._swap_call(zero_for_one, amount_in, sqrt_price_limit_x96), _SWAP_GAS)
        return in0, in1, out1 if zero_for_one else out0

    def _send(self, data: bytes, gas: int) -> tuple[int, int, int, int]:
        """Sends router calldata; returns the pool's gross token0 in, token1 in, token0 out, token1 out."""
        tx = self.web3.eth.send_transaction(
            {"from": self.trader.address, "to": self.market.router.address, "data": data, "gas": gas}
        )
        receipt = self.web3.eth.wait_for_transaction_receipt(tx, poll_latency=0.005)
        if receipt.status != 1:
            raise RuntimeError(f"replay swap reverted in {self.pool.address} (tx {tx.hex()}): the replay stops here")
        in0 = in1 = out0 = out1 = 0
        pool = self.pool.address.lower()
        for log in receipt.logs:
            if log.address.lower() == pool and bytes(log.topics[0]) == _SWAP_TOPIC:
                amount0, amount1 = decode(["int256", "int256"], bytes(log.data)[:64])
                in0, in1 = in0 + max(amount0, 0), in1 + max(amount1, 0)
                out0, out1 = out0 - min(amount0, 0), out1 - min(amount1, 0)
        return in0, in1, out0, out1

    def churn(self, volume: float, low_tick: int, high_tick: int, target_tick: int) -> tuple[int, int, int]:
        """Trades about `volume` (token1, human) as sweeps between low_tick and high_tick, ending at target_tick.

        The price starts at the target. Sweeping down to the band's low edge, up to its high edge and finally back to
        the start trades about 2 L (sqrt(high) - sqrt(low)) of token1 per sweep while the active liquidity L holds.
        Returns gross token0 in, token1 in, and the number of swaps.
        """
        band = self._band(low_tick, high_tick)
        if volume <= 0 or band is None:
            return 0, 0, 0
        start, low, high = band
        # One sweep across the whole band, simulated: the liquidity inside the band is not the liquidity at the
        # price (a band can reach into other LPs' ranges), so its volume is measured, not assumed.
        per_sweep = self._simulated_volume(self._sweeps(1, low, high, target_tick))
        if per_sweep <= 0:
            return 0, 0, 0
        return self._sweep(band, volume / per_sweep, target_tick)

    def fees_per_liquidity(self) -> float:
        """Fees a unit of liquidity in range all along has earned so far, in raw token1 (the pool's accumulators)."""
        return fees_per_liquidity(self.pool)

    def churn_fees(self, fees: float, low_tick: int, high_tick: int, target_tick: int) -> int:
        """Sweeps between low_tick and high_tick until a unit of liquidity has earned about `fees` (raw token1).

        A swap moving the square-root price by d pays each unit of active liquidity about fee x d, whatever the
        liquidity is: the sweeps needed follow from the band alone. Returns the number of swaps.
        """
        band = self._band(low_tick, high_tick)
        distance = fees / (self.fee / 1_000_000) * 2**96  # square-root price distance to travel, X96
        if distance <= 0 or band is None:
            return 0
        _, low, high = band
        return self._sweep(band, distance / (2 * (high - low)), target_tick)[2]

    def _band(self, low_tick: int, high_tick: int) -> tuple[int, int, int] | None:
        """(start, low, high) square-root prices X96 of a band widened to include the current price; None when the
        price sits on an edge and there is nothing to sweep."""
        start = int(self.pool.slot0().sqrtPriceX96)
        low = min(sqrt_price_x96_at_tick(low_tick), start)
        high = max(sqrt_price_x96_at_tick(high_tick), start)
        return None if low >= start or high <= start else (start, low, high)

    def _sweep(self, band: tuple[int, int, int], full_sweeps: float, target_tick: int) -> tuple[int, int, int]:
        """Sends `full_sweeps` sweeps' worth of trading across `band` (from _band): whole sweeps, each narrowed to
        the same share of the band, ending at target_tick. Returns gross token0 in, token1 in, and the swaps sent."""
        start, low, high = band
        sweeps = min(math.ceil(full_sweeps), _MAX_SWEEPS)
        shrink = min(full_sweeps / sweeps, 1.0)
        low, high = start - int((start - low) * shrink), start + int((high - start) * shrink)
        if low >= start or high <= start:
            return 0, 0, 0
        calls = self._sweeps(sweeps, low, high, target_tick)
        in0, in1, _, _ = self._send(self.market.router.multicall.encode_input(calls), len(calls) * _SWAP_GAS_IN_BAND)
        return in0, in1, len(calls)

    def _sweeps(self, count: int, low: int, high: int, target_tick: int) -> list[bytes]:
        big0, big1 = (10 ** (self.market.decimals(sym) + 12) for sym in self.tokens)
        calls = []
        for _ in range(count):
            calls += [self._swap_call(True, big0, low), self._swap_call(False, big1, high)]
        return calls + [self._swap_call(True, big0, sqrt_price_x96_at_tick(target_tick))]

    def _simulated_volume(self, calls: list[bytes]) -> float:
        """Token1 (human) that `calls` would trade, from the amounts each swap would pay out (an eth_call)."""
        data = self.market.router.multicall.encode_input(calls)
        raw = self.web3.eth.call({"from": self.trader.address, "to": self.market.router.address, "data": data,
                                  "gas": len(calls) * _SWAP_GAS_IN_BAND})
        d0, d1 = (self.market.decimals(sym) for sym in self.tokens)
        price = (int(self.pool.slot0().sqrtPriceX96) / 2**96) ** 2 * 10 ** (d0 - d1)  # token0 in token1, human
        outs = [decode(["uint256"], r)[0] for r in decode(["bytes[]"], bytes(raw))[0]]
        # Down-swaps pay token1 out, up-swaps token0: alternating, starting and ending with a down-swap.
        return sum(out / 10**d1 if k % 2 == 0 else out / 10**d0 * price for k, out in enumerate(outs))

    def move_to_tick(self, target_tick: int) -> tuple[int, int]:
        current = int(self.pool.slot0().tick)
        if current == target_tick:
            return 0, 0
        zero_for_one = target_tick < current  # token0 in lowers the tick
        budget = 10 ** (self.market.decimals(self.tokens[0 if zero_for_one else 1]) + 12)
        in0, in1, _ = self.swap(zero_for_one, budget, sqrt_price_x96_at_tick(target_tick))
        return in0, in1


# Generous for one exactInputSingle that crosses many initialised ticks; unused gas is not charged.
_SWAP_GAS = 1_500_000
# A sweep inside a step's band crosses few initialised ticks: this per swap keeps a multicall under the block limit.
_SWAP_GAS_IN_BAND = 200_000
# At most this many sweeps per step (2 swaps each): volume beyond it is left untraded and shows in volume_ratio.
_MAX_SWEEPS = 60
# The band is widened by this much so a step whose recorded low and high are equal still has room to trade.
_BAND_MARGIN_TICKS = 2


def replay(
    market: LocalMarket,
    pool: ContractInstance,
    history: PoolHistory,
    trader: Any,
    *,
    progress: Callable[[int, int], None] | None = None,
    followers: list[tuple[ContractInstance, float]] = (),
    on_step: Callable[[int], None] | None = None,
) -> ReplayReport:
    """Replays `history` (already resampled to its step, e.g. hourly) onto `pool`, one step per row.

    followers: other pools of the same pair that arbitrage keeps at the same price, each with the fees per unit of
    liquidity it earns relative to the replayed pool (1.0: the same, as when LPs have moved capital between fee tiers
    until they pay alike); its volume follows from that, its fee rate and its depth. on_step(i) runs after step i's
    trading (the demo's keeper and harvests run there).
    """
    started = time.perf_counter()
    targets = local_ticks(history, market, pool)
    lows, highs = (local_ticks(history, market, pool, column) for column in ("low_tick", "high_tick"))
    lows, highs = np.minimum(lows, highs), np.maximum(lows, highs)
    fast = _FastTrader(market, pool, trader)
    others = [(_FastTrader(market, p, trader), parity) for p, parity in followers]
    sym0, sym1 = fast.tokens
    d0, d1 = market.decimals(sym0), market.decimals(sym1)
    real0 = history.info.token0.symbol
    report = ReplayReport(pool=f"{sym0}/{sym1}/{fast.fee}", series=history.name)
    # Align the pool with the series before it starts, so the first step is not a jump from the seeded price.
    fast.move_to_tick(int(targets[0]))
    for other, _ in others:
        other.move_to_tick(int(targets[0]))
    t0 = chain.pending_timestamp
    base = int(history.timestamps[0])
    for i, target in enumerate(targets):
        chain.pending_timestamp = max(t0 + int(history.timestamps[i]) - base, chain.pending_timestamp)
        price = float(price_at_tick(int(target), d0, d1))  # token0 in token1, human

        def value(in0: int, in1: int) -> float:
            return in0 / 10**d0 * price + in1 / 10**d1

        # Recorded volume in local token1 units, scaled by local/real active liquidity.
        real_v0, real_v1 = history.volume0[i], history.volume1[i]
        if real0 != sym0:
            real_v0, real_v1 = real_v1, real_v0
        scale = int(pool.liquidity()) / history.liquidity[i] if history.liquidity[i] > 0 else 0.0
        wanted = (real_v0 / 10**d0 * price + real_v1 / 10**d1) * scale
        leader_fees = fast.fees_per_liquidity() if others else 0.0
        in0, in1 = fast.move_to_tick(int(target))
        done, swaps = value(in0, in1), int(in0 + in1 > 0)
        band = (int(lows[i]) - _BAND_MARGIN_TICKS, int(highs[i]) + _BAND_MARGIN_TICKS)
        in0, in1, count = fast.churn(wanted - done, *band, int(target))
        done += value(in0, in1)
        swaps += count
        earned = fast.fees_per_liquidity() - leader_fees if others else 0.0
        for other, fee_parity in others:
            # The arbitrage that brings a follower to the new price pays its LPs first; sweeps add the rest.
            before = other.fees_per_liquidity()
            other.move_to_tick(int(target))
            other.churn_fees(earned * fee_parity - (other.fees_per_liquidity() - before), *band, int(target))
        report.steps.append(ReplayStep(
            timestamp=chain.blocks.head.timestamp, target_tick=int(target), reached_tick=int(pool.slot0().tick),
            volume_target=wanted, volume_done=done, swaps=swaps,
        ))
        if on_step:
            on_step(i)
        if progress:
            progress(i + 1, len(targets))
    report.seconds = time.perf_counter() - started
    return report


def fees_per_liquidity(pool: ContractInstance) -> float:
    """Fees a unit of liquidity in range all along has earned in `pool` so far, in raw token1, from the pool's
    fee-growth accumulators."""
    sqrt_price = int(pool.slot0().sqrtPriceX96) / 2**96
    return (int(pool.feeGrowthGlobal0X128()) * sqrt_price**2 + int(pool.feeGrowthGlobal1X128())) / 2**128


def full_range_fee_fraction(pool: ContractInstance) -> float:
    """The same, as a fraction of what a full-range unit of liquidity is worth now (2 sqrt(P) raw token1): what an
    LP earns, comparable across pools, token orders and decimals."""
    return fees_per_liquidity(pool) / (2 * int(pool.slot0().sqrtPriceX96) / 2**96)


def recorded_fee_fraction(history: PoolHistory) -> float:
    """The same quantity for the real pool over a recorded series (fees = volume in x fee rate, per active unit)."""
    prices = 1.0001 ** history.close_tick.astype(float)  # raw token1 per raw token0 of the real pool
    fees = history.fee_rate * (history.volume0 * prices + history.volume1) / history.liquidity
    return float(fees.sum() / (2 * prices[-1] ** 0.5))
