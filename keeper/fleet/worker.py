"""A fleet worker: takes queued plans, and for each connects to its chain, holds its signer's lock and carries the
plan to its end through the vault's keeper (`Keeper.execute`, safe to repeat), then acknowledges it. A worker killed
at any point loses nothing: its delivery is claimed by another, which finds the plan's state in the store."""

from __future__ import annotations

import logging
from collections.abc import Callable

from keeper.fleet.config import FleetConfig
from keeper.fleet.queue import Delivery, PlanQueue

log = logging.getLogger(__name__)


def handle(fleet: FleetConfig, queue: PlanQueue, delivery: Delivery, hook: Callable[[str, str], None] | None = None
           ) -> str:
    """Carries one delivered plan to its end; returns its final state."""
    from ape import chain

    from keeper.accounts import resolve
    from keeper.commands import _connected
    from keeper.cycle import Keeper

    config = fleet.keeper_config(delivery.chain, delivery.vault)
    with _connected(config):
        account = resolve(config.account)
        with queue.signer_lock(chain.chain_id, account.address):
            keeper = Keeper(config, account, hook=hook)
            return keeper.execute(delivery.plan_id)


def run_worker(fleet: FleetConfig, name: str, *, max_plans: int | None = None, idle_exit_seconds: float | None = None,
               say: Callable[[str], None] = print) -> int:
    """Works until stopped (or `max_plans` done, or idle this long); returns how many plans it finished."""
    import time

    queue = PlanQueue(fleet.redis_url)
    done, idle_since = 0, time.monotonic()
    while max_plans is None or done < max_plans:
        delivery = queue.take(name)
        if delivery is None:
            if idle_exit_seconds is not None and time.monotonic() - idle_since > idle_exit_seconds:
                break
            continue
        state = handle(fleet, queue, delivery)
        queue.ack(delivery)
        done += 1
        idle_since = time.monotonic()
        say(f"{name}: plan {delivery.plan_id} ({delivery.chain} {delivery.vault}): {state}")
    return done
