"""A vault on the real local market for the keeper: two Uniswap V3 strategies (0.05 % and 0.3 % WETH/USDC pools)
and one ERC-4626 lending strategy, with deposits; the keeper's store is a fresh SQLite file per test."""

from __future__ import annotations

import pytest

from keeper.config import load_config
from keeper.deployment import Roles, add_strategy, deploy_erc4626_strategy, deploy_univ3_strategy, deploy_vault
from keeper.localnet.market import deploy_market
from keeper import contracts

USDC = 10**6
HOUR = 3_600


@pytest.fixture(scope="module")
def world(accounts, chain):
    deployer, governance, curator, guardian, keeper, fee_recipient, alice, lp, trader = accounts[:9]
    market = deploy_market(deployer, lp=lp)
    usdc = market.tokens["USDC"]
    deployment = deploy_vault(deployer, usdc, Roles(governance, curator, guardian, keeper, fee_recipient),
                              timelock_delay=60)
    vault = deployment.vault
    strategies = {}
    for fee in (500, 3000):
        s = deploy_univ3_strategy(deployer, deployment, market.pool("WETH", "USDC", fee), f"ALP {fee}", f"alp{fee}")
        add_strategy(deployment, s, 10**13, 6_000)
        strategies[f"univ3-{fee}"] = s
    source = deployer.deploy(contracts.container("TestYieldVault"), usdc, "Lending", "lend")
    # Other lenders' 1M: the 5 USDC of interest the tests add per hour is then a lending rate of ~4 %/yr.
    market.fund(deployer, "USDC", 1_000_000 * 10**6)
    usdc.approve(source, 1_000_000 * 10**6, sender=deployer)
    source.deposit(1_000_000 * 10**6, deployer, sender=deployer)
    lending = deploy_erc4626_strategy(deployer, deployment, source, "ALP lend", "alpL")
    add_strategy(deployment, lending, 10**13, 6_000)
    strategies["lending"] = lending
    market.fund(alice, "USDC", 100_000 * USDC)
    usdc.approve(vault, 2**256 - 1, sender=alice)
    vault.deposit(100_000 * USDC, alice, sender=alice)
    chain.pending_timestamp += 2 * HOUR
    chain.mine()
    return dict(market=market, vault=vault, strategies=strategies, keeper=keeper, trader=trader, source=source,
                deployer=deployer, usdc=usdc, deployment=deployment, curator=curator)


@pytest.fixture
def config(world, tmp_path, chain):
    def make(**overrides):
        settings = dict(network=chain.provider.uri, vault=world["vault"].address, account="test:4",
                        mode="autonomous", store=str(tmp_path / "keeper.sqlite"), confirm_timeout_seconds=5,
                        cost_margin=1.0)
        settings.update(overrides)
        return load_config(**settings)
    return make


def rebalances(vault, since_block: int) -> int:
    """How many Rebalanced events the vault emitted since a block: the ground truth for 'exactly one'."""
    return len(list(vault.Rebalanced.range(since_block, vault.chain_manager.blocks.head.number + 1)))
