"""`alp deploy` on local anvils carrying real chains' ids: a vault from its spec, the admin batch waiting out the
timelock's day, verified; a deployment killed half-way resumes into one vault, nothing deployed twice."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from .conftest import CHAIN_IDS, DAY, advance, alp, build_market, rpc, start_anvil, stop, write_spec

TEST_1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # anvil's second mnemonic account: governance and deployer


def _deploy(spec: Path, url: str) -> dict:
    return json.loads(alp("deploy", str(spec), "--network", url, "--account", "test:1", "--json").stdout)


def _nonce(url: str, address: str = TEST_1) -> int:
    return int(rpc(url, "eth_getTransactionCount", address, "latest"), 16)


def _creations(url: str, since_block: int, deployer: str = TEST_1) -> list[str]:
    """Contracts `deployer` created since `since_block`: the chain's own account of what was deployed."""
    created = []
    for number in range(since_block, int(rpc(url, "eth_blockNumber"), 16) + 1):
        for tx in rpc(url, "eth_getBlockByNumber", hex(number), True)["transactions"]:
            if tx["from"].lower() == deployer.lower() and tx["to"] is None:
                created.append(rpc(url, "eth_getTransactionReceipt", tx["hash"])["contractAddress"])
    return created


def _until_mined(url: str, address: str = TEST_1, seconds: float = 60) -> None:
    """Waits until every transaction `address` has sent is in a block (blocks come every second here)."""
    deadline = time.monotonic() + seconds
    while rpc(url, "eth_getTransactionCount", address, "pending") != rpc(url, "eth_getTransactionCount", address,
                                                                         "latest"):
        assert time.monotonic() < deadline, f"{address}'s transactions not mined in {seconds} s"
        time.sleep(0.2)


def test_deploy__from_a_spec__admin_steps_wait_a_day_then_verified(local_chain, tmp_path):
    started = time.time()
    url = local_chain.url
    spec = write_spec(tmp_path, local_chain.market)
    first = _deploy(spec, url)
    assert first["state"] == "waiting" and first["chain_id"] == local_chain.chain_id
    assert set(first["contracts"]) == {"timelock", "vault", "strategy:WETH/USDC 0.05 %", "strategy:WETH/USDC 0.3 %",
                                       "strategy:Lending"}
    record = tmp_path / f"vault.deployment-{local_chain.chain_id}.json"
    assert json.loads(record.read_text())["admin"]["eta"] == first["admin"]["eta"]
    # Before the delay a rerun changes nothing on chain.
    sent = _nonce(url)
    assert _deploy(spec, url)["state"] == "waiting" and _nonce(url) == sent
    advance(url, DAY + 1)
    done = _deploy(spec, url)
    assert done["state"] == "verified" and done["verified"] and done["admin"]["executed_block"]
    assert done["contracts"] == first["contracts"]
    # A dev chain started with a real chain's id: its contracts stay out of Ape's on-disk caches for that chain
    # (contract types by address, and the deployments map).
    from ape import config

    deployed = {d["address"].lower() for d in done["contracts"].values()}
    written = [p for p in config.DATA_FOLDER.glob("*/*/contract_*/*.json")
               if p.stem.lower() in deployed and p.stat().st_mtime >= started]
    written += [p for p in config.DATA_FOLDER.glob("*/deployments_map.json") if p.stat().st_mtime >= started]
    assert written == [], written
    assert len(_creations(url, first["started_block"])) == 5, "timelock, vault and three strategies, once each"
    assert _deploy(spec, url)["state"] == "verified" and _nonce(url) == sent + 1, "only the execute was sent"


def test_deploy__killed_mid_way__resumes_into_one_vault(tmp_path):
    process, url = start_anvil(CHAIN_IDS["base"])
    try:
        market = build_market(url)
        # Blocks every second from here on: the deployment takes seconds, so it can be killed in the middle.
        rpc(url, "evm_setAutomine", False)
        rpc(url, "evm_setIntervalMining", 1)
        spec = write_spec(tmp_path, market)
        record = tmp_path / "vault.deployment-8453.json"
        run = subprocess.Popen([str(Path(sys.executable).with_name("alp")), "deploy", str(spec), "--network", url,
                                "--account", "test:1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            body = json.loads(record.read_text()) if record.exists() else {}
            if "vault" in body.get("contracts", {}) or "vault" in body.get("pending", {}):
                break
            time.sleep(0.02)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
        killed = json.loads(record.read_text())
        assert killed["admin"] is None and len(killed["contracts"]) < 5, "killed before the deployment finished"
        _until_mined(url)  # whatever was sent before the kill

        resumed = _deploy(spec, url)
        assert resumed["state"] == "waiting"
        for key, deployed in killed["contracts"].items():
            assert resumed["contracts"][key] == deployed, f"{key} kept from before the kill"
        advance(url, DAY + 1)
        time.sleep(1)
        assert _deploy(spec, url)["state"] == "verified"
        created = _creations(url, killed["started_block"])
        assert sorted(created) == sorted(d["address"].lower() for d in resumed["contracts"].values()), \
            "every contract the deployer created is in the record: no duplicate, no orphan"
        assert len(created) == 5

        # The same deployment from Ape's script runner, for a second vault.
        second = write_spec(tmp_path / "ape", market, name="ALP USDC via ape run")
        done = subprocess.run([str(Path(sys.executable).with_name("ape")), "run", "deploy", "--network", url,
                               str(second), "--account", "test:1"], capture_output=True, text=True, timeout=300,
                              cwd=Path(__file__).resolve().parents[2])
        assert done.returncode == 0 and "state: waiting" in done.stdout, done.stdout + done.stderr
        assert "vault" in json.loads((tmp_path / "ape" / "vault.deployment-8453.json").read_text())["contracts"]
    finally:
        stop(process)
