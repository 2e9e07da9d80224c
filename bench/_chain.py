"""A local anvil for benchmarks, started and stopped by Ape's foundry provider around the measurement."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

LOCAL_NETWORK = "ethereum:local:foundry"


@contextmanager
def local_chain() -> Iterator[None]:
    """Connects Ape to a fresh anvil for the duration of the block; the process is gone afterwards."""
    from ape import networks
    from ape.logging import logger

    # Ape's per-transaction INFO lines would drown the table the benchmark exists to print.
    logger.set_level("ERROR")
    with networks.parse_network_choice(LOCAL_NETWORK):
        yield
