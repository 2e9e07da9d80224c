"""The compiled contract types ship inside the keeper package, complete and fresh, and load from any folder.

Regression guard for the build that depended on directory order: Ape 0.8.51 caps its source listing at 500 files
before excluding hidden folders, and OpenZeppelin unpacked into `contracts/.cache` is 507 files, so a process that
walked `.cache` first saw only some contracts (`'LocalProject' object has no attribute 'TestToken'`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from keeper import contracts

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from build_contract_types import NPM_ARTIFACTS, declared_contracts  # noqa: E402

# More dependency files than Ape's 500-file listing cap, as OpenZeppelin 5.7.0 (507 files) unpacked there is.
CACHE_FILES = 600


def test_packaged_types__cover_every_declared_contract_and_the_npm_artifacts():
    packaged = set(contracts.index()["contracts"])
    assert set(declared_contracts(ROOT)) <= packaged
    assert set(NPM_ARTIFACTS) <= packaged
    for name in ("Vault", "UniswapV3Strategy", "ERC4626Adapter", "Timelock", "TestToken", "UniswapV3Pool"):
        assert contracts.contract_type(name).deployment_bytecode.bytecode not in (None, "", "0x"), name


def test_packaged_types__match_the_sources():
    assert contracts.index()["sources_digest"] == contracts.sources_digest()


def test_stale_types__refused_with_the_fix(tmp_path, monkeypatch):
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "contracts", checkout / "contracts", ignore=shutil.ignore_patterns(".cache"))
    for name in ("ape-config.yaml", "package-lock.json"):
        shutil.copy(ROOT / name, checkout / name)
    (checkout / "contracts" / "Vault.sol").write_text((ROOT / "contracts" / "Vault.sol").read_text() + "\n// edited\n")
    monkeypatch.setattr(contracts, "REPO", checkout)
    contracts.index.cache_clear()
    try:
        with pytest.raises(contracts.ContractTypesError, match="older than contracts/: run 'make setup'"):
            contracts.index()
    finally:
        contracts.index.cache_clear()


def test_unknown_contract__names_the_known_ones():
    with pytest.raises(contracts.ContractTypesError, match="unknown contract 'Nope': one of .*Vault"):
        contracts.contract_type("Nope")


def test_types_load_from_any_folder(tmp_path):
    code = ("from keeper import contracts; names = contracts.index()['contracts']; "
            "print(len([contracts.container(n) for n in names]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(contracts.index()["contracts"])


def test_build__with_a_dependency_cache_over_apes_listing_cap__still_sees_every_contract(tmp_path):
    """The build compiles a copy of the project whose `contracts/.cache` holds more files than Ape lists: it clears
    the cache before Ape walks the folder (so the cap is never reached, whatever the walk order), checks every
    declared contract came out, and leaves no cache for a later process to trip over."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "contracts", project / "contracts", ignore=shutil.ignore_patterns(".cache"))
    for name in ("ape-config.yaml", "package-lock.json"):
        shutil.copy(ROOT / name, project / name)
    (project / "node_modules").symlink_to(ROOT / "node_modules")
    cache = project / "contracts" / ".cache" / "openzeppelin" / "5.7.0"
    cache.mkdir(parents=True)
    for i in range(CACHE_FILES):
        (cache / f"Dependency{i}.sol").write_text(f"// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract Dependency{i} {{}}\n")
    out = tmp_path / "types"
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build_contract_types.py"), "--root", str(project),
                           "--out", str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    built = json.loads((out / "index.json").read_text())
    assert set(declared_contracts(project)) <= set(built["contracts"])
    assert not any(name.startswith("Dependency") for name in built["contracts"])
    assert not (project / "contracts" / ".cache").exists()  # nothing left for a later process to trip over
