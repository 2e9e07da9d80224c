"""A guided run of the vault on a fresh local chain: deposit, rebalance, harvest a profit, unlock it, withdraw.

Every step is a real transaction against the real contracts (OpenZeppelin ERC-20s and ERC-4626 yield sources, our
vault behind its timelock); the narration reads its numbers back from the chain, never from the script's intentions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable
from unittest.mock import patch

from ape import accounts, chain
from ape.exceptions import ContractLogicError
from ape_ethereum.trace import Trace

from keeper.deployment import Roles, add_strategy, deploy_erc4626_strategy, deploy_vault
from keeper import contracts
from keeper.execute.rationale import scripted

DAY = 24 * 60 * 60
# The demo compresses the production one-day timelock so that admin steps do not dominate its narrative.
DEMO_TIMELOCK_DELAY = 60


@dataclass
class Step:
    title: str
    facts: dict[str, str]


def _usdc(raw: int, decimals: int) -> str:
    return f"{raw / 10**decimals:,.2f}"


def _targets(strategies: list[Any], debts: list[int]) -> list[tuple[str, int]]:
    """Rebalance targets in the order the vault requires (by strategy address)."""
    return sorted(((s.address, d) for s, d in zip(strategies, debts)), key=lambda t: int(t[0], 16))


def run_tour(say: Callable[[Step], None]) -> dict[str, Any]:
    """Runs the scenario on the connected local chain, reporting each step through `say`; returns the final state."""
    people = accounts.test_accounts
    deployer, governance, curator, guardian, keeper, fee_recipient, alice, bob = people[:8]
    asset = deployer.deploy(contracts.container("TestToken"), "USD Coin", "USDC", 6)
    unit = 10 ** asset.decimals()
    money = lambda raw: _usdc(raw, asset.decimals()) + " USDC"  # noqa: E731

    roles = Roles(governance, curator, guardian, keeper, fee_recipient)
    deployment = deploy_vault(deployer, asset, roles, timelock_delay=DEMO_TIMELOCK_DELAY)
    vault = deployment.vault
    deployment.admin.call(vault, "setFees", 1_000, 100)  # 10 % performance, 1 %/yr management
    sources = [deployer.deploy(contracts.container("TestYieldVault"), asset, name, sym) for name, sym in
               (("Lending market A", "lendA"), ("Lending market B", "lendB"))]
    strategies = []
    for i, source in enumerate(sources):
        strategy = deploy_erc4626_strategy(deployer, deployment, source, f"ALP lend {'AB'[i]}", f"alp{'AB'[i]}")
        add_strategy(deployment, strategy, 1_000_000 * unit, 6_000)
        strategies.append(strategy)
    say(Step("Deployed", {
        "vault": vault.address, "timelock (admin)": deployment.timelock.address,
        "strategies": ", ".join(s.address for s in strategies),
        "guardrails": f"cap 60 % each, idle >= {vault.minIdleBps() / 100:.0f} %, turnover <= "
                      f"{vault.maxTurnoverBps() / 100:.0f} %, max loss {vault.maxRebalanceLossBps()} bp, "
                      f"profit unlocks over {vault.profitUnlockTime() // DAY} days",
    }))

    for person, amount in ((alice, 10_000), (bob, 40_000)):
        asset.mint(person, amount * unit, sender=deployer)
        asset.approve(vault, amount * unit, sender=person)
        vault.deposit(amount * unit, person, sender=person)
    price = lambda: vault.convertToAssets(10 ** vault.decimals()) / unit  # noqa: E731
    say(Step("Deposits", {
        "alice": money(vault.previewRedeem(vault.balanceOf(alice))),
        "bob": money(vault.previewRedeem(vault.balanceOf(bob))),
        "total assets": money(vault.totalAssets()), "share price": f"{price():.6f}",
    }))

    total = vault.totalAssets()
    chain.pending_timestamp += vault.minRebalanceInterval()
    step_one = _targets(strategies, [total * 25 // 100, total * 20 // 100])
    step_two = _targets(strategies, [total * 45 // 100, total * 45 // 100])
    why = scripted("tour: 90 % lent in two steps")
    try:
        # Ape prints a full call trace for every revert on a local chain; the one-line reason is the story here.
        with patch.object(Trace, "show", lambda *args, **kwargs: None):
            vault.rebalance(step_two, chain.pending_timestamp + 600, why, sender=keeper)
        refused = "accepted (unexpected: the turnover guardrail did not hold)"
    except ContractLogicError as error:
        refused = f"refused on-chain: {type(error).__name__}({error})"
    say(Step("Keeper asks to move 90 % of the vault in one go", {"result": refused}))

    vault.rebalance(step_one, chain.pending_timestamp + 600, why, sender=keeper)
    chain.pending_timestamp += vault.minRebalanceInterval()
    vault.rebalance(step_two, chain.pending_timestamp + 600, why, sender=keeper)
    say(Step("Keeper rebalanced in two moves an hour apart, each within the 50 % turnover bound", {
        "idle": money(vault.totalIdle()), "lending A": money(vault.strategies(strategies[0]).currentDebt),
        "lending B": money(vault.strategies(strategies[1]).currentDebt),
    }))

    # Interest arrives the way it really does: the borrowers' repayments land in the lending markets.
    chain.pending_timestamp += 30 * DAY
    asset.mint(sources[0], total * 45 // 100 * 2 // 100, sender=deployer)
    asset.mint(sources[1], total * 45 // 100 * 1 // 100, sender=deployer)
    before = price()
    for strategy in strategies:
        vault.harvest(strategy, chain.pending_timestamp + 600, sender=keeper)
    say(Step("Keeper harvested 30 days of interest", {
        "profit reported, locked": money(vault.lockedProfit()),
        "share price right after harvest": f"{price():.6f} (was {before:.6f}): the profit is locked, so there is "
                                           "no jump to sandwich; the dip is 30 days of the 1 %/yr management fee",
        "fee shares to the fee recipient": money(vault.previewRedeem(vault.balanceOf(fee_recipient))),
    }))

    chain.pending_timestamp += vault.profitUnlockTime()
    chain.mine()
    say(Step("Profit unlocked over 7 days", {"share price": f"{price():.6f}", "total assets": money(vault.totalAssets())}))

    owned = vault.previewRedeem(vault.balanceOf(alice))
    received_before = asset.balanceOf(alice)
    vault.redeem(vault.balanceOf(alice), alice, alice, 1, sender=alice)
    received = asset.balanceOf(alice) - received_before
    say(Step("Alice withdrew everything (idle first, then strategies in queue order; max loss 1 bp)", {
        "received": money(received), "deposited": money(10_000 * unit),
        "gain": money(received - 10_000 * unit), "expected from share price": money(owned),
    }))
    final = {
        "total_assets": vault.totalAssets() / unit, "share_price": price(),
        "alice_received": received / unit, "bob_value": vault.previewRedeem(vault.balanceOf(bob)) / unit,
        "fee_recipient_value": vault.previewRedeem(vault.balanceOf(fee_recipient)) / unit,
    }
    # Amounts in USDC with its 6 decimals; the share price is USDC per share.
    say(Step("Final state", {k.replace("_", " "): f"{v:,.6f}" + ("" if k == "share_price" else " USDC")
                             for k, v in final.items()}))
    return final
