"""Many distinct Uniswap V3 pools on a local chain, for observing at scale: every pair of `tokens` at every fee tier
the factory knows, created and initialised at a price of one (raw units), in as many pools as asked.

Sent as plain `eth_sendTransaction`s from an account the dev node holds unlocked: two thousand transactions through
a signing wallet would take minutes for no gain in realism (the pools are real Uniswap V3 bytecode either way).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from web3 import Web3

FEE_TIERS = (500, 3_000, 10_000)
PRICE_ONE_SQRT_X96 = 2**96


def pool_count(tokens: int) -> int:
    """How many distinct pools `tokens` tokens make across the fee tiers."""
    return tokens * (tokens - 1) // 2 * len(FEE_TIERS)


def tokens_for(pools: int) -> int:
    """The fewest tokens that make at least `pools` distinct pools."""
    n = 2
    while pool_count(n) < pools:
        n += 1
    return n


def deploy_many_pools(web3: Web3, factory: Any, tokens: list[str], count: int, sender: str) -> list[str]:
    """Creates and initialises `count` pools of distinct (pair, fee) from `tokens`; returns their addresses."""
    if pool_count(len(tokens)) < count:
        raise ValueError(f"{len(tokens)} tokens make only {pool_count(len(tokens))} pools, fewer than {count}")
    pool_abi = [{"type": "function", "name": "initialize", "stateMutability": "nonpayable", "outputs": [],
                 "inputs": [{"name": "sqrtPriceX96", "type": "uint160"}]}]
    factory_ = web3.eth.contract(address=factory.address, abi=factory.contract_type.model_dump(mode="json")["abi"])
    keys = [(a, b, fee) for a, b in combinations(tokens, 2) for fee in FEE_TIERS][:count]
    hashes = [factory_.functions.createPool(a, b, fee).transact({"from": sender}) for a, b, fee in keys]
    for tx in hashes:
        if web3.eth.wait_for_transaction_receipt(tx).status != 1:
            raise RuntimeError(f"createPool {tx.hex()} reverted")
    pools = [factory_.functions.getPool(a, b, fee).call() for a, b, fee in keys]
    hashes = [web3.eth.contract(address=p, abi=pool_abi).functions.initialize(PRICE_ONE_SQRT_X96)
              .transact({"from": sender}) for p in pools]
    for tx in hashes:
        if web3.eth.wait_for_transaction_receipt(tx).status != 1:
            raise RuntimeError(f"initialize {tx.hex()} reverted")
    return pools
