"""Checks, before a command does anything, that an address holds an ALP vault and that the keeper may act on it.

A wrong address or an account without the keeper role is reported at start with the fix, not discovered later as
a failed simulation.
"""

from __future__ import annotations

from typing import Any

from keeper import contracts


class VaultError(ValueError):
    """One line: what is wrong with the vault or the keeper's role on it, and what to do."""


def alp_vault(address: str) -> Any:
    """The ALP vault at `address`, or a VaultError saying there is no contract or not an ALP vault."""
    from ape import chain
    from ape.exceptions import ContractLogicError, DecodingError
    from eth_abi.exceptions import DecodingError as AbiDecodingError
    from eth_utils import is_address, to_checksum_address

    if not is_address(address):
        raise VaultError(f"vault {address}: not an address (0x followed by 40 hex digits)")
    address = to_checksum_address(address)
    if not chain.provider.web3.eth.get_code(address):
        raise VaultError(f"vault {address}: no contract at this address on chain {chain.chain_id}: check the "
                         "address and the network")
    vault = contracts.at("Vault", address)
    try:
        # Read together, these answer only on an ALP vault: a plain ERC-4626 or token has none of them.
        vault.KEEPER_ROLE()
        vault.minIdleBps()
        vault.withdrawQueue()
    except (ContractLogicError, DecodingError, AbiDecodingError):  # a revert or an empty answer; RPC errors propagate
        raise VaultError(f"vault {address}: the contract there is not an ALP vault (it has no keeper role or "
                         "guardrails): check the address") from None
    return vault


def require_keeper_role(vault: Any, account: str) -> None:
    if not vault.hasRole(vault.KEEPER_ROLE(), account):
        raise VaultError(f"account {account} does not hold KEEPER_ROLE on vault {vault.address}: use the keeper "
                         "account, or have the vault's admin (its timelock) set this one as keeper")
