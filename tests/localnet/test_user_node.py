"""A node the user started, given by RPC URL: `ape run local_vault --network http://127.0.0.1:PORT` deploys the local
market and a vault on it (the market died with `EVM error ReentrancySentryOOG` on the first position mint before
Ape's gas estimates for RPC-URL chains were raised, and the timelock could not pass time on a plain node), and the
installed `alp`, started from a folder outside the repository, reads and keeps that vault. The anvil here is
started and stopped by the test itself."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def user_node():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    anvil = shutil.which("anvil")
    assert anvil, "anvil not on PATH: run the tests through make test (tools/env.sh puts it there)"
    process = subprocess.Popen([anvil, "--port", str(port), "--silent"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    pytest.fail(f"the user's anvil did not answer on {url} within 30 s")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_vault_on_a_node_given_by_url__alp_from_any_folder(user_node, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "APE_FOUNDRY_HOST" and not k.startswith("ALP_")}
    config = tmp_path / "keeper.yaml"
    done = subprocess.run(["ape", "run", "local_vault", "--network", user_node, "--out", str(config)], cwd=ROOT,
                          capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ReentrancySentryOOG" not in done.stderr and "100,000 USDC deposited" in done.stdout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    alp = [sys.executable, "-m", "keeper.cli"]
    status = subprocess.run([*alp, "status", "--json"], cwd=elsewhere, capture_output=True, text=True, timeout=120,
                            env={**env, "ALP_CONFIG": str(config)})
    assert status.returncode == 0, status.stderr
    body = json.loads(status.stdout)  # nothing but JSON on stdout
    assert body["limits"]["total_assets"] == 100_000 * 10**6
    assert sorted(s["name"] for s in body["strategies"].values()) == ["ALP vault lending", "WETH/USDC 0.05 %",
                                                                      "WETH/USDC 0.3 %"]
    once = subprocess.run([*alp, "once", "--dry-run", "--config", str(config)], cwd=elsewhere, capture_output=True,
                          text=True, timeout=120, env=env)
    assert once.returncode == 0, once.stderr
    assert "cycle " in once.stdout and "WETH/USDC 0.05 %" in once.stdout
    assert not list(elsewhere.iterdir())  # the store went beside the config, not into the shell's folder
    assert (tmp_path / "keeper.sqlite").is_file()
