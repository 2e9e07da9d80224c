"""`alp dashboard`: serve the dashboard for a vault on a running chain until Ctrl-C."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import click

REFRESH_SECONDS = 2.0


@click.command()
@click.option("--config", "config_path", default=None, envvar="ALP_CONFIG",
              help="The keeper's YAML settings: network, vault and store come from it unless given here.")
@click.option("--network", default=None, help="Ape network choice or RPC URL of the chain the vault lives on "
                                              "(default: the config's, else ethereum:local:node).")
@click.option("--vault", "vault_address", default=None, help="Address of the ALP vault (default: the config's).")
@click.option("--control", "control_address", default=None, help="Address of a static control vault to compare.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--store", "store_path", default=None, type=click.Path(exists=True, dir_okay=False),
              help="The keeper's store (default: the config's, when it exists): adds its risk scores, decision "
                   "reasons and the plans it refused or holds for approval.")
@click.option("--from-block", default=0, show_default=True, type=int,
              help="The vault's deployment block: both pages read the vault's events from it (providers that limit "
                   "log ranges need it).")
def dashboard(config_path: str | None, network: str | None, vault_address: str | None, control_address: str | None,
              host: str, port: int, store_path: str | None, from_block: int) -> None:
    """Serve the operator dashboard of VAULT on http://HOST:PORT/ and its depositor page on /depositor (reads the
    chain and never signs: depositors sign with their own browser wallet)."""
    from keeper.dashboard.server import DashboardServer, require_free_port

    require_free_port(host, port)
    from ape.exceptions import ApeException

    from keeper.config import ConfigError, load_config
    from keeper import names
    from keeper.connect import connected, shown
    from keeper.dashboard.chain_feed import ChainFeed, WatchedVault
    from keeper.dashboard.depositor_api import DepositorApi
    from keeper.dashboard.keeper_feed import last_cycle_from_store, risk_from_store, unsent_from_store
    from keeper.interrupts import on_interrupt
    from keeper.store import Store
    from keeper.vault_probe import VaultError, alp_vault

    if config_path or not (network and vault_address):
        try:
            config = load_config(config_path, network=network, vault=vault_address)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        network, vault_address = config.network, config.vault
        if store_path is None and "://" not in config.store and Path(config.store).is_file():
            store_path = config.store
    try:
        with on_interrupt(lambda: click.echo("dashboard stopped")), connected(network):
            vault = alp_vault(vault_address)
            control = alp_vault(control_address) if control_address else None
            watched = [WatchedVault(v, title, {a: names.strategy(a) for a in v.withdrawQueue()})
                       for v, title in ((vault, "ALP vault"), (control, "static control")) if v is not None]
            extras = {}
            if store_path:
                store = Store(f"sqlite:///{store_path}")
                extras = dict(risk=risk_from_store(store, watched[0].strategy_labels), decision_reasons=store.reasons_for_transaction,
                              unsent=unsent_from_store(store), last_cycle=last_cycle_from_store(store))
            from keeper.dashboard.ranges import range_tracks_for

            feed = ChainFeed(watched[0], control=watched[1] if control else None, chain_name=shown(network),
                             ranges=range_tracks_for(vault), from_block=from_block, **extras)
            feed.refresh()
            chain_lock = threading.Lock()  # the page's requests and the refreshes take turns on the connection
            depositor = DepositorApi(vault, control=control, labels=watched[0].strategy_labels, chain_name=shown(network),
                                     from_block=from_block, chain_lock=chain_lock)
            with DashboardServer(feed.snapshot, host, port, depositor=depositor) as server:
                click.echo(f"dashboard on {server.url} (Ctrl-C to stop); depositors: {server.url}depositor")
                while True:
                    time.sleep(REFRESH_SECONDS)
                    with chain_lock:
                        feed.refresh()
    except VaultError as exc:
        raise click.ClickException(str(exc)) from None
    except (ApeException, ValueError) as exc:
        raise click.ClickException(f"cannot serve the dashboard for {vault_address}: {exc}") from exc
