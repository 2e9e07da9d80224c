"""Gas bounds for the depositor's everyday paths, against a bare OpenZeppelin ERC-4626 on the same chain.

Gas is deterministic for a given chain state, so these are assertions, not timings; `make bench` prints the full
table. Both vaults already hold a whale's deposit, and Alice's calls are her first, so cold storage matches.
"""

from __future__ import annotations

import pytest
from keeper import contracts

USDC = 10**6
MAX_RATIO = 1.15  # issue 2: a deposit or an idle withdrawal may cost at most 15 % more than the bare standard


@pytest.fixture(scope="module")
def bare(deployer, asset, alice, whale):
    vault = deployer.deploy(contracts.container("TestYieldVault"), asset, "Bare ERC-4626", "bare")
    for person in (alice, whale):
        asset.approve(vault, 2**256 - 1, sender=person)
    vault.deposit(100_000 * USDC, whale, sender=whale)
    return vault


def _deposit_then_withdraw(vault, alice):
    deposited = vault.deposit(1_000 * USDC, alice, sender=alice).gas_used
    withdrawn = vault.withdraw(500 * USDC, alice, alice, sender=alice).gas_used
    return deposited, withdrawn


def test_deposit_and_idle_withdraw__within_15_percent_of_bare_erc4626(vault, bare, alice, whale):
    vault.deposit(100_000 * USDC, whale, sender=whale)
    ours = _deposit_then_withdraw(vault, alice)
    theirs = _deposit_then_withdraw(bare, alice)
    print(f"\ngas deposit {ours[0]} vs {theirs[0]}, withdraw_idle {ours[1]} vs {theirs[1]}")
    assert ours[0] <= theirs[0] * MAX_RATIO
    assert ours[1] <= theirs[1] * MAX_RATIO
