"""One keeper for many vaults on many chains: a scheduler process per chain decides and queues plans; workers send
them, through Redis streams (at least once) and behind a per-signer lock, idempotently from the shared store."""
