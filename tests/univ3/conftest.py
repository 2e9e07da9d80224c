"""A vault whose strategy holds a range in the real local WETH/USDC 0.05 % pool, with the personas of the contract
tests: deployer (owns the test tokens), governance, curator, guardian, keeper, fee recipient, alice, whale, attacker."""

from __future__ import annotations

import math

import pytest

from keeper.deployment import Roles, add_strategy, deploy_univ3_strategy, deploy_vault
from keeper.localnet.market import deploy_market, pools_at, series_start_price
from keeper.localnet.session import hourly_series
from keeper.univ3.ticks import nearest_usable_tick
from keeper.execute.rationale import NO_RATIONALE

USDC = 10**6
WETH = 10**18
HOUR = 3_600


@pytest.fixture(scope="session")
def people(accounts):
    names = ("deployer", "governance", "curator", "guardian", "keeper", "fee_recipient", "alice", "whale", "attacker", "lp")
    return dict(zip(names, accounts[:10]))


# The day of real history the fee test replays; the market starts at that day's price so the range sees its moves.
REPLAY_DAY = 10


@pytest.fixture(scope="module")
def market(people, chain):
    start = series_start_price(hourly_series(1, start_day=REPLAY_DAY), "WETH")
    built = deploy_market(people["deployer"], lp=people["lp"], pools=pools_at({"WETH": start}))
    # Let the oracles accumulate history: the strategy's TWAP window must be covered before it can value anything.
    chain.pending_timestamp += 2 * HOUR
    chain.mine()
    return built


@pytest.fixture(scope="module")
def pool(market):
    return market.pool("WETH", "USDC", 500)


@pytest.fixture(scope="module")
def usdc(market):
    return market.tokens["USDC"]


@pytest.fixture(scope="module")
def deployment(people, usdc):
    p = people
    roles = Roles(p["governance"], p["curator"], p["guardian"], p["keeper"], p["fee_recipient"])
    return deploy_vault(p["deployer"], usdc, roles)


@pytest.fixture(scope="module")
def vault(deployment):
    return deployment.vault


@pytest.fixture(scope="module")
def strategy(people, deployment, pool, market, usdc, chain):
    s = deploy_univ3_strategy(people["deployer"], deployment, pool, "ALP WETH/USDC 0.05%", "alpU")
    add_strategy(deployment, s, 10_000_000 * USDC, 6_000)
    vault = deployment.vault
    for who, amount in (("alice", 10_000), ("whale", 90_000)):
        market.fund(people[who], "USDC", amount * USDC)
        usdc.approve(vault, 2**256 - 1, sender=people[who])
        vault.deposit(amount * USDC, people[who], sender=people[who])
    vault.rebalance([(s.address, 50_000 * USDC)], chain.pending_timestamp + 600, NO_RATIONALE, sender=people["keeper"])
    return s


def centred_range(pool, half_width: float) -> tuple[int, int]:
    """A range of +-half_width around the pool's price, on its tick spacing."""
    tick, spacing = pool.slot0().tick, pool.tickSpacing()
    away = math.log(1 + half_width) / math.log(1.0001)
    return nearest_usable_tick(tick - away, spacing), nearest_usable_tick(tick + away, spacing)


def funding_swap(strategy, pool):
    """Sell half of the idle asset for the paired token: the keeper's simplest funding of a centred range."""
    idle = strategy.totalAssets()
    asset_is_token0 = strategy.assetIsToken0()
    return asset_is_token0, idle // 2  # zeroForOne = selling token0, which is the asset when asset_is_token0


def deadline(chain, seconds: int = 600) -> int:
    return chain.pending_timestamp + seconds


@pytest.fixture(scope="module")
def ranged(strategy, pool, people, chain):
    """The strategy holding a +-5 % range around the price."""
    lower, upper = centred_range(pool, 0.05)
    zero_for_one, amount = funding_swap(strategy, pool)
    strategy.rebalanceRange((lower, upper, zero_for_one, amount, 0), deadline(chain), NO_RATIONALE, sender=people["keeper"])
    return strategy
