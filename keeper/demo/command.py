"""`alp demo`: starts a local anvil, runs the scenario, prints what happened, and stops the chain."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

LOCAL_NETWORK = "ethereum:local:foundry"


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the final state as JSON instead of tables.")
def demo(as_json: bool) -> None:
    """Deploy the vault with two strategies on a fresh local chain, deposit, rebalance, harvest, withdraw."""
    from ape import networks
    from ape.logging import logger

    from keeper.demo.vault_tour import Step, run_tour

    console = Console()
    logger.set_level("ERROR")  # the narration below says what each transaction did

    def say(step: Step) -> None:
        if as_json:
            return
        table = Table(title=step.title, show_header=False, title_justify="left")
        table.add_column(style="bold")
        table.add_column()
        for key, value in step.facts.items():
            table.add_row(key, value)
        console.print(table)

    if not as_json:
        console.print(f"Starting a local anvil ({LOCAL_NETWORK}); it stops when the demo ends or on Ctrl-C.")
    # The provider context starts anvil and always stops it on exit, including on Ctrl-C.
    with networks.parse_network_choice(LOCAL_NETWORK):
        final = run_tour(say)
    if as_json:
        click.echo(json.dumps(final, indent=2))
    else:
        console.print("Local chain stopped. Done.")
