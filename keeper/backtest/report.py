"""The comparison as a table, JSON, PNG plots and one HTML page."""

from __future__ import annotations

import base64
import html
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from keeper.backtest.runner import PoolReport  # noqa: E402

COLUMNS = ("net return", "APR", "fees", "IL vs hold", "gas", "swaps", "rebalances", "max drawdown", "Sharpe")


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M")


def period_text(report: PoolReport) -> str:
    if report.in_sample[0] == report.in_sample[1]:
        return (f"whole window {_day(report.held_out[0])} → {_day(report.held_out[1])} reported; nothing tuned on it "
                "(allocation rules fixed in advance, profiles as shipped)")
    return (f"in-sample (tuning) {_day(report.in_sample[0])} → {_day(report.in_sample[1])}; "
            f"held out (reported) {_day(report.held_out[0])} → {_day(report.held_out[1])}")


def print_table(report: PoolReport, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title=f"{report.pool} — held-out period, capital {report.capital:,.2f} {report.numeraire}",
                  caption=period_text(report) + f"; ALP width scale tuned in-sample = {report.width_scale}")
    table.add_column("strategy")
    for c in COLUMNS:
        table.add_column(c, justify="right")
    for r in report.rows:
        style = "bold green" if r.kind == "alp" else ("italic" if r.kind == "hindsight" else None)
        table.add_row(r.strategy, f"{r.net_return:+.2%}", "n/a (< 30 d)" if r.apr is None else f"{r.apr:+.1%}", f"{r.fees:,.4g}", f"{r.impermanent_loss:,.4g}",
                      f"{r.gas:,.4g}", f"{r.swap_costs:,.4g}", str(r.rebalances), f"{r.max_drawdown:.2%}",
                      f"{r.sharpe:.2f}", style=style)
    console.print(table)


def verdict(report: PoolReport) -> dict:
    """ALP (best profile) against the best static baseline and the hindsight bound, stated whichever way it goes."""
    alp = max((r for r in report.rows if r.kind == "alp"), key=lambda r: r.net_return)
    static = max((r for r in report.rows if r.kind == "baseline"), key=lambda r: r.net_return)
    hindsight = next(r for r in report.rows if r.kind == "hindsight")
    fraction = alp.net_return / hindsight.net_return if hindsight.net_return > 0 else None
    return {"alp": alp.strategy, "alp_net_return": alp.net_return, "best_baseline": static.strategy,
            "best_baseline_net_return": static.net_return, "alp_minus_best_baseline": alp.net_return - static.net_return,
            "hindsight": hindsight.strategy, "hindsight_net_return": hindsight.net_return,
            "alp_fraction_of_hindsight": fraction}


def as_json(reports: list[PoolReport]) -> dict:
    return {"pools": [{
        "pool": r.pool, "numeraire": r.numeraire, "capital": r.capital,
        "in_sample": {"start": _day(r.in_sample[0]), "end": _day(r.in_sample[1])},
        "held_out": {"start": _day(r.held_out[0]), "end": _day(r.held_out[1])},
        "width_scale_tuned_in_sample": r.width_scale,
        "strategies": {row.strategy: {k: row.public()[k] for k in (
            "kind", "net_return", "apr", "fees", "impermanent_loss", "gas", "swap_costs", "rebalances",
            "max_drawdown", "sharpe")} for row in r.rows},
        "verdict": verdict(r),
    } for r in reports]}


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def plots(report: PoolReport) -> dict[str, bytes]:
    hours = (report.times - report.times[0]) / 3_600
    fig, ax = plt.subplots(figsize=(10, 5))
    for r in report.rows:
        if r.kind == "candidate":
            continue
        ax.plot(hours, r.curve / report.capital, label=r.strategy,
                linewidth=2.4 if r.kind == "alp" else 1.0, linestyle="--" if r.kind == "hindsight" else "-")
    ax.set(title=f"{report.pool}: value per unit of capital (held-out period)", xlabel="hours", ylabel="value")
    ax.legend(fontsize=7, ncol=2)
    equity = _png(fig)
    alp = max((r for r in report.rows if r.kind == "alp"), key=lambda r: r.net_return)
    if report.weights is not None:
        fig, ax = plt.subplots(figsize=(10, 4))
        ax.stackplot(hours, report.weights[alp.strategy].T, labels=report.source_names)
        ax.set(title=f"Allocation over time: {alp.strategy}", xlabel="hours", ylabel="weight", ylim=(0, 1))
        ax.legend(fontsize=7, loc="upper left")
        return {"equity": equity, "allocation": _png(fig)}
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(hours, report.price, color="black", linewidth=1, label="price")
    ax.fill_between(hours, alp.lower, alp.upper, alpha=0.3, label=f"{alp.strategy} range")
    ax.set(title="Allocation over time: the ALP keeper's range against the price (gaps: out of the pool)",
           xlabel="hours", ylabel="price")
    ax.legend(fontsize=8)
    return {"equity": equity, "allocation": _png(fig)}


def write(reports: list[PoolReport], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    sections = []
    for report in reports:
        images = plots(report)
        slug = report.pool.replace("/", "+").replace(" ", "_")
        for name, data in images.items():
            (out / f"{slug}-{name}.png").write_bytes(data)
        console = Console(record=True, width=160, file=io.StringIO())  # recorded for the page, not printed
        print_table(report, console)
        table_html = console.export_text()
        sections.append(
            f"<h2>{html.escape(report.pool)}</h2><p>{html.escape(period_text(report))}</p>"
            f"<pre>{html.escape(table_html)}</pre>"
            f"<pre>{html.escape(json.dumps(verdict(report), indent=2))}</pre>"
            + "".join(f'<img alt="{n}" style="max-width:100%" src="data:image/png;base64,'
                      f'{base64.b64encode(d).decode()}">' for n, d in images.items())
        )
    page = out / "report.html"
    page.write_text("<!doctype html><meta charset=utf-8><title>ALP backtest</title>"
                    "<body style='font-family:system-ui;max-width:1100px;margin:auto'>"
                    "<h1>ALP backtest on real history</h1>" + "".join(sections) + "</body>")
    (out / "report.json").write_text(json.dumps(as_json(reports), indent=2))
    return page
