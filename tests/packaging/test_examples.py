"""The example files the README points operators to are valid as shipped: the keeper settings load, the vault spec
validates (every guardrail within the contracts' bounds) and names real registry chains' tokens."""

from __future__ import annotations

from pathlib import Path

from keeper.config import load_config
from keeper.deploy.registry import chains
from keeper.deploy.spec import UniswapV3Source, load_spec

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_keeper_example__loads_in_dry_run():
    config = load_config(str(DOCS / "keeper.example.yaml"))
    assert config.mode.value == "dry-run" and config.network == "base:mainnet:node"


def test_vault_spec_example__validates_and_uses_bases_registry_tokens():
    spec = load_spec(DOCS / "vault-spec.example.yaml")
    base = chains()[8453]
    assert spec.asset == base.usdc.address
    pool = next(s for s in spec.strategies if isinstance(s, UniswapV3Source))
    assert set(pool.tokens) == {base.wrapped_native.address, base.usdc.address}
    assert spec.timelock_delay >= 86_400
