"""`alp dashboard`: serve the dashboard for a vault on a running chain until Ctrl-C."""

from __future__ import annotations

import time

import click

REFRESH_SECONDS = 2.0


@click.command()
@click.option("--network", default="ethereum:local:node", show_default=True,
              help="Ape network choice of the chain the vault lives on (an already running node).")
@click.option("--vault", "vault_address", required=True, help="Address of the ALP vault.")
@click.option("--control", "control_address", default=None, help="Address of a static control vault to compare.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--store", "store_path", default=None, type=click.Path(exists=True, dir_okay=False),
              help="The keeper's store (e.g. .alp/keeper.sqlite): adds its risk scores, decision reasons and "
                   "the plans it refused or holds for approval.")
def dashboard(network: str, vault_address: str, control_address: str | None, host: str, port: int,
              store_path: str | None) -> None:
    """Serve the dashboard of VAULT on http://HOST:PORT/ (reads the chain; never sends a transaction)."""
    from ape import networks
    from ape.exceptions import ApeException

    from keeper import contracts
    from keeper.dashboard.chain_feed import ChainFeed, WatchedVault
    from keeper.dashboard.keeper_feed import last_cycle_from_store, risk_from_store, unsent_from_store
    from keeper.dashboard.server import DashboardServer
    from keeper.interrupts import on_interrupt
    from keeper.store import Store

    try:
        with on_interrupt(lambda: click.echo("dashboard stopped")), networks.parse_network_choice(network):
            control = WatchedVault(contracts.at("Vault", control_address), "static control") if control_address else None
            extras = {}
            if store_path:
                store = Store(f"sqlite:///{store_path}")
                extras = dict(risk=risk_from_store(store), decision_reasons=store.reasons_for_transaction,
                              unsent=unsent_from_store(store), last_cycle=last_cycle_from_store(store))
            feed = ChainFeed(WatchedVault(contracts.at("Vault", vault_address), "ALP vault"), control=control, chain_name=network,
                             **extras)
            feed.refresh()
            with DashboardServer(feed.snapshot, host, port) as server:
                click.echo(f"dashboard on {server.url} (Ctrl-C to stop)")
                while True:
                    time.sleep(REFRESH_SECONDS)
                    feed.refresh()
    except (ApeException, ValueError) as exc:
        raise click.ClickException(f"cannot serve the dashboard for {vault_address} on {network}: {exc}") from exc
