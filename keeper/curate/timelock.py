"""The vault's timelock as a curator sees it: which timelock is the admin, its pending operations with their ETA
and a readable call, and the schedule/execute/cancel of one call on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from keeper import contracts

ZERO_BYTES32 = b"\x00" * 32
UNSET, WAITING, READY, DONE = range(4)
STATE_NAMES = {UNSET: "cancelled", WAITING: "waiting", READY: "ready", DONE: "done"}


class TimelockError(ValueError):
    """One line: what is wrong with the timelock operation asked for, and what to do."""


@dataclass
class Operation:
    id: str
    state: str
    eta: int  # chain time from which it may execute (0 when cancelled)
    calls: list[tuple[str, int, bytes]]  # (target, value, data), in order
    predecessor: bytes
    salt: bytes  # from CallSalt (zero when none was logged); `alp deploy`'s batches use the spec's digest

    def described(self) -> list[str]:
        return [describe_call(target, data) for target, _, data in self.calls]


def admin_timelock(vault, from_block: int = 0, admins: list[str] | None = None) -> Any:
    """The Timelock holding the vault's admin role (`admins`: the holders when the caller has read them)."""
    from keeper.names import role_holders

    admins = role_holders(vault, from_block)["admin"] if admins is None else admins
    if admins:
        return contracts.at("Timelock", admins[-1])
    raise TimelockError(f"no admin grant of vault {vault.address} found since block {from_block}: pass the vault's "
                        "deployment block as --from-block (its deployment record has it), or check the address")


def describe_call(target: str, data: bytes) -> str:
    """`setMinIdleBps(500) on Vault 0x…` from raw calldata, by the ABIs of ALP's contracts."""
    from eth_abi import decode
    from eth_utils import function_signature_to_4byte_selector

    data = bytes(data)
    for name in ("Vault", "UniswapV3Strategy", "ERC4626Adapter", "Timelock"):
        for abi in contracts.contract_type(name).abi:
            if abi.type != "function":
                continue
            types = [i.canonical_type for i in abi.inputs]
            if function_signature_to_4byte_selector(f"{abi.name}({','.join(types)})") == data[:4]:
                try:
                    args = decode(types, data[4:])
                except Exception:
                    continue
                shown = ", ".join(str(a) if not isinstance(a, bytes) else "0x" + a.hex() for a in args)
                return f"{abi.name}({shown}) on {target}"
    return f"0x{data.hex()[:10]}… on {target}"


def operations(timelock, include_done: bool = False, from_block: int = 0) -> list[Operation]:
    """Every operation scheduled on `timelock`, pending first by ETA, from its CallScheduled events."""
    head = timelock.chain_manager.blocks.head.number + 1
    grouped: dict[str, dict[int, tuple[str, int, bytes, bytes]]] = {}
    for log in timelock.CallScheduled.range(from_block, head):
        op = "0x" + bytes(log.id).hex()
        grouped.setdefault(op, {})[int(log.index)] = (log.target, int(log.value), bytes(log.data), bytes(log.predecessor))
    salts = {"0x" + bytes(log.id).hex(): bytes(log.salt) for log in timelock.CallSalt.range(from_block, head)}
    found = []
    for op, calls in grouped.items():
        state = STATE_NAMES[int(timelock.getOperationState(op))]
        if state in ("done", "cancelled") and not include_done:
            continue
        ordered = [calls[i] for i in sorted(calls)]
        # The timelock logs a salt only when it is not zero.
        found.append(Operation(op, state, int(timelock.getTimestamp(op)), [c[:3] for c in ordered], ordered[0][3],
                               salts.get(op, ZERO_BYTES32)))
    return sorted(found, key=lambda o: (o.state != "waiting" and o.state != "ready", o.eta))


def find(timelock, op_id: str, from_block: int = 0) -> Operation:
    for op in operations(timelock, include_done=True, from_block=from_block):
        if op.id.lower() == op_id.lower():
            return op
    raise TimelockError(f"no operation {op_id} on timelock {timelock.address}: `alp vault show` lists them")
