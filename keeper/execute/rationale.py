"""The rationale a keeper move carries on chain: a hash of the plan as recorded (its inputs, reasons and the model
version that decided it), emitted by `Vault.rebalance` and `UniswapV3Strategy.rebalanceRange`. `alp explain TX`
recomputes it from the store, so anyone can check that a move on chain is the one the keeper's record explains."""

from __future__ import annotations

import json
from typing import Any

from eth_utils import keccak

# Bump when the decision logic changes: a rationale names the model that produced it.
MODEL_VERSION = "alp-keeper/2"

# For moves made by hand (tests, benchmarks): nothing recorded explains them.
NO_RATIONALE = bytes(32)


def of_plan(body: dict[str, Any]) -> bytes:
    """keccak256 of the plan's canonical JSON (sorted keys, no spaces): what the store records is what is hashed."""
    return keccak(text=json.dumps(body, sort_keys=True, separators=(",", ":")))


def scripted(label: str) -> bytes:
    """The rationale of a move a script makes on purpose (the demo's opening allocation): its label, hashed."""
    return keccak(text=f"script:{label}")
