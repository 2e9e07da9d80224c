"""Replays 30 days of real hourly USDC/WETH history onto the local Uniswap V3 pool and times it."""

from __future__ import annotations

from bench import _report
from bench._chain import local_chain

NAME = "replay"
DAYS = 30


def run() -> None:
    from ape import accounts

    from keeper.localnet.replay import full_range_fee_fraction, recorded_fee_fraction
    from keeper.localnet.session import hourly_series, replayed_market

    series = hourly_series(DAYS)
    with local_chain(step_traces=False):
        people = accounts.test_accounts
        replayed = replayed_market(people[0], people[1], people[2], series)
        result = replayed.report
        local_fees = full_range_fee_fraction(replayed.market.pool("WETH", "USDC", 500))
    errors = [abs(s.reached_tick - s.target_tick) for s in result.steps]
    summary = {
        "series": result.series, "pool": result.pool, "days": DAYS, "steps": len(result.steps),
        "seconds": round(result.seconds, 2), "swaps": result.swaps,
        "max_tick_error": max(errors), "mean_tick_error": round(sum(errors) / len(errors), 3),
        "volume_ratio": round(result.volume_ratio, 4),
        # What an LP earns per unit of liquidity, local over real: 1.0 is a faithful replay.
        "fees_per_liquidity_ratio": round(local_fees / recorded_fee_fraction(series), 4),
    }
    _report.write(NAME, summary)
    _report.table(f"Replay of {DAYS} days of hourly history onto the local pool",
                  ["measure", "value"], [[k, v] for k, v in summary.items()])
