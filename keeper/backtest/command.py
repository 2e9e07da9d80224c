"""`alp backtest`: every strategy on real history, walk-forward: tuned on each training window, reported on the
window after it, against every baseline and the perfect-foresight bound."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
@click.option("--data", "data_path", default=None, help="Folder laid out like the repository's data/ (default: that folder).")
@click.option("--pool", default=None, help="Only this pool folder (default: every pool in the data).")
@click.option("--capital-share", default=None, type=float,
              help="Capital as a share of the pool's active liquidity within +-2 % (default 0.01).")
@click.option("--capital", default=None, type=float, help="Capital in each pool's numéraire instead of a share.")
@click.option("--no-sweep", is_flag=True, help="Skip the size sweep (capital from 0.1 % to 300 % of the depth).")
@click.option("--out", default="out/backtest", show_default=True, help="Folder for the PNG plots, HTML and JSON.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON instead of tables.")
def backtest(data_path: str | None, pool: str | None, capital_share: float | None, capital: float | None,
             no_sweep: bool, out: str, as_json: bool) -> None:
    """Walk-forward comparison: holds, static ranges, re-centring, the ALP keeper per risk profile, the bound."""
    if capital_share is not None and capital is not None:
        raise click.ClickException("--capital-share and --capital both given: choose one")
    if capital_share is not None and not 0 < capital_share <= 100:
        raise click.ClickException(f"--capital-share {capital_share:g}: must be above 0 (0.01 = 1 % of the depth)")
    if capital is not None and capital <= 0:
        raise click.ClickException(f"--capital {capital:g}: must be above 0 (in the pool's numéraire)")
    from rich.console import Console
    from rich.progress import Progress

    from keeper.backtest import report
    from keeper.backtest.allocation_run import allocation_html, print_allocation, run_allocation
    from keeper.backtest.fee_check import fee_attribution, has_swaps
    from keeper.backtest.measures import VaultFees
    from keeper.backtest.runner import DEFAULT_CAPITAL_SHARE, main_series, run_many
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
    vault = VaultFees()
    reports = []
    allocation = None
    with Progress(disable=as_json, transient=True) as bar:
        tasks = {s.name: bar.add_task(s.name, total=None) for s in series}
        reports = run_many(series, done=lambda name: bar.update(tasks[name], description=f"{name}: done"),
                           capital_share=capital_share or DEFAULT_CAPITAL_SHARE, capital=capital, vault=vault,
                           sweep=not no_sweep)
        if pool is None and market.lending:
            try:
                allocation = run_allocation(market, vault)
            except ValueError as exc:  # the sources do not overlap: say so, the per-pool results stand
                Console(stderr=True).print(f"allocation across sources skipped: {exc}")
    checks = {}
    for r in reports:  # where the data ships every swap: the engine's fee attribution against the exact one
        folder = market.root / "uniswap-v3" / r.pool.split(" ")[0]
        if has_swaps(folder):
            try:
                checks[r.pool] = fee_attribution(r.series, folder, r.capital)
            except DataError as exc:
                raise click.ClickException(str(exc)) from exc
    extra = "".join(report.fee_check_html(pool, rows) for pool, rows in checks.items())
    page = report.write(reports, vault, Path(out), extra + (allocation_html(allocation) if allocation else ""))
    if as_json:
        body = report.as_json(reports, vault) | {"data_gaps": gaps, "fee_attribution": checks}
        if allocation:
            body["allocation"] = allocation.as_json()
        click.echo(json.dumps(body, indent=2))
        return
    # The tables are wide: never squeeze them below a readable width, even when piped.
    console = Console(width=max(Console().width, 200))
    report.print_report(reports, vault, console)
    for pool, rows in checks.items():
        console.print(report.fee_check_table(pool, rows))
    if allocation:
        print_allocation(allocation, console)
    console.print(f"plots and report: {page}")
