"""The deployment and a keeper dry-run on a fork of a real chain, reading its real Uniswap V3 pools.

Needs an RPC URL of a chain in `keeper/deploy/chains.yaml` (Ethereum, Optimism, BNB Chain, Polygon, Base, Arbitrum,
Avalanche) in ALP_REAL_RPC_URL; skipped, saying so, without one (this machine has no route to a real chain).
"""

from __future__ import annotations

import json
import os

import pytest
import yaml

from keeper.deploy.registry import chain_entry

from .conftest import DAY, HOUR, advance, alp, rpc, stop

RPC_ENV = "ALP_REAL_RPC_URL"
FEE_TIERS = (500, 3000, 10000)
WRAP = "0xd0e30db0"  # WETH9-style deposit(): wraps the native token sent with it


@pytest.fixture(scope="module")
def real_fork():
    upstream = os.environ.get(RPC_ENV)
    if not upstream:
        pytest.skip(f"{RPC_ENV} is not set: give an RPC URL of a chain in keeper/deploy/chains.yaml to deploy on a "
                    "fork of it")
    import subprocess

    from .conftest import _free_port

    port = _free_port()
    process = subprocess.Popen(["anvil", "--fork-url", upstream, "--port", str(port), "--silent"],
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        import time

        for _ in range(600):
            try:
                rpc(url, "eth_chainId")
                break
            except Exception:
                time.sleep(0.1)
        yield url
    finally:
        stop(process)


def test_real_fork__deploy_from_spec_deposit_and_keeper_dry_run_on_the_real_pool(real_fork, tmp_path):
    from keeper import contracts
    from keeper.connect import connected

    url = real_fork
    chain_id = int(rpc(url, "eth_chainId"), 16)
    entry = chain_entry(chain_id)
    assert entry is not None, f"chain {chain_id} is not in keeper/deploy/chains.yaml"
    assert entry.usdc is not None, f"{entry.name}: the registry has no USDC to pair the wrapped native token with"
    wrapped = entry.wrapped_native.address
    with connected(url):
        factory = contracts.at("UniswapV3Factory", entry.factory)
        fee = next((f for f in FEE_TIERS if int(factory.getPool(wrapped, entry.usdc.address, f), 16)), None)
    assert fee is not None, f"{entry.name}: no {entry.wrapped_native.symbol}/USDC pool in the registry's factory"

    spec = {"name": f"ALP {entry.wrapped_native.symbol} fork test", "symbol": "alpFORK", "asset": wrapped,
            "roles": {"governance": "test:1", "curator": "test:2", "guardian": "test:3", "keeper": "test:4",
                      "fee_recipient": "test:5"},
            "timelock_delay": DAY,
            "strategies": [{"kind": "uniswap-v3", "name": f"{entry.wrapped_native.symbol}/USDC {fee}",
                            "tokens": [wrapped, entry.usdc.address], "fee": fee, "max_debt": 1_000, "max_debt_bps": 6_000}]}
    path = tmp_path / "vault.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    deploy = ("deploy", str(path), "--network", url, "--account", "test:1", "--json")
    assert json.loads(alp(*deploy).stdout)["state"] == "waiting"
    advance(url, DAY + 1)
    done = json.loads(alp(*deploy).stdout)
    assert done["state"] == "verified"
    vault = done["contracts"]["vault"]["address"]

    alice = rpc(url, "eth_accounts")[6]
    rpc(url, "eth_sendTransaction", {"from": alice, "to": wrapped, "value": hex(20 * 10**18), "data": WRAP})
    alp("deposit", "--network", url, "--vault", vault, "--account", "test:6", "10")
    config = tmp_path / "keeper.yaml"
    # The asset is the wrapped native token: one asset unit per unit of the token gas is paid in.
    config.write_text(yaml.safe_dump({"network": url, "vault": vault, "account": "test:4", "mode": "dry-run",
                                      "store": str(tmp_path / "keeper.sqlite"), "eth_price": 1.0}))
    reasons = []
    for _ in range(2):
        result = json.loads(alp("once", "--config", str(config), "--json", check=False).stdout)
        assert result["state"] in ("no-action", "dry-run", "skipped"), result
        reasons += result["reasons"]
        advance(url, HOUR)
    print("\n" + "\n".join(reasons))
    assert any("fee APR" in r for r in reasons), "the keeper read the real pool's fees and volatility"
