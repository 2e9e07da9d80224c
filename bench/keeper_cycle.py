"""Keeper cycle time against the number of candidate pools, and the RPC round trips one observation costs.

Decide time (features → risk → range choice → allocation) is measured on observations recorded from the real local
pools and replicated to N candidates, so chain latency is excluded. The RPC count comes from reading 1,000 pool
addresses (the four local pools, each addressed 250 times) through the batched reader on anvil.
"""

from __future__ import annotations

import random
import time

from bench import _report
from bench._chain import local_chain

NAME = "keeper_cycle"
SIZES = (10, 100, 1000)
REPEATS = 3


def _decide(observations: list[tuple[dict, dict, list[int]]]) -> None:
    from keeper.market.chain import fee_apr_between
    from keeper.forecast.models import ewma_volatility
    from keeper.optimize.allocation import Opportunity, allocate
    from keeper.optimize.ranges import best_range

    ops = []
    for i, (before, after, ticks) in enumerate(observations):
        fees = fee_apr_between(before, after)
        vol = ewma_volatility(ticks, [3_600 * k for k in range(len(ticks))])
        choice = best_range(fees.base_fee_apr, vol, 0.001)
        ops.append(Opportunity(name=f"pool{i}", expected_return=choice.net_apr, cap=0.2))
    allocate(ops, min_idle=0.02, max_turnover=0.5)


def run() -> None:
    from ape import accounts, chain

    from keeper.localnet.market import deploy_market
    from keeper.market.chain import ChainReader

    with local_chain():
        market = deploy_market(accounts.test_accounts[0], lp=accounts.test_accounts[1])
        chain.pending_timestamp += 3_600
        chain.mine()
        reader = ChainReader(chain.provider.web3)
        addresses = [p.address for p in market.pools.values()] * 250
        started = time.perf_counter()
        states = reader.pools(addresses)
        observe_seconds = time.perf_counter() - started
        rpc_requests = reader.requests
    rng = random.Random(7)
    base = states[: len(market.pools)]
    results = {}
    for n in SIZES:
        observations = []
        for i in range(n):
            s = base[i % len(base)].model_dump()
            before = {**s, "t": 0, "fee_growth0": 0, "fee_growth1": 0}
            after = {**s, "t": 3_600, "fee_growth0": rng.randrange(1, 2**100), "fee_growth1": rng.randrange(1, 2**90)}
            ticks = [s["tick"] + rng.randint(-30, 30) for _ in range(168)]
            observations.append((before, after, ticks))
        best = float("inf")
        for _ in range(REPEATS):
            started = time.perf_counter()
            _decide(observations)
            best = min(best, time.perf_counter() - started)
        results[str(n)] = round(best, 4)
    _report.write(NAME, {"pools": results, "rpc_requests_observing_1000_pools": rpc_requests,
                         "observe_1000_pools_seconds_on_anvil": round(observe_seconds, 3),
                         "note": "decide time excludes chain latency; best of 3"})
    _report.table("Keeper decide time per cycle (features, risk, ranges, allocation; chain latency excluded)", ["candidate pools", "seconds"],
                  [[n, s] for n, s in results.items()])
    print(f"one observation of 1,000 pools: {rpc_requests} RPC requests ({observe_seconds:.2f} s on anvil)")
