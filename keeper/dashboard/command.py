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
def dashboard(network: str, vault_address: str, control_address: str | None, host: str, port: int) -> None:
    """Serve the dashboard of VAULT on http://HOST:PORT/ (reads the chain; never sends a transaction)."""
    from ape import Contract, networks
    from ape.exceptions import ApeException

    from keeper.dashboard.chain_feed import ChainFeed, WatchedVault
    from keeper.dashboard.server import DashboardServer

    try:
        with networks.parse_network_choice(network):
            control = WatchedVault(Contract(control_address), "static control") if control_address else None
            feed = ChainFeed(WatchedVault(Contract(vault_address), "ALP vault"), control=control, chain_name=network)
            feed.refresh()
            with DashboardServer(feed.snapshot, host, port) as server:
                click.echo(f"dashboard on {server.url} (Ctrl-C to stop)")
                while True:
                    time.sleep(REFRESH_SECONDS)
                    feed.refresh()
    except KeyboardInterrupt:
        click.echo("dashboard stopped")
    except (ApeException, ValueError) as exc:
        raise click.ClickException(f"cannot serve the dashboard for {vault_address} on {network}: {exc}") from exc
