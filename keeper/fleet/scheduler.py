"""A chain's scheduler: one process per chain (Ape connects one chain per process), running each of that chain's
vaults' keeper cycle and handing every plan that passes to the workers through the queue. It signs nothing."""

from __future__ import annotations

import time
from collections.abc import Callable

from keeper.fleet.config import FleetConfig
from keeper.fleet.queue import PlanQueue


def schedule_once(fleet: FleetConfig, chain_name: str, queue: PlanQueue, *, dry_run: bool = False,
                  say: Callable[[str], None] = print) -> list[str]:
    """One cycle for every vault on the chain; returns the ids of the plans queued."""
    from ape import chain

    from keeper.accounts import resolve
    from keeper.commands import _connected
    from keeper.cycle import Keeper
    from keeper.market.chain import ChainReader, SharedPools

    queued = []
    entry = fleet.chains[chain_name]
    first = fleet.keeper_config(chain_name, entry.vaults[0].vault)
    with _connected(first):
        pools = SharedPools(ChainReader(chain.provider.web3))  # the chain's vaults share this cycle's pool reads
        for wanted in entry.vaults:
            config = fleet.keeper_config(chain_name, wanted.vault)
            keeper = Keeper(config, resolve(config.account))
            keeper.reader = pools
            result = keeper.cycle(dry_run=dry_run, hand_off=True)
            if result.state == "queued":
                queue.put(chain_name, config.vault, result.plan.id)
                queued.append(result.plan.id)
            say(f"{chain_name} {config.vault}: {result.state}: {result.reasons[-1] if result.reasons else ''}")
    return queued


def run_scheduler(fleet: FleetConfig, chain_name: str, cycles: int = 0,
                  say: Callable[[str], None] = print) -> None:
    queue = PlanQueue(fleet.redis_url)
    done = 0
    while not cycles or done < cycles:
        schedule_once(fleet, chain_name, queue, say=say)
        done += 1
        if not cycles or done < cycles:
            time.sleep(fleet.cycle_seconds)
