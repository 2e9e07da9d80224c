"""A local anvil for benchmarks, started and stopped by Ape's foundry provider around the measurement."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

LOCAL_NETWORK = "ethereum:local:foundry"


@contextmanager
def local_chain(step_traces: bool = True) -> Iterator[None]:
    """Connects Ape to a fresh anvil for the duration of the block; the process is gone afterwards.

    step_traces=False: a long replay whose step traces nobody reads (see the anvil wrapper in tools/setup.sh).
    """
    import os

    from ape import networks
    from ape.logging import logger

    # Ape's per-transaction INFO lines would drown the table the benchmark exists to print.
    logger.set_level("ERROR")
    previous = os.environ.get("ALP_ANVIL_STEPS_TRACING")
    os.environ["ALP_ANVIL_STEPS_TRACING"] = "1" if step_traces else "0"
    try:
        with networks.parse_network_choice(LOCAL_NETWORK):
            yield
    finally:
        if previous is None:
            os.environ.pop("ALP_ANVIL_STEPS_TRACING")
        else:
            os.environ["ALP_ANVIL_STEPS_TRACING"] = previous
