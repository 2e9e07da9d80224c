"""The walk-forward comparison as tables, JSON, PNG plots and one HTML page.

Every figure is out of sample (reporting windows only) unless its label says otherwise.
"""

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

from keeper.backtest.aggregate import bound_violations, by_name, cost_check, strategies, summary  # noqa: E402
from keeper.backtest.measures import VaultFees  # noqa: E402
from keeper.backtest.policies import label  # noqa: E402
from keeper.backtest.runner import WIDTH_SCALES, SeriesReport  # noqa: E402
from keeper.forecast.selection import CHOSEN  # noqa: E402

BOUND = "upper bound (perfect foresight)"


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


def _pct(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:+.{digits}%}"


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.4g}"


def header(report: SeriesReport, vault: VaultFees) -> str:
    w = report.windows
    train = (w[0].window.train[1] - w[0].window.train[0]) // 24
    test = (w[0].window.test[1] - w[0].window.test[0])
    test_text = f"{test // 24} d" if test >= 24 else f"{test} h"
    return (f"capital {report.capital:,.4g} {report.numeraire} = {report.capital_share:.2%} of the pool's active "
            f"liquidity within +-2 % (median over the first training window); {len(w)} reporting windows of "
            f"{test_text} after {train} d of training each, {_day(w[0].times[0])} → {_day(w[-1].times[1])}; decisions "
            f"every {report.cadence} h; gas: {report.gas_source}; {report.native_source}; vault fees "
            f"{vault.management:.0%}/yr management, {vault.performance:.0%} performance (settled per window); "
            f"keeper width scale tuned at an end of its grid {edge_hits(report)}/{len(w)} windows")


def edge_hits(report: SeriesReport) -> int:
    """Windows whose tuned width scale is the grid's smallest or largest: the grid may be too narrow there."""
    return sum(w.width_scale in (WIDTH_SCALES[0], WIDTH_SCALES[-1]) for w in report.windows)


def summary_table(report: SeriesReport, vault: VaultFees) -> Table:
    table = Table(title=f"{report.pool} — walk-forward, out of sample (every reporting window chained)",
                  caption=header(report, vault), caption_justify="left")
    for c in ("strategy", "net return", "APR", "share of bound", "mean window", "worst window", "beat 50/50",
              "fees", "IL vs hold", "gas", "pool fee", "impact", "moves", "max DD", "Sharpe"):
        table.add_column(c, justify="left" if c == "strategy" else "right")
    n = len(report.windows)
    for name, s in summary(report).items():
        style = "bold green" if s["kind"] == "alp" else ("italic" if s["kind"] == "bound" else None)
        table.add_row(name, _pct(s["net_return"]), _pct(s["apr"], 1),
                      "n/a" if s["share_of_bound"] is None else f"{s['share_of_bound']:.1%}",
                      _pct(s["mean_window"]), _pct(s["worst_window"]), f"{s['windows_beating_50_50']}/{n}",
                      _num(s["fees"]), _num(s["impermanent_loss"]), _num(s["gas"]), _num(s["pool_fee"]),
                      _num(s["impact"]), str(s["moves"]), f"{s['max_drawdown']:.2%}", f"{s['sharpe']:.2f}",
                      style=style)
    return table


def window_table(report: SeriesReport) -> Table:
    cols = ["hold 50/50", "static full range", "best static ex ante", "ALP keeper (balanced)", BOUND]
    table = Table(title=f"{report.pool} — each reporting window (net return)")
    for c in ["reported", "chosen in training"] + cols:
        table.add_column(c, justify="left" if c in ("reported", "chosen in training") else "right")
    series = {c: by_name(report, c) for c in cols}
    for k, w in enumerate(report.windows):
        table.add_row(f"{_day(w.times[0])} → {_day(w.times[1])}",
                      f"static {label(w.best_static)}, keeper width x{w.width_scale}",
                      *[_pct(series[c][k].curve[-1] / report.capital - 1) for c in cols])
    return table


def sweep_table(report: SeriesReport) -> Table:
    shares = sorted(next(iter(report.sweep.values())).keys())
    table = Table(title=f"{report.pool} — size sweep: chained net return by capital as a share of the +-2 % depth")
    table.add_column("strategy")
    for s in shares:
        table.add_column(f"{s:.1%}", justify="right")
    for name, by_share in report.sweep.items():
        table.add_row(name, *[_pct(by_share[s]) for s in shares])
    return table


def forecast_table(report: SeriesReport) -> Table:
    """Each forecaster's out-of-sample error on this pool (root mean square of log(forecast / realised) over the
    horizon, on the reporting windows it could be fitted for) and how often the walk-forward chose it."""
    f = report.forecasts
    table = Table(title=f"{report.pool} — forecast error, out of sample ({f.horizon} h ahead; RMSE of log "
                        "forecast / realised)")
    for c in ("model", "windows fitted", "rows scored", "volatility", "fee APR", "chosen for vol", "chosen for fee"):
        table.add_column(c, justify="left" if c == "model" else "right")
    for row in f.table():
        table.add_row(row["model"], str(row["windows"]), str(row["rows"]),
                      *["n/a" if not np.isfinite(row[k]) else f"{row[k]:.3f}" for k in ("vol_rmse", "fee_rmse")],
                      *(["—", "—"] if row["model"] == CHOSEN else [str(row["chosen_vol"]), str(row["chosen_fee"])]))
    return table


def cost_table(reports: list[SeriesReport]) -> Table:
    """Per series and over the whole run: each part of the move costs as the deciding strategy expected it (from the
    hour before, by the cost model) against what the engine charged, as sums of each move's cost over the wealth
    it moved."""
    table = Table(title="Move costs: expected by the deciding strategy vs charged by the engine (sum over moves of "
                        "cost / wealth moved)")
    for c in ("series", "moves", "gas exp.", "gas charged", "pool fee exp.", "pool fee charged", "impact exp.",
              "impact charged", "total difference"):
        table.add_column(c, justify="left" if c == "series" else "right")
    for name, group in [(r.pool, [r]) for r in reports] + [("whole run", reports)]:
        c = cost_check(group)
        table.add_row(name, str(c["moves"]["count"]), *[f"{c[p][k]:.4g}" for p in ("gas", "pool_fee", "impact")
                                                       for k in ("expected", "charged")], _pct(c["total"]["difference"]))
    return table


def fee_check_table(pool: str, rows: list[dict]) -> Table:
    table = Table(title=f"{pool} — fees credited by the engine (hourly) vs exactly, swap by swap, over "
                        f"{rows[0]['windows']} reporting windows (costs off, same liquidity)")
    for c in ("range", "engine", "exact per swap", "difference", "worst window"):
        table.add_column(c, justify="left" if c == "range" else "right")
    for r in rows:
        table.add_row(r["range"], f"{r['engine_fees']:,.6g}", f"{r['exact_fees']:,.6g}", _pct(r["difference"]),
                      f"{r['worst_window']:.2%}")
    return table


def fee_check_html(pool: str, rows: list[dict]) -> str:
    console = Console(record=True, width=200, file=io.StringIO())
    console.print(fee_check_table(pool, rows))
    return f"<h2>Fee attribution check: {html.escape(pool)}</h2><pre>{html.escape(console.export_text())}</pre>"


def print_report(reports: list[SeriesReport], vault: VaultFees, console: Console | None = None) -> None:
    console = console or Console()
    for r in reports:
        console.print(summary_table(r, vault))
        console.print(window_table(r))
        if r.sweep:
            console.print(sweep_table(r))
        console.print(forecast_table(r))
        broken = bound_violations(r)
        console.print(f"{r.pool}: the bound is at or above every strategy on every window"
                      if not broken else f"[red]{r.pool}: {len(broken)} strategy-window(s) above the bound: {broken[:3]}")
    if reports:
        console.print(cost_table(reports))


def as_json(reports: list[SeriesReport], vault: VaultFees) -> dict:
    return {
        "vault_fees": vault.model_dump(),
        "cost_check": cost_check(reports),
        "cost_check_by_series": {r.pool: cost_check([r]) for r in reports},
        "series": [{
            "pool": r.pool, "numeraire": r.numeraire, "capital": r.capital, "capital_share_of_depth": r.capital_share,
            "decision_hours": r.cadence, "gas": r.gas_source, "native_token_price": r.native_source,
            "summary": summary(r), "width_scale_grid": list(WIDTH_SCALES), "width_scale_edge_hits": edge_hits(r),
            "windows": [{
                "train": {"start": _day(int(r.series.times[w.window.train[0]])),
                          "end": _day(int(r.series.times[w.window.train[1] - 1]))},
                "test": {"start": _day(w.times[0]), "end": _day(w.times[1])},
                "best_static_ex_ante": label(w.best_static), "keeper_width_scale": w.width_scale,
                "bound_path": w.bound_path,
                "strategies": {row.strategy: row.figures(r.capital) for row in w.rows},
            } for w in r.windows],
            "bound_violations": bound_violations(r),
            "forecasts": {"horizon_hours": r.forecasts.horizon,
                          "models": [{k: (v if not isinstance(v, float) or np.isfinite(v) else None)
                                      for k, v in row.items()} for row in r.forecasts.table()],
                          "chosen_by_window": [list(t.models) for t in r.forecasts.tracks]},
            "size_sweep": {name: {f"{s:g}": v for s, v in d.items()} for name, d in r.sweep.items()},
        } for r in reports],
    }


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def plots(report: SeriesReport) -> dict[str, bytes]:
    """The chained equity of every strategy over the reporting windows, and the keeper's range against the price."""
    fig, ax = plt.subplots(figsize=(11, 5.5))
    ax.set_prop_cycle(color=plt.cm.tab20.colors)  # twenty distinct colours: one per strategy
    for name, kind in strategies(report):
        rows = by_name(report, name)
        level, parts = 1.0, []
        for r in rows:
            parts.append(level * r.curve / report.capital)
            level = parts[-1][-1]
        curve = np.concatenate(parts)
        ax.plot(np.arange(len(curve)) / 24, curve, label=name,
                linewidth=2.2 if kind == "alp" else 0.9, linestyle="--" if kind == "bound" else "-")
    ax.set(title=f"{report.pool}: value per unit of capital, reporting windows chained", xlabel="days reported",
           ylabel="value", yscale="log")
    ax.legend(fontsize=6, ncol=3)
    equity = _png(fig)
    series = report.series
    fig, ax = plt.subplots(figsize=(11, 4))
    other = (0.0, 10**series.decimals1) if series.numeraire_is_token0 else (10**series.decimals0, 0.0)
    for k, w in enumerate(report.windows):
        a, b = w.window.test
        hours = np.arange(a, b) / 24
        price = series.value_at(*other, series.close_tick[a:b])
        keeper = next(r for r in w.rows if r.strategy == "ALP keeper (balanced)")
        lo, hi = series.value_at(*other, keeper.lower), series.value_at(*other, keeper.upper)
        ax.plot(hours, price, color="black", linewidth=0.8, label="price" if k == 0 else None)
        ax.fill_between(hours, np.fmin(lo, hi), np.fmax(lo, hi), alpha=0.3, color="tab:green",
                        label="ALP keeper (balanced) range" if k == 0 else None)
    ax.set(title="The balanced keeper's range against the price, reporting windows (gaps: out of the pool)",
           xlabel="days from the series' start", ylabel=f"price in {report.numeraire}")
    ax.set_ylim(*np.nanpercentile(series.value_at(*other, series.close_tick), [0.5, 99.5]) * np.array([0.9, 1.1]))
    ax.legend(fontsize=8)
    return {"equity": equity, "ranges": _png(fig)}


def write(reports: list[SeriesReport], vault: VaultFees, out: Path, extra_html: str = "") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    sections = []
    for report in reports:
        images = plots(report)
        slug = report.pool.replace("/", "+").replace(" ", "_")
        for name, data in images.items():
            (out / f"{slug}-{name}.png").write_bytes(data)
        console = Console(record=True, width=200, file=io.StringIO())  # recorded for the page, not printed
        print_report([report], vault, console)
        sections.append(f"<h2>{html.escape(report.pool)}</h2><pre>{html.escape(console.export_text())}</pre>"
                        + "".join(f'<img alt="{n}" style="max-width:100%" src="data:image/png;base64,'
                                  f'{base64.b64encode(d).decode()}">' for n, d in images.items()))
    console = Console(record=True, width=200, file=io.StringIO())
    if reports:
        console.print(cost_table(reports))
    page = out / "report.html"
    page.write_text("<!doctype html><meta charset=utf-8><title>ALP backtest</title>"
                    "<body style='font-family:system-ui;max-width:1300px;margin:auto'>"
                    "<h1>ALP backtest on real history: walk-forward, out of sample</h1>" + "".join(sections)
                    + f"<pre>{html.escape(console.export_text())}</pre>" + extra_html + "</body>")
    (out / "report.json").write_text(json.dumps(as_json(reports, vault), indent=2))
    return page
