"""Local anvils started with the chain ids of real chains (Base, Arbitrum, BNB Chain, Avalanche), each holding the
local Uniswap V3 market and a lending vault, for tests that drive only the `alp` command line against them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

CHAIN_IDS = {"base": 8453, "arbitrum": 42161, "bnb": 56, "avalanche": 43114}
HOUR = 3_600
DAY = 24 * HOUR
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rpc(url: str, method: str, *params):
    reply = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=30)
    body = reply.json()
    assert "error" not in body, body
    return body["result"]


def advance(url: str, seconds: int) -> None:
    """Time passes on the local chain, and only there: the test's own hand on the clock."""
    rpc(url, "evm_increaseTime", seconds)
    rpc(url, "evm_mine")


def alp(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`alp ARGS` as a user types it: the command line's own entry point, in this process (an `alp` process would
    spend seconds importing Ape for each of the dozens of commands a path takes; the kill test runs a real one)."""
    import traceback

    from click.testing import CliRunner

    from keeper.cli import main

    result = CliRunner(mix_stderr=False).invoke(main, list(args), prog_name="alp")
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    done = subprocess.CompletedProcess(["alp", *args], result.exit_code, result.stdout, stderr)
    if check:
        assert done.returncode == 0, f"alp {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def market_activity(url: str, market: dict, rounds: int = 3) -> None:
    """What happens between keeper cycles on a real chain: traders swap both ways through the 0.05 % pool (test:8,
    funded by the market) and the lending vault earns interest. Not the system under test, so not through `alp`."""
    from ape import accounts

    from keeper import contracts
    from keeper.connect import connected

    with connected(url):
        trader, deployer = accounts.test_accounts[8], accounts.test_accounts[0]
        router = contracts.at("SwapRouter", market["router"])
        weth, usdc = contracts.at("TestToken", market["weth"]), contracts.at("TestToken", market["usdc"])
        for token in (weth, usdc):
            if token.allowance(trader, router) < 2**255:
                token.approve(router, 2**256 - 1, sender=trader)
        for _ in range(rounds):
            for token_in, token_out, amount in ((weth, usdc, 200 * 10**18), (usdc, weth, 400_000 * 10**6)):
                params = (token_in.address, token_out.address, 500, trader.address, 2**40, amount, 0, 0)
                router.exactInputSingle(params, sender=trader)
        usdc.mint(market["lending"], 5 * 10**6, sender=deployer)  # ~4 %/yr on the million when an hour apart


@dataclass
class LocalChain:
    name: str
    chain_id: int
    url: str
    process: subprocess.Popen
    market: dict  # addresses of the local market: tokens, factory, pools, lending vault


def start_anvil(chain_id: int, attempts: int = 3) -> tuple[subprocess.Popen, str]:
    for _ in range(attempts):  # a port found free can be taken before anvil binds it: then another port
        port = _free_port()
        process = subprocess.Popen(["anvil", "--chain-id", str(chain_id), "--port", str(port), "--hardfork", "cancun",
                                    "--silent"], start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            try:
                answered = int(rpc(url, "eth_chainId"), 16)
            except (requests.RequestException, ValueError):
                time.sleep(0.05)
                continue
            if answered != chain_id:  # another node answers on that port
                break
            return process, url
        stop(process)
    raise RuntimeError(f"anvil with chain id {chain_id} did not start ({attempts} ports tried)")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def build_market(url: str) -> dict:
    """The local Uniswap V3 market and a lending vault, deployed by test:0 (a separate process, as a user would)."""
    script = (
        "import json, sys\n"
        "from ape import accounts\n"
        "from keeper import contracts\n"
        "from keeper.connect import connected\n"
        "from keeper.localnet.market import deploy_market\n"
        "with connected(sys.argv[1]):\n"
        "    a = accounts.test_accounts\n"
        "    m = deploy_market(a[0], lp=a[7])\n"
        "    usdc = m.tokens['USDC']\n"
        "    lending = a[0].deploy(contracts.container('TestYieldVault'), usdc, 'Lending', 'lend')\n"
        "    m.fund(a[0], 'USDC', 1_000_000 * 10**6)\n"  # other lenders' million: interest minted is then a rate
        "    usdc.approve(lending, 1_000_000 * 10**6, sender=a[0])\n"
        "    lending.deposit(1_000_000 * 10**6, a[0], sender=a[0])\n"
        "    m.fund(a[6], 'USDC', 200_000 * 10**6)\n"
        "    m.fund(a[8], 'WETH', 5_000 * 10**18)\n"
        "    m.fund(a[8], 'USDC', 10_000_000 * 10**6)\n"
        "    print('MARKET ' + json.dumps({'usdc': usdc.address, 'weth': m.tokens['WETH'].address,\n"
        "        'factory': m.factory.address, 'router': m.router.address,\n"
        "        'pool500': m.pool('WETH', 'USDC', 500).address, 'pool3000': m.pool('WETH', 'USDC', 3000).address,\n"
        "        'lending': lending.address}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, url], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(l for l in done.stdout.splitlines() if l.startswith("MARKET "))
    return json.loads(line.removeprefix("MARKET "))


@pytest.fixture(scope="module", params=sorted(CHAIN_IDS), ids=lambda name: f"{name}-{CHAIN_IDS[name]}")
def local_chain(request):
    process, url = start_anvil(CHAIN_IDS[request.param])
    try:
        yield LocalChain(request.param, CHAIN_IDS[request.param], url, process, build_market(url))
    finally:
        stop(process)


def write_spec(folder: Path, market: dict, name: str = "ALP USDC") -> Path:
    """A spec as a curator writes it: the 0.05 % pool by address, the 0.3 % pool by tokens and fee through the
    market's factory, the lending vault, roles as Ape test accounts."""
    spec = {
        "name": name, "symbol": "alpUSDC", "asset": market["usdc"],
        "roles": {"governance": "test:1", "curator": "test:2", "guardian": "test:3", "keeper": "test:4",
                  "fee_recipient": "test:5"},
        "timelock_delay": DAY,
        "fees": {"performance_bps": 1_000, "management_bps": 100},
        "vault": {"min_idle_bps": 300, "max_turnover_bps": 5_000, "min_rebalance_interval": HOUR,
                  "deposit_limit": 5_000_000},
        "strategies": [
            {"kind": "uniswap-v3", "name": "WETH/USDC 0.05 %", "pool": market["pool500"], "max_debt": 1_000_000,
             "max_debt_bps": 6_000, "guardrails": {"twap_window": 1_800, "max_deviation_ticks": 80}},
            {"kind": "uniswap-v3", "name": "WETH/USDC 0.3 %", "tokens": [market["weth"], market["usdc"]],
             "fee": 3000, "factory": market["factory"], "max_debt": 1_000_000, "max_debt_bps": 5_000},
            {"kind": "erc4626", "name": "Lending", "target": market["lending"], "max_debt": 2_000_000,
             "max_debt_bps": 8_000},
        ],
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "vault.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def dashboard_snapshot(url: str, vault: str) -> dict:
    """`alp dashboard --network URL --vault VAULT` as a user starts it (its own process, its own port): its first
    snapshot, then Ctrl-C."""
    port = _free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("alp")), "dashboard", "--network", url,
                               "--vault", vault, "--port", str(port)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise AssertionError(f"alp dashboard exited: {server.stderr.read()[-2000:]}")
            try:
                reply = requests.get(f"http://127.0.0.1:{port}/api/snapshot", timeout=10)
                if reply.ok:
                    return reply.json()
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise AssertionError("alp dashboard did not serve a snapshot within 2 minutes")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
