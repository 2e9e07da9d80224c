"""`python -m keeper.localnet.upstream OUT.json`: deploys the local market on the connected upstream node (chain id
1, the fork tests' stand-in for mainnet) and writes its description for the fork tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

UPSTREAM_ENV = "ALP_FORK_UPSTREAM"


def main(out: str) -> None:
    from ape import accounts, networks
    from ape.logging import logger

    from keeper.connect import settled_chain
    from keeper.localnet.fork import describe
    from keeper.localnet.market import deploy_market

    logger.set_level("ERROR")
    with networks.parse_network_choice(os.environ[UPSTREAM_ENV]) as provider:
        # Chain id 1 makes Ape apply mainnet's confirmation count, which an upstream that mines only on demand never
        # reaches; this process only deploys to a local stand-in, so it waits for none.
        provider.network.config.required_confirmations = 0
        # Gas as on a local network: estimation is tuned for mainnet's fee market and can cut a deployment short.
        provider.network.config.gas_limit = "max"
        people = accounts.test_accounts
        with settled_chain():  # a stand-in's contracts never enter Ape's cache for the real mainnet
            market = deploy_market(people[0], lp=people[1])
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(describe(market).model_dump_json(indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
