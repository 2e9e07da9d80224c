"""The deployment record: what a deployment has done so far, written after every step, so that a rerun after an
interruption resumes where it stopped and never deploys anything twice.

A contract is recorded as pending with the deployer's nonce before its transaction is sent: on resume, code at the
address that nonce creates means the transaction landed (the contract is adopted), none means it did not.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, Field


class RecordError(ValueError):
    """One line: why this record cannot be resumed, and what to do."""


class Deployed(BaseModel):
    address: str
    block: int | None = None


class AdminOperation(BaseModel):
    """The timelock batch that adds the strategies and sets every cap, fee and guardrail of the spec."""

    id: str
    salt: str
    eta: int | None = None  # chain time from which it can execute
    executed_block: int | None = None


class DeploymentRecord(BaseModel):
    chain_id: int
    spec_hash: str
    deployer: str
    started_block: int
    contracts: dict[str, Deployed] = Field(default_factory=dict)  # "timelock", "vault", "strategy:<name>"
    pending: dict[str, int] = Field(default_factory=dict)  # key -> deployer nonce of a deployment sent
    admin: AdminOperation | None = None
    verified: bool = False

    def address(self, key: str) -> str:
        return self.contracts[key].address


def default_record_path(spec_path: Path, chain_id: int) -> Path:
    """Beside the spec, one record per chain: `vault.yaml` -> `vault.deployment-8453.json`."""
    return spec_path.with_name(f"{spec_path.stem}.deployment-{chain_id}.json")


def load_record(path: Path) -> DeploymentRecord | None:
    if not path.exists():
        return None
    try:
        return DeploymentRecord.model_validate(json.loads(path.read_text()))
    except (ValueError, json.JSONDecodeError):
        raise RecordError(f"deployment record {path} is unreadable: restore it from a backup; deleting it would "
                          "deploy everything again") from None


def save_record(record: DeploymentRecord, path: Path) -> None:
    """Written whole to a temporary file, then renamed over the old one: a crash leaves either version, never half."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record.model_dump(mode="json"), indent=2) + "\n")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
