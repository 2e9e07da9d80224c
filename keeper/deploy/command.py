"""`alp deploy SPEC --network CHOICE --account ALIAS`: a vault from its reviewed spec, resumable from its record."""

from __future__ import annotations

import json
from pathlib import Path

import click


def run_deployment(spec_path: str, account_name: str, record_path: str | None, echo=click.echo):
    """The deployment on the connected chain (the caller connects): spec, record, account, steps."""
    from ape import chain

    from keeper.accounts import resolve
    from keeper.deploy.record import default_record_path, load_record
    from keeper.deploy.spec import load_spec
    from keeper.deploy.steps import Deployment

    spec = load_spec(spec_path)
    path = Path(record_path) if record_path else default_record_path(Path(spec_path), chain.chain_id)
    account = resolve(account_name)
    record = load_record(path)
    echo(f"{'resuming' if record else 'starting'} deployment of {spec.name!r} on chain {chain.chain_id} from "
         f"{account.address}; record: {path}")
    return Deployment(spec, record, path, account, echo=echo).run(), path


@click.command()
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False))
@click.option("--network", required=True, help="Ape network choice (e.g. base:mainnet:node) or an RPC URL.")
@click.option("--account", "account_name", required=True,
              help="Ape account alias that signs (`ape accounts list`); test:N on local chains only.")
@click.option("--record", "record_path", default=None,
              help="Deployment record (default: beside the spec, one per chain id).")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
def deploy(spec_path: str, network: str, account_name: str, record_path: str | None, as_json: bool) -> None:
    """Deploy the timelock, vault and strategies of SPEC, schedule its admin steps on the timelock and, once the
    delay allows, execute and verify them. Run it again to resume or to finish after the delay."""
    from keeper.connect import connected
    from keeper.deploy.spec import load_spec

    load_spec(spec_path)  # a bad spec is refused before any node is reached
    with connected(network):
        outcome, path = run_deployment(spec_path, account_name, record_path,
                                       echo=(lambda _: None) if as_json else click.echo)
    if as_json:
        click.echo(json.dumps({"state": outcome.state, "record": str(path), **outcome.record.model_dump(mode="json"),
                               "notes": outcome.lines}, indent=2))
        return
    for line in outcome.lines:
        click.echo(line)
    click.echo(f"state: {outcome.state}")
