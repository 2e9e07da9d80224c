"""`alp demo`: the main job on a local anvil it starts and stops itself (Ctrl-C included).

Default: real history replayed onto a local Uniswap V3 market, the ALP keeper managing one vault through it, a
static control vault beside it, and the dashboard live while it runs. `--tour`: the short guided vault tour.
"""

from __future__ import annotations

import json
import os
import time

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from keeper.config import user_data_dir

LOCAL_NETWORK = "ethereum:local:foundry"
# One store per run: two demos at once (a person and a test, say) must not delete each other's records.
# It lives in the user's data folder, never in whatever folder the shell is in.
DEMO_STORE = user_data_dir() / f"demo-{os.getpid()}.sqlite"
DASHBOARD_EVERY_HOURS = 6


@click.command()
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366),
              help="Days of real hourly history to replay.")
@click.option("--profile", default="balanced", show_default=True,
              type=click.Choice(["stable_income", "balanced", "aggressive", "diversified"]))
@click.option("--pools", default="0.05,0.3", show_default=True,
              help="Fee tiers (%) of the WETH/USDC pools the vaults hold ranges in, comma-separated, among 0.05, 0.3 "
                   "and 1; the first also holds the control's range.")
@click.option("--data", default=None, help="Data folder laid out like the repository's data/ (default: that folder).")
@click.option("--dashboard/--no-dashboard", default=True, help="Serve the dashboard while the demo runs.")
@click.option("--port", default=8765, show_default=True, help="Dashboard port (0: any free port).")
@click.option("--keep-running", is_flag=True, help="Leave chain, keeper and dashboard up until Ctrl-C.")
@click.option("--tour", is_flag=True, help="Run the short guided vault tour instead (deposit → withdraw).")
@click.option("--json", "as_json", is_flag=True, help="Print the final comparison as JSON.")
def demo(days, profile, pools, data, dashboard, port, keep_running, tour, as_json) -> None:
    """Replay real market history with the ALP keeper against a static control, and print the comparison."""
    fees = _fee_tiers(pools)
    if dashboard and not tour:
        from keeper.dashboard.server import require_free_port

        require_free_port("127.0.0.1", port)
    from ape.logging import logger

    from keeper.connect import connected
    from keeper.interrupts import on_interrupt

    logger.set_level("ERROR")
    if not tour:
        # A month of replay sends thousands of swaps; anvil's step traces of them (which ape-foundry turns on and
        # nothing here reads) would exhaust memory: tools/setup.sh's anvil wrapper drops them on this signal.
        os.environ.setdefault("ALP_ANVIL_STEPS_TRACING", "0")
    console = Console(quiet=as_json)
    console.print(f"Starting a local anvil ({LOCAL_NETWORK}); it stops when the demo ends or on Ctrl-C.")
    with on_interrupt(lambda: console.print("interrupted: local chain and dashboard stopped")):
        with connected(LOCAL_NETWORK):
            if tour:
                _tour(console, as_json)
                return
            _replay_demo(console, days, profile, fees, data, dashboard, port, keep_running, as_json)
    console.print("Local chain stopped. Done.")


def _tour(console: Console, as_json: bool) -> None:
    from keeper.demo.vault_tour import Step, run_tour

    def say(step: Step) -> None:
        table = Table(title=step.title, show_header=False, title_justify="left")
        table.add_column(style="bold")
        table.add_column()
        for key, value in step.facts.items():
            table.add_row(key, value)
        console.print(table)

    final = run_tour(say)
    if as_json:
        click.echo(json.dumps(final, indent=2))


def _fee_tiers(pools: str) -> tuple[int, ...]:
    from keeper.demo.replay_demo import FEE_TIERS

    names = [p.strip().rstrip("%") for p in pools.split(",") if p.strip()]
    unknown = [n for n in names if n not in FEE_TIERS]
    if unknown or not names or len(set(names)) != len(names):
        raise click.BadParameter(f"{pools!r}: give distinct fee tiers among {', '.join(FEE_TIERS)} (e.g. 0.05,0.3)",
                                 param_hint="--pools")
    return tuple(FEE_TIERS[n] for n in names)


def _replay_demo(console, days, profile, fees, data, dashboard, port, keep_running, as_json) -> None:
    from keeper.dashboard.chain_feed import ChainFeed, WatchedVault
    from keeper.dashboard.depositor_api import DepositorApi
    from keeper.dashboard.ranges import RangeTracks
    from keeper.dashboard.snapshot import ReplayClock
    from keeper.dashboard.server import DashboardServer
    from keeper.dashboard.keeper_feed import last_cycle_from_store, risk_from_store, unsent_from_store
    from keeper.demo.replay_demo import earnings, run_demo

    state: dict = {}

    def ready(world: dict) -> None:
        store = world["keeper"].store
        labels = lambda side: {s.address: label for label, s in side.strategies.items()}  # noqa: E731
        pools = {k: s for k, s in world["alp"].strategies.items() if k.startswith("WETH/USDC")}
        ranges = RangeTracks(pools, {k: k + " pool" for k in pools})
        sides = {world[k].vault.address: world[k] for k in ("alp", "control")}
        feed = ChainFeed(WatchedVault(world["alp"].vault, "ALP vault", labels(world["alp"])),
                         control=WatchedVault(world["control"].vault, "static control", labels(world["control"])),
                         chain_name="local anvil (replay)", decision_reasons=store.reasons_for_transaction,
                         keeper_interval=6 * 3_600, ranges=ranges, risk=risk_from_store(store, labels(world["alp"])),
                         unsent=unsent_from_store(store), last_cycle=last_cycle_from_store(store),
                         earnings=lambda address: earnings(sides[address], world["deposited"]),
                         replay=ReplayClock(series=world["series"], offset=world["replay_offset"]))
        feed.refresh()
        state["feed"] = feed
        if dashboard:
            depositor = DepositorApi(world["alp"].vault, control=world["control"].vault, labels=labels(world["alp"]),
                                     chain_name="local anvil (replay)", replay_offset=world["replay_offset"],
                                     replay_series=world["series"])
            server = DashboardServer(feed.snapshot, port=port, depositor=depositor).start()
            state["server"] = server
            console.print(f"dashboard: {server.url} · depositors: {server.url}depositor")

    with Progress(TextColumn("replaying"), BarColumn(), TextColumn("{task.completed}/{task.total} h"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("replay", total=days * 24)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            if "feed" in state and done % DASHBOARD_EVERY_HOURS == 0:
                state["feed"].refresh()

        try:
            result = run_demo(days, profile, store=DEMO_STORE, say=lambda m: bar.console.print(m),
                              progress=progress, on_ready=ready, data=data, pools=fees)
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from None
        except ValueError as exc:  # e.g. more days asked than the history holds in one stretch
            raise click.ClickException(f"{exc}: choose fewer --days or another --data folder") from None
    if "feed" in state:
        state["feed"].refresh()
    try:
        if as_json:
            click.echo(json.dumps({"days": result.days, "alp": result.alp, "control": result.control,
                                   "rebalances": result.rebalances, "withdrawals": result.withdrawals,
                                   "cycles": result.cycles,
                                   "seconds": round(result.seconds, 1)}, indent=2))
        else:
            _print_comparison(console, result)
        if keep_running:
            console.print("keeping chain and dashboard up; Ctrl-C to stop")
            while True:
                time.sleep(1)
    finally:
        if "server" in state:
            state["server"].stop()


def _print_comparison(console: Console, result) -> None:
    table = Table(title=f"After {result.days} days of real history ({result.seconds:.0f} s)")
    table.add_column("")
    table.add_column("ALP vault (keeper)", justify="right")
    table.add_column("static control", justify="right")
    rows = [("vault value (USDC)", "vault_value", "{:,.2f}"), ("share price", "share_price", "{:.6f}"),
            ("profit incl. locked (USDC)", "profit", "{:+,.2f}"), ("pool fees collected (USDC)", "pool_fees_collected", "{:,.2f}"),
            ("lending interest (USDC)", "lending_interest", "{:,.2f}"),
            ("impermanent loss, swaps, inventory (USDC)", "price_effect", "{:+,.2f}"),
            ("gas paid (ETH)", "gas_paid_eth", "{:.5f}"), ("gas paid (USD)", "gas_paid_usd", "{:,.2f}")]
    for label, key, fmt in rows:
        table.add_row(label, fmt.format(result.alp[key]), fmt.format(result.control[key]))
    for name in result.alp["allocation"]:
        table.add_row(f"allocation: {name}", f"{result.alp['allocation'][name]:,.0f}",
                      f"{result.control['allocation'].get(name, 0):,.0f}")
    exits = list(result.withdrawals.values())
    if len(exits) == 2:
        from keeper.demo.replay_demo import DEPOSITS

        table.add_row(f"alice redeems all (deposited {DEPOSITS['alice']:,})", exits[0], exits[1])
    console.print(table)
    console.print(f"keeper cycles: {sum(result.cycles.values())} ("
                  + ", ".join(f"{n} {state}" for state, n in sorted(result.cycles.items())) + ")")
    console.print(f"keeper moves ({len(result.rebalances)}):")
    for move in result.rebalances:
        console.print(f"  {move['kind']} {move['id']}: {move['reason']}")
