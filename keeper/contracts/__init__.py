"""The compiled contracts ALP deploys and talks to, shipped inside the package (`types/*.json`, written by
`tools/build_contract_types.py` during `make setup`): ALP's own contracts, the test tokens and yield sources the
local market uses, the real Uniswap V3 bytecode and interfaces from npm, and an ERC-20 interface.

Nothing here looks at the current directory or at Ape's project, so every command works from any folder.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

TYPES = Path(__file__).resolve().parent / "types"
# Set in a checkout (editable install): the sources the packaged types must match.
REPO = Path(__file__).resolve().parents[2]
# The ERC-20 interface the keeper reads any real token through (name, symbol, decimals, balances).
ERC20 = "IERC20Metadata"


class ContractTypesError(RuntimeError):
    """The packaged contract types are missing or older than the sources: `make setup` rebuilds them."""


def source_files(root: Path | None = None) -> list[Path]:
    """The project's own Solidity sources, never the dependency copies Ape keeps in hidden folders."""
    folder = (root or REPO) / "contracts"
    return sorted(p for p in folder.rglob("*.sol") if not any(part.startswith(".") for part in p.relative_to(folder).parts))


def sources_digest(root: Path | None = None) -> str:
    """One hash over the contract sources and what compiles them: the packaged types are stale when it changes."""
    root = root or REPO
    digest = hashlib.sha256()
    for path in source_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name in ("ape-config.yaml", "package-lock.json"):
        digest.update((root / name).read_bytes())
    return digest.hexdigest()


@cache
def index() -> dict[str, Any]:
    path = TYPES / "index.json"
    if not path.is_file():
        raise ContractTypesError(f"no compiled contract types in {TYPES}: run 'make setup' in the ALP checkout")
    built = json.loads(path.read_text())
    if (REPO / "contracts").is_dir() and (REPO / "ape-config.yaml").is_file() and built["sources_digest"] != sources_digest():
        raise ContractTypesError(f"the compiled contract types in {TYPES} are older than contracts/: run 'make setup'")
    return built


@cache
def contract_type(name: str):
    """The ethpm ContractType of one packaged contract."""
    from ethpm_types import ContractType

    known = index()["contracts"]
    if name not in known:
        raise ContractTypesError(f"unknown contract {name!r}: one of {', '.join(known)}")
    return ContractType.model_validate_json((TYPES / f"{name}.json").read_text())


def container(name: str):
    """A deployable Ape container for one packaged contract (`deployer.deploy(container("Vault"), ...)`)."""
    from ape.contracts import ContractContainer

    return ContractContainer(contract_type(name))


def at(name: str, address: str):
    """The contract at `address` through one packaged ABI, with no explorer or cache lookup."""
    from ape import Contract

    return Contract(address, contract_type=contract_type(name))


def erc20(address: str):
    """Any ERC-20 token, through the standard interface (not a test token's ABI)."""
    return at(ERC20, address)


def all_types() -> list:
    """Every packaged contract type: used to decode custom errors whichever contract raised them."""
    return [contract_type(name) for name in index()["contracts"]]
