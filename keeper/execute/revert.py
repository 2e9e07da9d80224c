"""Decodes a revert into the contract's own error name and arguments (custom errors of every ALP contract)."""

from __future__ import annotations

from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector

_STANDARD = {"08c379a0": ("Error", ["string"]), "4e487b71": ("Panic", ["uint256"])}


def _errors(contract_types) -> dict[str, tuple[str, list[str]]]:
    table = dict(_STANDARD)
    for contract_type in contract_types:
        for error in contract_type.errors:
            types = [i.canonical_type for i in error.inputs]
            selector = function_signature_to_4byte_selector(f"{error.name}({','.join(types)})").hex()
            table[selector] = (error.name, types)
    return table


def decode_revert(data: bytes | str | None, contract_types) -> str:
    """'TurnoverExceeded(25000000000, 45000000000)' from raw revert data; the raw hex when it is unknown."""
    if data is None:
        return "reverted without data"
    raw = bytes.fromhex(data[2:] if data.startswith("0x") else data) if isinstance(data, str) else bytes(data)
    if len(raw) < 4:
        return "reverted without reason"
    name, types = _errors(contract_types).get(raw[:4].hex(), (None, None))
    if name is None:
        return f"unknown error 0x{raw.hex()}"
    try:
        args = decode(types, raw[4:])
    except Exception:  # malformed arguments: the name alone still says what happened
        return name
    return f"{name}({', '.join('0x' + a.hex() if isinstance(a, bytes) else str(a) for a in args)})"
