"""A local anvil for benchmarks, started and stopped by Ape's foundry provider around the measurement."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

LOCAL_NETWORK = "ethereum:local:foundry"


@contextmanager
def local_chain(step_traces: bool = True, history: bool = True) -> Iterator[None]:
    """Connects Ape to a fresh anvil for the duration of the block; the process is gone afterwards.

    step_traces=False: a long replay whose step traces nobody reads (see the anvil wrapper in tools/setup.sh).
    history=False: no past blocks' states kept (a chain whose every state is tens of megabytes).
    """
    import os

    from ape import networks
    from ape.logging import logger

    # Ape's per-transaction INFO lines would drown the table the benchmark exists to print.
    logger.set_level("ERROR")
    settings = {"ALP_ANVIL_STEPS_TRACING": "1" if step_traces else "0",
                "ALP_ANVIL_PRUNE_HISTORY": "0" if history else "1"}
    previous = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings)
    try:
        with networks.parse_network_choice(LOCAL_NETWORK):
            yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key)
            else:
                os.environ[key] = value
