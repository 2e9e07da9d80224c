"""Gas of one keeper re-range of the Uniswap V3 strategy (remove range, swap, new range) against the raw pool calls
for the same change (burn + collect + swap + mint, amounts precomputed off-chain) from the same chain state."""

from __future__ import annotations

import math

from bench import _report
from bench._chain import local_chain
from keeper import contracts
from keeper.execute.rationale import NO_RATIONALE

NAME = "univ3_rebalance"
BOUND = 1.30  # issue 3: at most 30 % over the raw Uniswap calls
USDC = 10**6


def measure() -> dict[str, int]:
    """Runs on the connected chain (the benchmark starts its own anvil; the gas test uses the test session's)."""
    from ape import accounts, chain

    from keeper.deployment import Roles, add_strategy, deploy_univ3_strategy, deploy_vault
    from keeper.localnet.market import deploy_market
    from keeper.univ3.ticks import MAX_SQRT_PRICE, MIN_SQRT_PRICE, nearest_usable_tick

    people = accounts.test_accounts
    deployer, governance, curator, guardian, keeper, fee_recipient, alice, lp = people[:8]
    market = deploy_market(deployer, lp=lp)
    pool = market.pool("WETH", "USDC", 500)
    usdc = market.tokens["USDC"]
    deployment = deploy_vault(deployer, usdc, Roles(governance, curator, guardian, keeper, fee_recipient),
                              timelock_delay=60)
    vault = deployment.vault
    strategy = deploy_univ3_strategy(deployer, deployment, pool, "ALP WETH/USDC", "alpU")
    add_strategy(deployment, strategy, 10**12 * USDC, 10_000)
    deployment.admin.call(vault, "setMaxTurnoverBps", 10_000)
    chain.pending_timestamp += 3_600
    market.fund(alice, "USDC", 100_000 * USDC)
    usdc.approve(vault, 2**256 - 1, sender=alice)
    vault.deposit(100_000 * USDC, alice, sender=alice)
    vault.rebalance([(strategy.address, 90_000 * USDC)], chain.pending_timestamp + 600, NO_RATIONALE, sender=keeper)

    def centred(half_width: float) -> tuple[int, int]:
        away = math.log(1 + half_width) / math.log(1.0001)
        tick, spacing = pool.slot0().tick, pool.tickSpacing()
        return nearest_usable_tick(tick - away, spacing), nearest_usable_tick(tick + away, spacing)

    asset_is_token0 = strategy.assetIsToken0()
    a_lower, a_upper = centred(0.05)
    strategy.rebalanceRange((a_lower, a_upper, asset_is_token0, 45_000 * USDC, 0), chain.pending_timestamp + 600, NO_RATIONALE,
                            sender=keeper)
    l_a = strategy.liquidity()

    # The baseline holds the same position, funded generously so that its mint never runs short.
    raw = deployer.deploy(contracts.container("RawRangeBaseline"), pool.address)
    for symbol in ("WETH", "USDC"):
        market.fund(raw, symbol, 10 ** (market.decimals(symbol) + 9))
    raw.mint(a_lower, a_upper, l_a, sender=deployer)
    chain.pending_timestamp += max(strategy.twapWindow(), strategy.minRangeInterval())
    chain.mine()

    b_lower, b_upper = centred(0.08)
    # Sell 1 WETH, the paired token: re-centring a wider range around the same price needs only a small swap.
    zero_for_one = not asset_is_token0
    amount_in = 10 ** market.decimals("WETH")
    snapshot = chain.snapshot()
    ours = strategy.rebalanceRange((b_lower, b_upper, zero_for_one, amount_in, 0), chain.pending_timestamp + 600, NO_RATIONALE,
                                   sender=keeper)
    l_b = strategy.liquidity()
    chain.restore(snapshot)
    limit = MIN_SQRT_PRICE + 1 if zero_for_one else MAX_SQRT_PRICE - 1
    baseline = raw.rerange(a_lower, a_upper, l_a, zero_for_one, amount_in, limit, b_lower, b_upper, l_b,
                           sender=deployer)
    return {"ours": int(ours.gas_used), "uniswap_raw": int(baseline.gas_used)}


def run() -> None:
    with local_chain():
        result = measure()
    overhead = result["ours"] / result["uniswap_raw"] - 1
    _report.write(NAME, {**result, "overhead": round(overhead, 4), "bound_overhead": BOUND - 1,
                         "what": "one re-range: remove range + swap + new range, same chain state"})
    _report.table("Uniswap V3 re-range gas (anvil, same state)", ["path", "gas"],
                  [["ALP strategy rebalanceRange", result["ours"]], ["raw burn+collect+swap+mint", result["uniswap_raw"]],
                   ["overhead", f"{overhead:.1%} (bound {BOUND - 1:.0%})"]])
