"""The same tests against a fork of the local upstream or of real mainnet: the fork sees the upstream's pools, trades
on it stay on the fork, and the ALP vault with its Uniswap V3 strategy works against the forked pool."""

from __future__ import annotations

import math

from web3 import HTTPProvider, Web3

from keeper.deployment import Roles, add_strategy, deploy_univ3_strategy, deploy_vault
from keeper.univ3.ticks import nearest_usable_tick, price_at_tick
from keeper.execute.rationale import NO_RATIONALE

WETH = 10**18
USDC = 10**6


def _eth_price(pool, tokens) -> float:
    token0_is_weth = pool.token0() == tokens["WETH"].address
    d0, d1 = (18, 6) if token0_is_weth else (6, 18)
    price = float(price_at_tick(pool.slot0().tick, d0, d1))
    return price if token0_is_weth else 1 / price


def test_fork__sees_the_upstream_market(factory, pool, tokens, oracle_history, described):
    assert factory.getPool(tokens["WETH"], tokens["USDC"], 500) == pool.address
    assert pool.liquidity() > 0
    assert 100 < _eth_price(pool, tokens) < 100_000
    cumulatives, _ = pool.observe([1_800, 0])
    twap = (cumulatives[1] - cumulatives[0]) // 1_800
    assert abs(twap - pool.slot0().tick) < 2_000
    print(f"\nforked {described.name}: WETH/USDC 0.05 % at {_eth_price(pool, tokens):,.2f} USDC, "
          f"liquidity {pool.liquidity():,}")


def test_fork__swap_stays_on_the_fork(accounts, router, tokens, get_weth, upstream_url, chain):
    trader = accounts[5]
    get_weth(trader, 2 * WETH)
    tokens["WETH"].approve(router, 2**256 - 1, sender=trader)
    before = tokens["USDC"].balanceOf(trader)
    receipt = router.exactInputSingle(
        (tokens["WETH"].address, tokens["USDC"].address, 500, trader.address, chain.pending_timestamp + 600,
         WETH, 0, 0),
        sender=trader,
    )
    assert tokens["USDC"].balanceOf(trader) > before
    upstream = Web3(HTTPProvider(upstream_url))
    assert upstream.eth.get_transaction_count(trader.address) < chain.provider.web3.eth.get_transaction_count(trader.address)
    try:
        upstream.eth.get_transaction(receipt.txn_hash)
        seen_upstream = True
    except Exception:
        seen_upstream = False
    assert not seen_upstream, "a transaction on the fork must not reach the upstream"


def test_fork__alp_strategy_ranges_in_the_forked_pool(accounts, pool, router, tokens, get_weth, chain,
                                                     oracle_history):
    deployer, governance, curator, guardian, keeper, fee_recipient, alice = accounts[:7]
    usdc = tokens["USDC"]
    # Alice gets USDC the way anyone would on this market: wrap or mint WETH, sell it in the pool.
    get_weth(alice, 20 * WETH)
    tokens["WETH"].approve(router, 2**256 - 1, sender=alice)
    router.exactInputSingle((tokens["WETH"].address, usdc.address, 500, alice.address, chain.pending_timestamp + 600,
                             20 * WETH, 0, 0), sender=alice)
    deposit = usdc.balanceOf(alice)
    assert deposit > 0

    deployment = deploy_vault(deployer, usdc, Roles(governance, curator, guardian, keeper, fee_recipient),
                              timelock_delay=60)
    vault = deployment.vault
    strategy = deploy_univ3_strategy(deployer, deployment, pool, "ALP WETH/USDC", "alpU")
    add_strategy(deployment, strategy, 10**15, 9_000)
    usdc.approve(vault, deposit, sender=alice)
    vault.deposit(deposit, alice, sender=alice)
    vault.rebalance([(strategy.address, deposit // 2)], chain.pending_timestamp + 600, NO_RATIONALE, sender=keeper)

    tick, spacing = pool.slot0().tick, pool.tickSpacing()
    away = math.log(1.05) / math.log(1.0001)
    lower, upper = nearest_usable_tick(tick - away, spacing), nearest_usable_tick(tick + away, spacing)
    strategy.rebalanceRange((lower, upper, strategy.assetIsToken0(), deposit // 4, 0), chain.pending_timestamp + 600, NO_RATIONALE,
                            sender=keeper)
    assert strategy.liquidity() > 0
    value = strategy.totalAssets()
    assert abs(value - deposit // 2) <= deposit // 2 // 100  # within 1 % (swap fee and impact)
    print(f"\nALP strategy on the forked pool: {value / USDC:,.2f} USDC in [{lower}, {upper}), "
          f"liquidity {strategy.liquidity():,}")
