"""One transaction from a person's command (deploy, curate, deposit): simulated with eth_call from the sender
first, refused with the contract's decoded reason when it would revert, then sent through the Ape account.

The keeper's own moves go through `sender.Sender` (nonces, replacement, restart); these are one-off and signed by
whoever runs the command.
"""

from __future__ import annotations

from typing import Any

from keeper import contracts
from keeper.execute.revert import decode_revert


class Refused(RuntimeError):
    """One line: what would have been sent, and the contract's reason for refusing it."""


def _revert_data(exc: BaseException) -> str | bytes | None:
    """The revert data a failed eth_call carries, or None when the failure was not a revert (a refused or dropped
    request, a rate limit), which is the connection's to report, not a contract's reason."""
    from web3.exceptions import ContractLogicError

    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(exc, ContractLogicError):
        return b""
    return None


def simulate(sender: str, to: str | None, data: bytes | str, what: str, value: int = 0) -> None:
    """eth_call of the transaction as `sender` would send it; Refused with the decoded reason if it reverts."""
    from ape import chain

    tx: dict[str, Any] = {"from": sender, "data": data if isinstance(data, str) else "0x" + bytes(data).hex()}
    if to is not None:
        tx["to"] = to
    if value:
        tx["value"] = value
    try:
        chain.provider.web3.eth.call(tx)
    except Exception as exc:  # a revert arrives as one of several web3 exception types, all carrying its data
        data = _revert_data(exc)
        if data is None:
            from web3.exceptions import Web3RPCError

            if isinstance(exc, Web3RPCError):  # the node's own answer (e.g. insufficient funds), not a revert
                message = getattr(exc, "rpc_response", None) or {}
                text = (message.get("error") or {}).get("message") if isinstance(message, dict) else None
                raise Refused(f"{what}: the node refused it: {text or type(exc).__name__}") from None
            raise
        raise Refused(f"{what} would revert: {decode_revert(data or None, contracts.all_types())}") from None


def call(account, contract, method: str, *args: Any, what: str | None = None):
    """Simulates `contract.method(*args)` from `account`, then sends it; returns the receipt."""
    handler = getattr(contract, method)
    what = what or f"{method} on {contract.address}"
    simulate(account.address, contract.address, handler.encode_input(*args), what)
    return handler(*args, sender=account)


def deploy(account, name: str, *args: Any):
    """Simulates deploying contract type `name` with `args` from `account`, then deploys it."""
    container = contracts.container(name)
    data = bytes.fromhex(container.contract_type.deployment_bytecode.bytecode.removeprefix("0x"))
    data += bytes(container.constructor.encode_input(*args)) if args else b""
    simulate(account.address, None, data, f"deploying {name}")
    return account.deploy(container, *args)
