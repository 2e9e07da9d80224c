"""The fleet end to end on real parts: two local chains (ids 10 and 42161, mining a block every two seconds like real
chains once set up), three vaults (two on the first, sharing one keeper key), a real Redis (Debian's redis-server)
and a real PostgreSQL store, schedulers in this process and two worker processes. A worker is SIGKILLed in the middle
of a send (its transaction broadcast, not yet mined): every plan still ends exactly once. The second chain's primary
RPC endpoint is killed before the workers start: they go on through its fallback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import yaml

from keeper.fleet.config import load_fleet
from keeper.fleet.queue import GROUP, STREAM, PlanQueue
from keeper.fleet.scheduler import schedule_once
from keeper.store import Store

from ..chains.conftest import (HOUR, ROOT, _free_port, advance, build_market, market_activity, rpc,
                               start_anvil, stop)
from ..keeper_chain.rpc_proxy import RpcProxy
from ..store.local_postgres import local_postgres

CHAINS = {"optimism": 10, "arbitrum": 42161}
BLOCK_SECONDS = 2
VAULTS_PER_CHAIN = {"optimism": 2, "arbitrum": 1}
DEPLOY = """
import json, sys
from ape import accounts
from keeper import contracts
from keeper.connect import connected
from keeper.deployment import Roles, add_strategy, deploy_erc4626_strategy, deploy_vault
market, count = json.loads(sys.argv[2]), int(sys.argv[3])
with connected(sys.argv[1]):
    a = accounts.test_accounts
    usdc = contracts.at("TestToken", market["usdc"])
    lending = contracts.at("TestYieldVault", market["lending"])
    vaults = []
    for i in range(count):
        d = deploy_vault(a[0], usdc, Roles(a[1], a[2], a[3], a[4], a[5]), name=f"ALP {i}", symbol=f"alp{i}",
                         timelock_delay=60)
        add_strategy(d, deploy_erc4626_strategy(a[0], d, lending, f"lend {i}", f"l{i}"), 10**13, 9_000)
        usdc.approve(d.vault, 50_000 * 10**6, sender=a[6])
        d.vault.deposit(50_000 * 10**6, a[6], sender=a[6])
        vaults.append(d.vault.address)
    print("VAULTS " + json.dumps(vaults))
"""


@pytest.fixture(scope="module")
def redis_url():
    folder = tempfile.mkdtemp(prefix="alp-redis-")
    port = _free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", folder,
                               "--save", "", "--appendonly", "yes"], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 30
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(f"redis-server did not answer on port {port}") from None
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=10)


def _build(name: str, url: str) -> dict:
    """The chain's market, then its vaults (each with a lending strategy and a deposit)."""
    market = build_market(url)
    done = subprocess.run([sys.executable, "-c", DEPLOY, url, json.dumps(market), str(VAULTS_PER_CHAIN[name])],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(market=market, vaults=json.loads(next(l for l in done.stdout.splitlines()
                                                      if l.startswith("VAULTS "))[7:]))


@pytest.fixture(scope="module")
def fleet_world(redis_url, tmp_path_factory):
    anvils, proxies = [], []
    folder = tmp_path_factory.mktemp("fleet")
    try:
        with local_postgres() as store_url:
            started = {name: start_anvil(chain_id) for name, chain_id in CHAINS.items()}
            anvils += [process for process, _ in started.values()]
            with ThreadPoolExecutor(len(CHAINS)) as pool:  # each chain's set-up is its own processes: in parallel
                built = dict(zip(CHAINS, pool.map(lambda name: _build(name, started[name][1]), CHAINS)))
            chains = {name: dict(url=started[name][1], chain_id=CHAINS[name], **built[name]) for name in CHAINS}
            # The second chain is reached through a primary endpoint that will die, and the node as its fallback.
            proxy = RpcProxy(chains["arbitrum"]["url"])
            proxies.append(proxy)
            spec = {"redis_url": redis_url, "store": store_url, "cycle_seconds": 60, "confirm_timeout_seconds": 60,
                    "chains": {
                        "optimism": {"network": chains["optimism"]["url"],
                                     "vaults": [{"vault": v, "account": "test:4"} for v in chains["optimism"]["vaults"]]},
                        "arbitrum": {"network": proxy.url, "rpc_fallbacks": [chains["arbitrum"]["url"]],
                                     "vaults": [{"vault": v, "account": "test:4"} for v in chains["arbitrum"]["vaults"]]},
                    }}
            path = folder / "fleet.yaml"
            path.write_text(yaml.safe_dump(spec))
            yield dict(path=path, chains=chains, proxy=proxy, store_url=store_url, folder=folder)
    finally:
        for proxy in proxies:
            proxy.stop()
        for process in anvils:
            stop(process)


def _worker(path: Path, name: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "keeper.cli", "fleet", "worker", str(path), "--name", name,
                             "--idle-exit", "15"], stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=ROOT,
                            start_new_session=True)


def test_fleet__worker_killed_mid_send_and_primary_rpc_killed__every_plan_ends_exactly_once(fleet_world):
    fleet = load_fleet(fleet_world["path"])
    queue = PlanQueue(fleet.redis_url)
    chains = fleet_world["chains"]
    # Two observations an hour apart, with trading and interest between, give every keeper its estimates.
    for _ in range(2):
        for name in chains:
            schedule_once(fleet, name, queue, dry_run=True)
        for name, info in chains.items():
            market_activity(info["url"], info["market"], rounds=1)
            advance(info["url"], HOUR)
    queued = [p for name in chains for p in schedule_once(fleet, name, queue)]
    assert len(queued) == 3, "each vault's first allocation, queued"
    fleet_world["proxy"].stop()  # the second chain's primary RPC dies before any worker touches it
    for info in chains.values():  # from here blocks come every two seconds, as on a real chain
        rpc(info["url"], "evm_setAutomine", False)
        rpc(info["url"], "evm_setIntervalMining", BLOCK_SECONDS)

    folder = fleet_world["folder"]
    workers = {name: _worker(fleet_world["path"], name, folder / f"{name}.log") for name in ("w1", "w2")}
    store = Store(fleet_world["store_url"])
    client = redis.Redis.from_url(fleet.redis_url, decode_responses=True)
    deadline, killed = time.monotonic() + 180, None
    while time.monotonic() < deadline and killed is None:
        # A worker holds a delivery whose plan is broadcast and not yet mined: kill that worker, no cleanup.
        for entry in client.xpending_range(STREAM, GROUP, "-", "+", 10):
            fields = client.xrange(STREAM, entry["message_id"], entry["message_id"])[0][1]
            if store.plan(fields["plan"])["state"] in ("signed", "sent"):
                victim = workers.pop(entry["consumer"])
                os.killpg(victim.pid, signal.SIGKILL)
                killed = (entry["consumer"], fields["plan"])
                break
        time.sleep(0.02)
    assert killed, "no worker was caught mid-send: " + (folder / "w1.log").read_text()[-2000:]
    [(survivor_name, survivor)] = workers.items()
    try:
        survivor.wait(timeout=240)
    finally:
        if survivor.poll() is None:
            os.killpg(survivor.pid, signal.SIGKILL)
    log = (folder / f"{survivor_name}.log").read_text()
    assert survivor.returncode == 0, log[-3000:]
    assert killed[1] in log and queue.pending() == 0, log[-3000:]

    from keeper.connect import connected

    for name, info in chains.items():
        with connected(info["url"]):
            from keeper import contracts

            for vault in info["vaults"]:
                plans = [p for p in store.plans(limit=100) if p["vault"] == vault and p["chain_id"] == info["chain_id"]
                         and p["id"] in queued]
                assert [p["state"] for p in plans] == ["confirmed"], (name, vault, plans)
                [plan] = plans
                mined = [t for t in store.transactions(plan["id"]) if t["status"] == "confirmed"]
                assert len(mined) == 1, mined
                rebalanced = list(contracts.at("Vault", vault).Rebalanced.range(0, 10**9))
                assert len(rebalanced) == 1, f"{name} {vault}: {len(rebalanced)} rebalances for one plan"
    print(f"\nkilled {killed[0]} mid-send of plan {killed[1]}; {survivor_name} finished it:\n{log}")
