"""Allocation across several sources at once: Uniswap V3 pools (each run by the ALP range policy) and lending
markets, valued in USD, over the window where every source has data.

Each source becomes an hourly return series per unit of capital; an allocation policy chooses weights at decision
times from the past only, and pays for every change by the cost model (`keeper.optimize.costs`): gas per leg in
each source's chain's native token, and the swap of the moved share's volatile part through the USDC/WETH pool at
that hour (pool fee and impact). The hindsight bound puts everything, each hour, in the source that did best that
hour: the physical limit of the data. Nothing is tuned on this window: the rules are fixed in advance, so the
whole window is reported (it is four days long: too short to split).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from keeper.backtest.chains import chain
from keeper.backtest.engine import simulate
from keeper.backtest.measures import VaultFees, after_vault_fees, metrics
from keeper.backtest.policies import AlpKeeper
from keeper.backtest.runner import DEFAULT_CAPITAL_SHARE, capital_for
from keeper.backtest.series import STABLE, PoolSeries
from keeper.market.history import HOUR, MarketData, resample, resample_rate
from keeper.optimize.allocation import Opportunity, allocate
from keeper.optimize.costs import REBALANCE_GAS, GWEI, swap_cost
from keeper.optimize.ranges import HORIZON_YEARS
from keeper.risk.profiles import PROFILES, RiskProfile
from keeper.risk.reputation import reputation

DECISION_EVERY = 6  # hours
LOOKBACK = 24  # hours of realised returns behind each estimate
CAPITAL_USD = 100_000  # stated, not derived: the sources' pools differ in depth by orders of magnitude


@dataclass
class Source:
    name: str
    returns: np.ndarray  # per-hour, USD
    tokens: list[str]
    protocol: str
    chain: str
    swapped_share: float  # share of a moved amount that must be swapped through a pool to enter or leave


@dataclass
class AllocRow:
    strategy: str
    kind: str
    curve: np.ndarray = field(repr=False)
    costs: float
    moves: int
    weights: np.ndarray = field(repr=False)

    def figures(self, capital: float) -> dict:
        return {"kind": self.kind, **metrics(self.curve, capital), "costs": self.costs, "moves": self.moves}


@dataclass
class AllocationReport:
    sources: list[Source]
    times: np.ndarray
    rows: list[AllocRow]
    capital: float = CAPITAL_USD

    def as_json(self) -> dict:
        return {"sources": [s.name for s in self.sources], "capital_usd": self.capital,
                "window": {"start": int(self.times[0]), "end": int(self.times[-1])},
                "labelled": "whole window, nothing tuned on it",
                "strategies": {r.strategy: r.figures(self.capital) for r in self.rows}}


def _usd_per_weth(pool: PoolSeries, times: np.ndarray) -> np.ndarray:
    index = np.clip(np.searchsorted(pool.times, times, side="right") - 1, 0, len(pool) - 1)
    weth = (0.0, 10**pool.decimals1) if pool.symbols[1] == "WETH" else (10**pool.decimals0, 0.0)
    return pool.value_at(*weth, pool.close_tick[index])


def sources(data: MarketData) -> tuple[np.ndarray, list[Source], PoolSeries, np.ndarray]:
    """Aligned hourly returns of every source over the common window, in USD; the USDC/WETH pool swaps go
    through, and the USD price of WETH."""
    # The window the sources share: pools have several stretches; take the one holding the lending markets' end
    # (without lending, the pools' earliest end). A pool with no stretch there (other years) is left out.
    lending_ends = [int(r.timestamps[-1]) for r in data.lending.values()]
    anchor = min(lending_ends or [max(e for _, e in h.segments()) for h in data.pools.values()])
    pools = {}
    for name, history in data.pools.items():
        stretch = [seg for seg in history.segments() if seg[0] <= anchor < seg[1] + HOUR]
        if stretch:
            pools[name] = (history, *stretch[0])
    starts = [s for _, s, _ in pools.values()] + [int(r.timestamps[0]) for r in data.lending.values()]
    ends = [e for _, _, e in pools.values()] + [int(r.timestamps[-1]) for r in data.lending.values()]
    start, end = -(-max(starts) // HOUR) * HOUR, min(ends) // HOUR * HOUR
    if end - start < 2 * LOOKBACK * HOUR:
        raise ValueError("the sources overlap for less than two days: nothing to allocate across")
    times = np.arange(start, end, HOUR, dtype=np.int64)
    series = {name: PoolSeries.from_history(resample(h.window(start, end)), data.gas) for name, (h, _, _) in pools.items()}
    dollar = next((s for s in series.values() if set(s.symbols) == {"USDC", "WETH"}), None)
    if dollar is None:
        raise ValueError("no USDC/WETH pool in the window: nothing prices the sources in USD")
    usd_weth = _usd_per_weth(dollar, times)
    out: list[Source] = []
    for name, s in series.items():
        s = s.window(start, end)
        capital = capital_for(s, DEFAULT_CAPITAL_SHARE, (0, len(s)))
        # The range's alternative is the vault's lending market in the pool's numéraire on its chain, if any.
        lending = data.lending.get(f"{s.chain}-{s.numeraire.lower()}")
        alternative = resample_rate(lending, s.times) if lending is not None else None
        values = simulate(s, AlpKeeper(PROFILES["balanced"], alternative=alternative), capital,
                          cadence=DECISION_EVERY).values
        returns = np.diff(np.concatenate([[capital], values])) / np.concatenate([[capital], values[:-1]])
        if s.numeraire not in STABLE:
            returns = (1 + returns) * np.r_[1.0, usd_weth[1:] / usd_weth[:-1]][: len(returns)] - 1
        out.append(Source(f"Uniswap {name}", returns[: len(times)], list(s.symbols), "uniswap-v3", s.chain, 0.5))
    for name, rate in data.lending.items():
        apr = resample_rate(rate, times)
        returns = apr / (24 * 365)
        asset = name.split("-")[-1].upper()
        if asset == "WETH":
            returns = (1 + returns) * np.r_[1.0, usd_weth[1:] / usd_weth[:-1]] - 1
        out.append(Source(f"Aave {name}", returns, [asset], "aave-v3", name.split("-")[0],
                          0.0 if asset in STABLE else 1.0))
    return times, out, dollar.window(start, end), usd_weth


def _leg_gas_usd(src: Source, dollar: PoolSeries, usd_weth: np.ndarray) -> np.ndarray:
    net = chain(src.chain)
    gwei = dollar.gas_gwei if src.chain == dollar.chain else np.full(len(usd_weth), net.assumed_gas_gwei)
    native = usd_weth if net.native == "ETH" else np.full(len(usd_weth), net.assumed_native_usd or 0.0)
    return REBALANCE_GAS * gwei[: len(usd_weth)] * GWEI * native


def _run(weights_at, matrix: np.ndarray, capital: float, gas_usd: np.ndarray, swapped: np.ndarray,
         dollar: PoolSeries) -> tuple[np.ndarray, np.ndarray, float, int]:
    n, k = matrix.shape
    value, w = capital, np.zeros(k)
    values, history, paid, moves = np.empty(n), np.zeros((n, k)), 0.0, 0
    for i in range(n):
        target = weights_at(i, w)
        if target is not None:
            moved = np.abs(target - w)
            if moved.sum() > 1e-6:
                state = dollar.state(i)
                fee, impact = swap_cost(value * float(swapped @ moved), False, state)
                cost = float(fee + impact) + float(gas_usd[i] @ (moved > 1e-6))
                value -= cost
                paid += cost
                moves += 1
            w = target
        value *= 1 + float(w @ matrix[i])
        # Weights drift with returns until the next decision.
        grown = w * (1 + matrix[i])
        w = grown / max(grown.sum() + (1 - w.sum()), 1e-12)
        values[i], history[i] = value, w
    return values, history, paid, moves


def _hindsight_path(matrix: np.ndarray, capital: float, gas_usd: np.ndarray, swapped: np.ndarray,
                    dollar: PoolSeries) -> np.ndarray:
    """The source to be all-in on each hour that ends richest, by dynamic programming over (hour, source): exact
    because a switch's cost is below the value switched, so more value in a state never ends with less."""
    n, k = matrix.shape
    value = np.full(k, -np.inf)
    came = np.zeros((n, k), dtype=int)
    held = np.full(k, -1)  # which source each state's path started in (hour 0 enters from cash)
    for i in range(n):
        state = dollar.state(i)
        moved = np.zeros(k)
        best_value, best_from = np.empty(k), np.empty(k, dtype=int)
        for j in range(k):
            if i == 0:
                moved[:] = 0
                moved[j] = 1
                fee, impact = swap_cost(capital * float(swapped @ moved), False, state)
                best_value[j], best_from[j] = capital - float(fee + impact) - float(gas_usd[i][j]), j
                continue
            options = value.copy()
            for src in range(k):
                if src != j:
                    moved[:] = 0
                    moved[src], moved[j] = 1, 1
                    fee, impact = swap_cost(value[src] * float(swapped @ moved), False, state)
                    options[src] = value[src] - float(fee + impact) - float(gas_usd[i] @ (moved > 0))
            best_from[j] = int(np.argmax(options))
            best_value[j] = options[best_from[j]]
        value = best_value * (1 + matrix[i])
        came[i] = best_from
    path = np.empty(n, dtype=int)
    path[-1] = int(np.argmax(value))
    for i in range(n - 1, 0, -1):
        path[i - 1] = came[i][path[i]]
    return path


def run_allocation(data: MarketData, vault: VaultFees = VaultFees(), capital: float = CAPITAL_USD) -> AllocationReport:
    times, srcs, dollar, usd_weth = sources(data)
    matrix = np.column_stack([s.returns for s in srcs])
    k = len(srcs)
    gas_usd = np.column_stack([_leg_gas_usd(s, dollar, usd_weth) for s in srcs])
    swapped = np.array([s.swapped_share for s in srcs])
    rows: list[AllocRow] = []

    def add(name: str, kind: str, weights_at) -> None:
        values, history, paid, moves = _run(weights_at, matrix, capital, gas_usd, swapped, dollar)
        rows.append(AllocRow(name, kind, after_vault_fees(values, capital, vault), paid, moves, history))

    add("hold 100 % USDC", "hold", lambda i, w: None)
    add("static equal weight", "static", lambda i, w: np.full(k, 1 / k) if i == 0 else None)
    for j, s in enumerate(srcs):
        add(f"static 100 % {s.name}", "static", lambda i, w, j=j: np.eye(k)[j] if i == 0 else None)

    def keeper(profile: RiskProfile):
        scores = np.array([reputation(s.tokens, s.protocol) for s in srcs])

        def decide(i: int, w: np.ndarray):
            if i < LOOKBACK or i % DECISION_EVERY:
                return None
            past = matrix[i - LOOKBACK:i]  # rows strictly before i
            mean = past.mean(axis=0) * 24 * 365
            vol = past.std(axis=0) * math.sqrt(24 * 365)
            expected = mean - profile.il_aversion * vol**2 / 2
            ops = [Opportunity(name=s.name, expected_return=float(expected[j]),
                               cap=profile.max_weight if scores[j] >= profile.min_reputation else 0.0,
                               current=float(min(w[j], 1.0)))
                   for j, s in enumerate(srcs)]
            result = allocate(ops, min_idle=0.02, max_turnover=0.5)
            target = np.array([result.weights[s.name] for s in srcs])
            # A move is held for about the optimizer's horizon: it must pay for itself over that, with a margin.
            gain = float(expected @ target - expected @ w) * HORIZON_YEARS
            moved = np.abs(target - w)
            fee, impact = swap_cost(capital * float(swapped @ moved), False, dollar.state(i, gas_row=i - 1))
            cost = (float(fee + impact) + float(gas_usd[i - 1] @ (moved > 1e-6))) / capital
            return target if gain > 2 * cost else None
        return decide

    for prof in PROFILES.values():
        add(f"ALP keeper ({prof.name.value})", "alp", keeper(prof))
    # Hindsight: the best path of all-in holdings, switching costs charged as `_run` charges them.
    best = _hindsight_path(matrix, capital, gas_usd, swapped, dollar)
    add("hindsight-optimal (best all-in path, costs charged)", "bound", lambda i, w: np.eye(k)[best[i]])
    return AllocationReport(srcs, times, rows, capital)


def print_allocation(report: AllocationReport, console) -> None:
    from rich.table import Table

    table = Table(title="Allocation across sources, USD (whole window: nothing tuned on it, rules fixed in advance)",
                  caption=f"capital {report.capital:,.0f} USD; sources: " + ", ".join(s.name for s in report.sources))
    for c in ("strategy", "net return", "costs (USD)", "moves", "max drawdown"):
        table.add_column(c, justify="left" if c == "strategy" else "right")
    for r in report.rows:
        f = r.figures(report.capital)
        table.add_row(r.strategy, f"{f['net_return']:+.2%}", f"{r.costs:,.2f}", str(r.moves), f"{f['max_drawdown']:.2%}")
    console.print(table)


def allocation_html(report: AllocationReport) -> str:
    import html
    import io

    from rich.console import Console

    console = Console(record=True, width=160, file=io.StringIO())
    print_allocation(report, console)
    return f"<h2>Allocation across sources</h2><pre>{html.escape(console.export_text())}</pre>"
