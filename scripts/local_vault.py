"""`ape run local_vault --network URL [--out keeper.yaml]`: on a local node you started (anvil), deploys the Uniswap V3 market and an ALP vault as the demo builds it (ranges in the WETH/USDC
0.05 % and 0.3 % pools, a lending market) with a 100,000 USDC deposit, and writes a dry-run keeper config for it.

Local chains only: it signs with the node's test accounts (the keeper is test:4).
"""

from __future__ import annotations

from pathlib import Path

import click
import yaml
from ape import accounts, chain
from ape.cli import ConnectedProviderCommand

from keeper.accounts import LOCAL_CHAIN_IDS
from keeper.demo.replay_demo import build_side
from keeper.deployment import advance_time
from keeper.localnet.market import deploy_market

ROLES = ("deployer", "governance", "curator", "guardian", "keeper", "fee_recipient", "depositor")
KEEPER_ACCOUNT = "test:4"
DEPOSIT_USDC = 100_000
USDC = 10**6


@click.command(cls=ConnectedProviderCommand)
@click.option("--out", default="keeper.yaml", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write the keeper config for the new vault.")
def cli(out: str) -> None:
    if chain.chain_id not in LOCAL_CHAIN_IDS:
        raise click.ClickException(f"chain {chain.chain_id} is not a local chain: this script signs with test "
                                   "accounts")
    if "://" not in str(chain.provider.network_choice) and chain.provider.network.name != "custom":
        raise click.ClickException("a chain Ape starts for this script stops when it ends: start a node yourself "
                                   "(anvil --port 8546) and pass its URL (--network http://127.0.0.1:8546)")
    people = dict(zip(ROLES, accounts.test_accounts))
    market = deploy_market(people["deployer"], lp=people["deployer"])
    side = build_side("ALP vault", people, market, people["keeper"], (500, 3000))
    usdc = market.tokens["USDC"]
    market.fund(people["depositor"], "USDC", DEPOSIT_USDC * USDC)
    usdc.approve(side.vault, DEPOSIT_USDC * USDC, sender=people["depositor"])
    side.vault.deposit(DEPOSIT_USDC * USDC, people["depositor"], sender=people["depositor"])
    advance_time(2 * 3_600)  # the pools' oracles need history before any TWAP-checked move
    network = chain.provider.uri
    Path(out).write_text(yaml.safe_dump({"network": network, "vault": side.vault.address,
                                         "account": KEEPER_ACCOUNT, "mode": "dry-run"}, sort_keys=False))
    click.echo(f"vault {side.vault.address} with {DEPOSIT_USDC:,} USDC deposited; keeper config in {out}")
