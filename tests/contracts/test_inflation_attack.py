"""The first-depositor inflation attack: 1 wei deposit, a huge donation, then the victim's deposit."""

from __future__ import annotations

from keeper.deployment import deploy_vault
from keeper import contracts

DONATION = 10**24
VICTIM_DEPOSIT = 10**6


def _attack(vault, asset, attacker, victim, deployer):
    asset.mint(attacker, DONATION + 1, sender=deployer)
    asset.mint(victim, VICTIM_DEPOSIT, sender=deployer)
    asset.approve(vault, 2**256 - 1, sender=attacker)
    asset.approve(vault, 2**256 - 1, sender=victim)
    vault.deposit(1, attacker, sender=attacker)
    asset.transfer(vault, DONATION, sender=attacker)
    vault.deposit(VICTIM_DEPOSIT, victim, sender=victim)
    return VICTIM_DEPOSIT - vault.previewRedeem(vault.balanceOf(victim))


def test_inflation_attack__victim_loss_bounded(accounts, deployer, roles, attacker):
    victim = accounts[9]
    asset = deployer.deploy(contracts.container("TestToken"), "USD Coin", "USDC", 6)
    ours = deploy_vault(deployer, asset, roles).vault
    loss = _attack(ours, asset, attacker, victim, deployer)

    # The same attack on a bare OpenZeppelin ERC-4626 (offset 0, balance-based total assets), for contrast.
    bare = deployer.deploy(contracts.container("TestYieldVault"), asset, "bare", "bare")
    victim_bare = accounts[5]
    bare_loss = _attack(bare, asset, attacker, victim_bare, deployer)

    # Internal accounting ignores the donation, so only rounding is left; the decimals offset (10^6 virtual shares)
    # caps that rounding at one wei of the victim's deposit.
    offset = ours.DECIMALS_OFFSET()
    bound = VICTIM_DEPOSIT // (VICTIM_DEPOSIT * 10**offset) + 1
    print(
        f"\ninflation attack (1 wei, donate 1e24, victim deposits 1e6): victim loss on ALP vault = {loss} wei "
        f"(bound {bound} wei, decimals offset {offset}); on a bare OpenZeppelin ERC-4626 = {bare_loss} wei"
    )
    assert 0 <= loss <= bound
    assert bare_loss > VICTIM_DEPOSIT // 2, "contrast: the bare vault loses most of the deposit"
    assert ours.totalAssets() == 1 + VICTIM_DEPOSIT
