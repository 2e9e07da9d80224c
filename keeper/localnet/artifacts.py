"""The real, audited Uniswap V3 bytecode shipped in the npm packages, as Ape contract containers."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from ape.contracts import ContractContainer
from ethpm_types import ContractType

ROOT = Path(__file__).resolve().parents[2]
_PACKAGES = {
    "UniswapV3Factory": "@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json",
    "UniswapV3Pool": "@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json",
    "SwapRouter": "@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json",
    "NonfungiblePositionManager":
        "@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json",
    "UniswapInterfaceMulticall":
        "@uniswap/v3-periphery/artifacts/contracts/lens/UniswapInterfaceMulticall.sol/UniswapInterfaceMulticall.json",
}


@cache
def uniswap_contract(name: str) -> ContractContainer:
    """A deployable container for one of the Uniswap V3 contracts, read from node_modules."""
    if name not in _PACKAGES:
        raise KeyError(f"unknown Uniswap V3 artifact {name!r}: one of {', '.join(_PACKAGES)}")
    path = ROOT / "node_modules" / _PACKAGES[name]
    if not path.is_file():
        raise FileNotFoundError(f"{path} missing: run 'make setup' (npm ci installs the Uniswap V3 packages)")
    artifact = json.loads(path.read_text())
    contract_type = ContractType.model_validate({
        "contractName": artifact["contractName"],
        "sourceId": artifact["sourceName"],
        "abi": artifact["abi"],
        "deploymentBytecode": {"bytecode": artifact["bytecode"]},
        "runtimeBytecode": {"bytecode": artifact["deployedBytecode"]},
    })
    return ContractContainer(contract_type)
