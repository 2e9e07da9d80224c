"""Personas and a deployed vault for the contract tests (Yearn V3 style: a test reads like a story).

Everything is real: OpenZeppelin ERC-20s and ERC-4626s, our Vault and adapters, a TimelockController as admin.
Ape snapshots the chain around every test, so module-scoped deployments stay isolated.
"""

from __future__ import annotations

import pytest

from keeper.deployment import Roles, add_strategy, deploy_erc4626_strategy, deploy_vault
from keeper import contracts

USDC = 10**6  # the asset is USDC-like: 6 decimals
DAY = 24 * 60 * 60


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def governance(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def curator(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def guardian(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def keeper(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def fee_recipient(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def alice(accounts):
    """A small depositor."""
    return accounts[6]


@pytest.fixture(scope="session")
def whale(accounts):
    return accounts[7]


@pytest.fixture(scope="session")
def attacker(accounts):
    return accounts[8]


@pytest.fixture(scope="session")
def roles(governance, curator, guardian, keeper, fee_recipient):
    return Roles(governance=governance, curator=curator, guardian=guardian, keeper=keeper, fee_recipient=fee_recipient)


@pytest.fixture(scope="module")
def asset(deployer, alice, whale, attacker):
    token = deployer.deploy(contracts.container("TestToken"), "USD Coin", "USDC", 6)
    for person in (alice, whale, attacker):
        token.mint(person, 10_000_000 * USDC, sender=deployer)
    return token


@pytest.fixture(scope="module")
def deployment(deployer, asset, roles):
    return deploy_vault(deployer, asset, roles)


@pytest.fixture(scope="module")
def vault(deployment, asset, alice, whale, attacker):
    v = deployment.vault
    for person in (alice, whale, attacker):
        asset.approve(v, 2**256 - 1, sender=person)
    return v


@pytest.fixture(scope="module")
def admin(deployment):
    return deployment.admin


@pytest.fixture(scope="module")
def yield_sources(deployer, asset):
    """Three real OpenZeppelin ERC-4626 vaults (lossy-capable so loss paths can be exercised)."""
    return [deployer.deploy(contracts.container("TestLossyYieldVault"), asset) for _ in range(3)]


@pytest.fixture(scope="module")
def strategies(deployer, deployment, vault, yield_sources):
    """Three ERC-4626 adapters added through the timelock, each capped at 1M USDC and 60 % of total assets."""
    result = []
    for i, source in enumerate(yield_sources):
        strategy = deploy_erc4626_strategy(deployer, deployment, source, f"ALP lend {i}", f"alpL{i}")
        add_strategy(deployment, strategy, 1_000_000 * USDC, 6_000)
        result.append(strategy)
    return result


@pytest.fixture(scope="module")
def funded(vault, strategies, alice, whale):
    """Alice and the whale have deposited; the keeper may rebalance right away."""
    vault.deposit(1_000 * USDC, alice, sender=alice)
    vault.deposit(99_000 * USDC, whale, sender=whale)
    return vault


def allocation(*pairs):
    """Rebalance targets sorted by strategy address, as the vault requires."""
    return sorted(((s.address, amount) for s, amount in pairs), key=lambda t: int(t[0], 16))


def deadline(chain, seconds: int = 600) -> int:
    return chain.pending_timestamp + seconds


def earn(asset, source, amount, minter):
    """Interest arrives the way it really does: a transfer of the asset into the yield source."""
    asset.mint(source, amount, sender=minter)
