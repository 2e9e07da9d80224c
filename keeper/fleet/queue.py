"""Plans handed from a chain's scheduler to the workers: a Redis stream read by one consumer group, so a plan is
delivered until a worker acknowledges it (at least once); one a dead worker took is claimed by another after
CLAIM_IDLE_MS. Sending is serialised per signer (chain id, account) by a lock with a lease, so two processes never
sign the same nonce; the plan's own state in the store makes a repeated delivery harmless."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

STREAM = "alp:plans"
GROUP = "alp-workers"
# A delivery unacknowledged this long belongs to a worker presumed dead: another may take it.
CLAIM_IDLE_MS = 5_000
# A signer lock is a lease: a worker that dies holding it frees it after this long.
LOCK_LEASE_MS = 15_000
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
_RENEW = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
          "else return 0 end")


@dataclass
class Delivery:
    id: str
    chain: str
    vault: str
    plan_id: str


class PlanQueue:
    def __init__(self, redis_url: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(redis_url, decode_responses=True)
        with contextlib.suppress(redis.ResponseError):  # the group exists already
            self.redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)

    def put(self, chain: str, vault: str, plan_id: str) -> str:
        return self.redis.xadd(STREAM, {"chain": chain, "vault": vault, "plan": plan_id})

    def take(self, consumer: str, block_ms: int = 1_000) -> Delivery | None:
        """A plan another worker left unacknowledged too long, else a new one; None when there is none."""
        _, claimed, _ = self.redis.xautoclaim(STREAM, GROUP, consumer, min_idle_time=CLAIM_IDLE_MS, count=1)
        entries = claimed or [e for _, es in (self.redis.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=1,
                                                                    block=block_ms) or []) for e in es]
        if not entries:
            return None
        entry_id, fields = entries[0]
        return Delivery(entry_id, fields["chain"], fields["vault"], fields["plan"])

    def ack(self, delivery: Delivery) -> None:
        self.redis.xack(STREAM, GROUP, delivery.id)

    def pending(self) -> int:
        return self.redis.xpending(STREAM, GROUP)["pending"]

    @contextlib.contextmanager
    def signer_lock(self, chain_id: int, account: str, wait_seconds: float = 60.0) -> Iterator[None]:
        """Held while one process signs and sends for (chain, account); waits for a holder to finish or its lease
        to lapse."""
        key, token = f"alp:signer:{chain_id}:{account.lower()}", uuid.uuid4().hex
        deadline = time.monotonic() + wait_seconds
        while not self.redis.set(key, token, nx=True, px=LOCK_LEASE_MS):
            if time.monotonic() > deadline:
                raise TimeoutError(f"signer {account} on chain {chain_id} stayed locked for {wait_seconds:.0f} s: "
                                   "another worker is sending; retry later")
            time.sleep(0.2)
        # Renewed while held, so a long send keeps it; a dead holder stops renewing and the lease lapses.
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(LOCK_LEASE_MS / 3_000):
                self.redis.eval(_RENEW, 1, key, token, LOCK_LEASE_MS)

        renewer = threading.Thread(target=renew, name="alp-signer-lease", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            stop.set()
            renewer.join(timeout=5)
            self.redis.eval(_RELEASE, 1, key, token)
