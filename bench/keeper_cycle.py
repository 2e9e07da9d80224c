"""Keeper cycle at scale: observing 1,000 distinct local Uniswap V3 pools (real bytecode, every pair of 27 tokens at
three fee tiers) through Multicall3, and the decide time for 10, 100 and 1,000 candidate pools.

Observation: one ChainReader.pools call over the 1,000 addresses on anvil; its HTTP round trips are counted (the
first includes asking the chain whether Multicall3 is there), and the same read through plain JSON-RPC batches is
shown beside it. Decide (features -> risk -> range choice -> allocation) runs on those 1,000 observed states, each
given a week of synthetic ticks and an hour of fee growth (new pools have neither), so chain latency is excluded.
Targets (issue "The keeper at scale"): decide for 1,000 pools under 0.25 s, observation in at most 5 round trips.
"""

from __future__ import annotations

import random
import time

from bench import _report
from bench._chain import local_chain

NAME = "keeper_cycle"
POOLS = 1_000
SIZES = (10, 100, POOLS)
REPEATS = 3
DECIDE_TARGET_SECONDS = 0.25
ROUND_TRIP_TARGET = 5


def _decide(observations: list[tuple[dict, dict, list[int]]]) -> None:
    from keeper.forecast.models import ewma_volatility
    from keeper.market.chain import fee_apr_between
    from keeper.optimize.allocation import Opportunity, allocate
    from keeper.optimize.ranges import best_range

    hours = [3_600 * k for k in range(len(observations[0][2]))]
    ops = []
    for i, (before, after, ticks) in enumerate(observations):
        fees = fee_apr_between(before, after)
        choice = best_range(fees.base_fee_apr, ewma_volatility(ticks, hours), 0.001)
        ops.append(Opportunity(name=f"pool{i}", expected_return=choice.net_apr, cap=0.2))
    allocate(ops, min_idle=0.02, max_turnover=0.5)


def _observe() -> tuple[list, dict]:
    from ape import accounts, chain

    from keeper import contracts
    from keeper.localnet.many_pools import deploy_many_pools, tokens_for
    from keeper.market import multicall
    from keeper.market.chain import ChainReader

    with local_chain(step_traces=False, history=False):
        web3 = chain.provider.web3
        deployer = accounts.test_accounts[0]
        multicall.install_on_dev_chain(web3)
        factory = deployer.deploy(contracts.container("UniswapV3Factory"))
        tokens = [deployer.deploy(contracts.container("TestToken"), f"Token {i}", f"T{i}", 18).address
                  for i in range(tokens_for(POOLS))]
        started = time.perf_counter()
        pools = deploy_many_pools(web3, factory, tokens, POOLS, deployer.address)
        setup_seconds = time.perf_counter() - started
        reader = ChainReader(web3)
        started = time.perf_counter()
        states = reader.pools(pools)
        seconds = time.perf_counter() - started
        batched = ChainReader(web3, multicall=False)
        started = time.perf_counter()
        assert batched.pools(pools) == states
        batched_seconds = time.perf_counter() - started
    return states, {"distinct_pools": len(set(pools)), "round_trips": reader.requests, "seconds": round(seconds, 3),
                    "without_multicall_round_trips": batched.requests,
                    "without_multicall_seconds": round(batched_seconds, 3),
                    "pool_setup_seconds": round(setup_seconds, 1)}


def run() -> None:
    states, observed = _observe()
    rng = random.Random(7)
    results = {}
    for n in SIZES:
        observations = []
        for s in states[:n]:
            state = s.model_dump()
            before = {**state, "t": 0, "fee_growth0": 0, "fee_growth1": 0}
            after = {**state, "t": 3_600, "fee_growth0": rng.randrange(1, 2**100), "fee_growth1": rng.randrange(1, 2**90)}
            ticks = [state["tick"] + rng.randint(-30, 30) for _ in range(168)]
            observations.append((before, after, ticks))
        best = float("inf")
        for _ in range(REPEATS):
            started = time.perf_counter()
            _decide(observations)
            best = min(best, time.perf_counter() - started)
        results[str(n)] = round(best, 4)
    decide = results[str(POOLS)]
    _report.write(NAME, {"decide_seconds": results, "observe_1000_pools": observed,
                         "targets": {"decide_1000_seconds": DECIDE_TARGET_SECONDS,
                                     "observe_round_trips": ROUND_TRIP_TARGET},
                         "met": {"decide": decide < DECIDE_TARGET_SECONDS,
                                 "observe": observed["round_trips"] <= ROUND_TRIP_TARGET},
                         "note": "decide excludes chain latency, best of 3; observation on anvil"})
    _report.table("Keeper decide time per cycle (features, risk, ranges, allocation; chain latency excluded)",
                  ["candidate pools", "seconds"], [[n, s] for n, s in results.items()])
    _report.table(f"Observing {observed['distinct_pools']:,} distinct pools on anvil",
                  ["read", "RPC round trips", "seconds"],
                  [["Multicall3 (aggregate3 in JSON-RPC batches)", observed["round_trips"], observed["seconds"]],
                   ["plain eth_call batches", observed["without_multicall_round_trips"],
                    observed["without_multicall_seconds"]]])
    print(f"decide 1,000 pools: {decide:.3f} s (target < {DECIDE_TARGET_SECONDS} s); observe 1,000 distinct pools: "
          f"{observed['round_trips']} round trips (target <= {ROUND_TRIP_TARGET})")
