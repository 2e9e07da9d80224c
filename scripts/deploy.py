"""`ape run deploy --network CHOICE SPEC --account ALIAS [--record PATH]`: the same deployment as `alp deploy`,
from Ape's own script runner (Ape connects, the steps and the record are ALP's)."""

from __future__ import annotations

import click
from ape.cli import ConnectedProviderCommand


@click.command(cls=ConnectedProviderCommand)
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False))
@click.option("--account", "account_name", required=True, help="Ape account alias that signs.")
@click.option("--record", "record_path", default=None, help="Deployment record (default: beside the spec).")
def cli(spec_path: str, account_name: str, record_path: str | None) -> None:
    from keeper.connect import settled_chain
    from keeper.deploy.command import run_deployment

    # A development node given by URL with a real chain's id: no confirmations to wait for, no contracts of its
    # written into Ape's caches for that real chain.
    with settled_chain():
        outcome, _ = run_deployment(spec_path, account_name, record_path)
    for line in outcome.lines:
        click.echo(line)
    click.echo(f"state: {outcome.state}")
