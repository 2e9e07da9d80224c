"""Sends one plan's transaction and sees it through: simulate, sign with our own nonce under a fee cap, persist the
signed bytes BEFORE broadcasting, wait, replace if dropped or stuck, record the outcome.

Restart safety: a plan in state `signed`/`sent` is resumed by `reconcile()`: a mined hash is recorded as such; an
unmined one is rebroadcast byte for byte (same nonce and hash, so it can land at most once); if its nonce was taken
by another transaction, the plan is re-simulated and re-signed with a fresh nonce only if the vault is still in the
state the plan was made for. A reverted transaction is recorded with its decoded reason and never retried blindly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ape.api import AccountAPI
from web3 import Web3
from web3.exceptions import TransactionNotFound

from keeper.execute.revert import decode_revert
from keeper.store import Store

GWEI = 10**9
REPLACEMENT_BUMP = 1.125  # nodes require at least +10 % to replace a pending transaction
MAX_REPLACEMENTS = 3
POLL_SECONDS = 0.2
# A reverted transaction that used this share of its gas limit or more ran out of gas (a revert with a reason stops
# well short of the limit; 63/64 of the gas is all a failing inner call can forward).
OUT_OF_GAS_SHARE = 0.97


class ExecutionError(RuntimeError):
    """The plan could not be carried out; the message is what the operator needs to know."""


@dataclass
class Call:
    to: str
    data: bytes


class Sender:
    def __init__(self, store: Store, account: AccountAPI, web3: Web3, contract_types: list, *,
                 max_fee_gwei: float, priority_fee_gwei: float, confirm_timeout: float,
                 hook: Callable[[str, str], None] | None = None) -> None:
        self.store, self.account, self.web3 = store, account, web3
        self.contract_types = contract_types
        self.max_fee = int(max_fee_gwei * GWEI)
        self.priority_fee = int(priority_fee_gwei * GWEI)
        self.confirm_timeout = confirm_timeout
        # Fault injection points for tests ("after_sign", "after_send"); a no-op in production.
        self.hook = hook or (lambda point, plan_id: None)

    # ------------------------------------------------------------------ simulation

    def simulate(self, call: Call) -> tuple[bool, str, int]:
        """eth_call and gas estimate from the keeper's address: (ok, reason, gas)."""
        tx = {"from": self.account.address, "to": call.to, "data": call.data}
        try:
            self.web3.eth.call(tx)
            gas = self.web3.eth.estimate_gas(tx)
        except Exception as exc:  # a revert arrives as one of several web3 exception types, all with data
            data = getattr(exc, "data", None)
            if isinstance(data, dict):
                data = data.get("data")
            return False, decode_revert(data if isinstance(data, (str, bytes)) else None, self.contract_types), 0
        return True, "simulation passed", gas

    # ------------------------------------------------------------------ sending

    def _fees(self, bump: float = 1.0) -> tuple[int, int]:
        base = self.web3.eth.get_block("pending").get("baseFeePerGas", 0) or 0
        priority = int(self.priority_fee * bump)
        max_fee = int((2 * base + self.priority_fee) * bump)
        if base + priority > self.max_fee:
            raise ExecutionError(f"base fee {base / GWEI:.1f} gwei is above the cap {self.max_fee / GWEI:.1f} gwei: "
                                 "waiting for cheaper gas (raise max_fee_gwei to pay more)")
        return min(max_fee, self.max_fee), min(priority, self.max_fee)

    def _sign(self, call: Call, nonce: int, gas: int, bump: float = 1.0) -> tuple[str, bytes, int]:
        max_fee, priority = self._fees(bump)
        from ape import chain

        txn = chain.provider.network.ecosystem.create_transaction(
            chainId=self.web3.eth.chain_id, to=call.to, data=call.data, nonce=nonce, gas=gas,
            maxFeePerGas=max_fee, maxPriorityFeePerGas=priority, type=2,
        )
        signed = self.account.sign_transaction(txn)
        if signed is None:
            raise ExecutionError("the keeper account refused to sign: unlock it (ape accounts) and retry")
        raw = signed.serialize_transaction()
        return Web3.to_hex(signed.txn_hash), raw, max_fee

    def _broadcast(self, raw: bytes) -> None:
        try:
            self.web3.eth.send_raw_transaction(raw)
        except Exception as exc:
            message = str(exc).lower()
            if "already known" in message or "already imported" in message:
                return  # the node has it: broadcasting again is harmless, and done
            raise

    def send(self, plan_id: str, call: Call, gas: int) -> str:
        """Signs, persists, broadcasts and waits; returns the plan's final state."""
        nonce = self.web3.eth.get_transaction_count(self.account.address, "pending")
        return self._send_with_nonce(plan_id, call, gas, nonce)

    def _send_with_nonce(self, plan_id: str, call: Call, gas: int, nonce: int, bump: float = 1.0) -> str:
        tx_hash, raw, max_fee = self._sign(call, nonce, gas, bump)
        # Persist first: if the process dies right after broadcasting, the restart knows the hash and the bytes.
        self.store.update_plan(plan_id, state="signed", nonce=nonce, tx_hash=tx_hash, raw_tx=raw.hex())
        self.store.record_transaction(plan_id, tx_hash, nonce, max_fee, "signed")
        self.hook("after_sign", plan_id)
        try:
            self._broadcast(raw)
        except Exception as exc:
            if "nonce too low" in str(exc).lower():
                return self._nonce_taken(plan_id, call, gas)
            raise
        self.hook("after_send", plan_id)  # a crash here leaves the plan `signed` with its bytes: reconcile resumes it
        self.store.update_plan(plan_id, state="sent")
        self.store.update_transaction(tx_hash, "sent")
        return self._await(plan_id, call, gas, nonce, bump)

    def _await(self, plan_id: str, call: Call, gas: int, nonce: int, bump: float) -> str:
        deadline = time.monotonic() + self.confirm_timeout
        while time.monotonic() < deadline:
            state = self._check_mined(plan_id)
            if state:
                return state
            time.sleep(POLL_SECONDS)
        # Not mined in time: dropped or underpriced. Replace it (same nonce, higher fee) a few times, then give up.
        if self._nonce_used(nonce):
            return self._nonce_taken(plan_id, call, gas)
        replacements = len(self.store.transactions(plan_id)) - 1
        if replacements >= MAX_REPLACEMENTS:
            self.store.update_plan(plan_id, state="failed", error="not mined after replacements: check the node")
            return "failed"
        return self._send_with_nonce(plan_id, call, gas, nonce, bump * REPLACEMENT_BUMP)

    def _check_mined(self, plan_id: str) -> str | None:
        """The final state if any of the plan's transactions was mined."""
        for tx in self.store.transactions(plan_id):
            try:
                receipt = self.web3.eth.get_transaction_receipt(tx["tx_hash"])
            except TransactionNotFound:
                continue
            if receipt is None:
                continue
            if receipt["status"] == 1:
                self.store.update_transaction(tx["tx_hash"], "confirmed", receipt["blockNumber"], receipt["gasUsed"])
                self.store.update_plan(plan_id, state="confirmed", tx_hash=tx["tx_hash"])
                return "confirmed"
            reason = self._revert_reason(tx["tx_hash"], receipt["blockNumber"])
            self.store.update_transaction(tx["tx_hash"], "reverted", receipt["blockNumber"], receipt["gasUsed"], reason)
            self.store.update_plan(plan_id, state="reverted", tx_hash=tx["tx_hash"], error=reason)
            return "reverted"
        return None

    def _revert_reason(self, tx_hash: str, block: int) -> str:
        tx = self.web3.eth.get_transaction(tx_hash)
        receipt = self.web3.eth.get_transaction_receipt(tx_hash)
        if receipt["gasUsed"] >= tx["gas"] * OUT_OF_GAS_SHARE:
            return (f"ran out of gas: used {receipt['gasUsed']:,} of its {tx['gas']:,} limit (the node's estimate "
                    "was too tight for this path)")
        traced = self._traced_revert(tx_hash)
        if traced is not None:
            return traced
        call = {"from": tx["from"], "to": tx["to"], "data": tx["input"]}
        try:
            self.web3.eth.call(call, block - 1)
        except Exception as exc:
            data = getattr(exc, "data", None)
            if isinstance(data, dict):
                data = data.get("data")
            return decode_revert(data if isinstance(data, (str, bytes)) else None, self.contract_types)
        try:
            self.web3.eth.call(call | {"gas": tx["gas"]}, block - 1)
        except Exception:
            return (f"ran short of gas inside: it passes at the previous block with more gas, not with its limit of "
                    f"{tx['gas']:,} (an inner call that runs out fails on its own and the move reverts)")
        return "reverted (replay at the previous block passes: state changed in between)"

    def _traced_revert(self, tx_hash: str) -> str | None:
        """The revert as the node executed it (debug_traceTransaction's call tracer), where the node offers it; a
        replay can differ from the mined run (time, and what else the block held)."""
        try:
            trace = self.web3.provider.make_request("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}])
            output = (trace.get("result") or {}).get("output")
        except Exception:  # a node without debug methods
            return None
        if not output or output == "0x":
            return None
        return decode_revert(output, self.contract_types)

    def _nonce_used(self, nonce: int) -> bool:
        return self.web3.eth.get_transaction_count(self.account.address, "latest") > nonce

    def _nonce_taken(self, plan_id: str, call: Call, gas: int) -> str:
        """Our nonce went to another transaction and none of ours was mined: re-check, then re-sign fresh."""
        state = self._check_mined(plan_id)
        if state:
            return state
        if len(self.store.transactions(plan_id)) > MAX_REPLACEMENTS:
            self.store.update_plan(plan_id, state="failed",
                                   error="nonce taken again and again: another process is using the keeper's key")
            return "failed"
        ok, reason, gas_now = self.simulate(call)
        if not ok:
            self.store.update_plan(plan_id, state="rejected", error=f"after nonce clash: {reason}")
            return "rejected"
        return self.send(plan_id, call, max(gas, gas_now))

    # ------------------------------------------------------------------ restart

    def reconcile(self, call_for: Callable[[dict], Call], plans: list[dict] | None = None) -> list[tuple[str, str]]:
        """Resumes the plans left in flight by a previous run (`plans`, default every one in the store); returns
        (plan id, final state)."""
        done = []
        for plan in self.store.plans(("signed", "sent")) if plans is None else plans:
            state = self._check_mined(plan["id"])
            if state is None:
                call = call_for(plan)
                gas = int((self.simulate(call)[2] or 1_000_000) * 1.25)
                if self._nonce_used(plan["nonce"]):
                    state = self._nonce_taken(plan["id"], call, gas)
                else:
                    self._broadcast(bytes.fromhex(plan["raw_tx"]))
                    self.store.update_plan(plan["id"], state="sent")
                    state = self._await(plan["id"], call, gas, plan["nonce"], 1.0)
            done.append((plan["id"], state))
        return done
