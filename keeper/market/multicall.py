"""Many contract reads in few round trips: Multicall3's `aggregate3` (one `eth_call` carrying up to
CALLS_PER_AGGREGATE reads, each allowed to fail on its own), as many of those `eth_call`s per JSON-RPC batch as a
node's request size allows; on
a chain without Multicall3, plain `eth_call`s in JSON-RPC batches of BATCH_SIZE.

Multicall3 sits at the same address on every major chain. A local development chain gets its runtime code at that
address (`install_on_dev_chain`), from the published creation bytecode shipped in `multicall3.json`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector
from web3 import Web3

ADDRESS = Web3.to_checksum_address("0xcA11bde05977b3631167028862bE2a173976CA11")
# Reads per aggregate3 call: a thousand pool reads cost ~10M gas, well inside a node's eth_call gas cap (30M+).
CALLS_PER_AGGREGATE = 1_000
# eth_calls per JSON-RPC batch without Multicall3: providers commonly cap a batch near a thousand requests.
BATCH_SIZE = 500
# Bytes of calldata per HTTP request: nodes cap request bodies (anvil at 2 MB), and 1,000 pool reads are ~0.45 MB.
MAX_REQUEST_BYTES = 1_500_000
_AGGREGATE3 = function_signature_to_4byte_selector("aggregate3((address,bool,bytes)[])")


class MulticallMissing(RuntimeError):
    """The chain has no Multicall3 at its usual address."""


@cache
def creation_bytecode() -> str:
    return json.loads(Path(__file__).with_name("multicall3.json").read_text())["creation_bytecode"]


def present(web3: Web3) -> bool:
    return len(web3.eth.get_code(ADDRESS)) > 0


def install_on_dev_chain(web3: Web3) -> None:
    """Puts Multicall3's runtime code at its usual address on anvil (an eth_call of the creation code returns it)."""
    if present(web3):
        return
    runtime = web3.eth.call({"data": creation_bytecode()})
    web3.provider.make_request("anvil_setCode", [ADDRESS, "0x" + bytes(runtime).hex()])
    if not present(web3):
        raise MulticallMissing("anvil_setCode did not install Multicall3: is this an anvil node?")


def encode_aggregate3(calls: list[tuple[str, bytes]]) -> str:
    """Calldata of aggregate3 over (target, calldata) pairs, each allowed to fail."""
    args = encode(["(address,bool,bytes)[]"], [[(target, True, data) for target, data in calls]])
    return "0x" + (_AGGREGATE3 + args).hex()


def decode_aggregate3(raw: bytes) -> list[tuple[bool, bytes]]:
    return [(bool(ok), bytes(data)) for ok, data in decode(["(bool,bytes)[]"], bytes(raw))[0]]


def _batch(web3: Web3, requests: list[tuple[str, list[Any]]]) -> list[dict]:
    responses = web3.provider.make_batch_request(requests)
    if isinstance(responses, dict):  # the node refused the batch as a whole
        raise RuntimeError(f"JSON-RPC batch refused: {responses.get('error')}")
    return sorted(responses, key=lambda r: r["id"])


class Reads:
    """Runs (target, calldata) reads, through Multicall3 when the chain has it; counts the HTTP round trips."""

    def __init__(self, web3: Web3, multicall: bool | None = None) -> None:
        """multicall: None asks the chain (one round trip); False forces plain batches."""
        self.web3 = web3
        self.round_trips = 1 if multicall is None else 0
        self.multicall = present(web3) if multicall is None else multicall

    def run(self, calls: list[tuple[str, bytes]]) -> list[tuple[bool, bytes]]:
        """(success, return data) per call, in order."""
        return self._aggregated(calls) if self.multicall else self._batched(calls)

    def _aggregated(self, calls: list[tuple[str, bytes]]) -> list[tuple[bool, bytes]]:
        payloads = [encode_aggregate3(calls[i:i + CALLS_PER_AGGREGATE])
                    for i in range(0, len(calls), CALLS_PER_AGGREGATE)]
        # As many aggregate3 calls per JSON-RPC batch as fit under the node's request size.
        groups: list[list[str]] = []
        for payload in payloads:
            if groups and sum(map(len, groups[-1])) + len(payload) <= MAX_REQUEST_BYTES:
                groups[-1].append(payload)
            else:
                groups.append([payload])
        out: list[tuple[bool, bytes]] = []
        for group in groups:
            self.round_trips += 1
            for response in _batch(self.web3, [("eth_call", [{"to": ADDRESS, "data": data}, "latest"])
                                               for data in group]):
                if "error" in response:
                    raise RuntimeError(f"multicall eth_call failed: {response['error'].get('message')}")
                out.extend(decode_aggregate3(Web3.to_bytes(hexstr=response["result"])))
        return out

    def _batched(self, calls: list[tuple[str, bytes]]) -> list[tuple[bool, bytes]]:
        out: list[tuple[bool, bytes]] = []
        for start in range(0, len(calls), BATCH_SIZE):
            chunk = calls[start:start + BATCH_SIZE]
            self.round_trips += 1
            for response in _batch(self.web3, [("eth_call", [{"to": target, "data": "0x" + data.hex()}, "latest"])
                                               for target, data in chunk]):
                # A revert is that call's failure, as aggregate3 reports it; anything else is the node's.
                error = response.get("error")
                if error and "revert" not in str(error.get("message", "")).lower():
                    raise RuntimeError(f"eth_call failed: {error.get('message')}")
                out.append((False, b"") if error else (True, Web3.to_bytes(hexstr=response["result"])))
        return out
