"""`ape run replay --network ethereum:local:foundry [--days N]`: replay real hourly history onto the local market."""

from __future__ import annotations

import click
from ape import accounts
from ape.cli import ConnectedProviderCommand
from rich.progress import Progress

from keeper.localnet.session import hourly_series, replayed_market


@click.command(cls=ConnectedProviderCommand)
@click.option("--days", default=30, show_default=True, help="Days of hourly history to replay.")
@click.option("--data", default=None, help="Data folder laid out like the repository's data/ (default: that folder).")
def cli(days: int, data: str | None) -> None:
    series = hourly_series(days, data=data)
    people = accounts.test_accounts
    with Progress() as bar:
        task = bar.add_task(f"replaying {series.name}", total=len(series))
        result = replayed_market(people[0], people[1], people[2], series,
                                 progress=lambda done, _: bar.update(task, completed=done)).report
    click.echo(f"{len(result.steps)} hourly steps, {result.swaps} swaps in {result.seconds:.1f} s; "
               f"max tick error {result.max_tick_error}; volume {result.volume_ratio:.1%} of the scaled record")
