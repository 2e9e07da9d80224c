"""`alp backtest`: every strategy on real history, ALP tuned in-sample and reported on held-out data."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
@click.option("--data", "data_path", default=None, help="Folder laid out like the repository's data/ (default: that folder).")
@click.option("--pool", default=None, help="Only this pool folder (default: every pool in the data).")
@click.option("--capital", default=1_000_000.0, show_default=True, help="Capital in USD (converted per pool).")
@click.option("--gas-gwei", default=20.0, show_default=True, help="Gas price for every keeper move.")
@click.option("--out", default="out/backtest", show_default=True, help="Folder for the PNG plots, HTML and JSON.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON instead of tables.")
def backtest(data_path: str | None, pool: str | None, capital: float, gas_gwei: float, out: str, as_json: bool) -> None:
    """Compare hold, static ranges, re-centring, the ALP keeper per risk profile and the hindsight bound."""
    if capital <= 0:
        raise click.ClickException(f"--capital {capital:g}: must be above 0 (the USD each backtest starts with, "
                                   "e.g. --capital 1000000)")
    if gas_gwei < 0:
        raise click.ClickException(f"--gas-gwei {gas_gwei:g}: must be 0 or more")
    from rich.console import Console
    from rich.progress import Progress

    from keeper.backtest import report
    from keeper.backtest.allocation_run import run_allocation
    from keeper.backtest.engine import Costs
    from keeper.backtest.runner import main_series, run_pool
    from keeper.localnet.data import data_root
    from keeper.market.history import DataError, gap_report, load_market
    from keeper.names import day, duration

    try:
        market = load_market(data_root(data_path))
        series = main_series(market, pool)
    except (DataError, FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    gaps = [gap_report(h) for name, h in market.pools.items() if pool in (None, name)]
    for g in gaps:  # to stderr, unwrapped: stdout stays the table or the JSON
        spans = ", ".join(f"{day(a)}→{day(b - 1)}" for a, b in g["segments"])
        click.echo(f"data {g['pool']}: {len(g['segments'])} segment(s) ({spans}); {g['gaps_over_min']} gap(s) over "
                    f"{duration(g['min_gap_seconds'])} without trades, longest {duration(g['longest_gap_seconds'])}", err=True)
    costs = Costs(gas_price_gwei=gas_gwei)
    reports = []
    with Progress(disable=as_json, transient=True) as bar:
        for s in series:
            task = bar.add_task(f"{s.name}", total=None)
            reports.append(run_pool(s, capital, costs, progress=lambda name: bar.update(task, description=f"{s.name}: {name}")))
        if pool is None and market.lending:
            task = bar.add_task("allocation across sources", total=None)
            try:
                reports.append(run_allocation(market, costs, capital))
            except ValueError as exc:  # the sources do not overlap: say so, the per-pool results stand
                Console(stderr=True).print(f"allocation across sources skipped: {exc}")
    page = report.write(reports, Path(out))
    if as_json:
        click.echo(json.dumps(report.as_json(reports) | {"data_gaps": gaps}, indent=2))
        return
    # The table has ten columns: never squeeze it below a readable width, even when piped.
    console = Console(width=max(Console().width, 170))
    for r in reports:
        report.print_table(r, console)
        v = report.verdict(r)
        fraction = "n/a (hindsight lost money)" if v["alp_fraction_of_hindsight"] is None else f"{v['alp_fraction_of_hindsight']:.0%}"
        console.print(f"{r.pool}: best ALP profile {v['alp_net_return']:+.2%} vs best static baseline "
                      f"{v['best_baseline']} {v['best_baseline_net_return']:+.2%} "
                      f"({v['alp_minus_best_baseline']:+.2%}); {fraction} of hindsight-best {v['hindsight_net_return']:+.2%}")
    console.print(f"plots and report: {page}")

