"""Simulates one strategy on one pool, hour by hour, with exact concentrated-liquidity maths and one cost model.

A run covers rows [start, end) of a series; the strategy may read every row before the one it decides at, so a
reporting window warms up on the training window before it. Decisions come every `cadence` rows (the live
keeper's cycle); a move is executed at the open of its row and charged by `keeper.optimize.costs` at that
moment's pool state and gas price: gas in the chain's native token, the pool fee on the swapped share, and the
swap's impact by the pool's maths over its active liquidity. A move whose cost would exceed the wealth moved is
not made. Fees accrue as numéraire and are reinvested at the next move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np

from keeper.backtest.holdings import CASH, Holding, Path, Range, gas_units, share0, share0_of_path, value_path
from keeper.backtest.series import PastView, PoolSeries
from keeper.optimize.costs import NO_COST, MoveCost, MoveContext, move_cost

# Hours between decisions. Every strategy decides on this grid, and so does the perfect-foresight bound: what it
# searches is exactly what they could have done. Daily, as a keeper that re-ranges at most once a day would.
DECISION_HOURS = 24


@dataclass(frozen=True)
class Decision:
    target: Holding
    expected: MoveCost  # what the strategy expected the move to cost when it chose it


@dataclass
class Position:
    """What a strategy knows of its own holding when it decides."""

    holding: Holding
    wealth: float  # value at the open of the decision row, fees included
    view: PastView
    entered: int | None  # row the holding was entered at (None: never moved)
    token0_share: Callable[[], float] = field(repr=False, default=lambda: 0.0)

    @property
    def series(self) -> PoolSeries:
        return self.view.series

    @cached_property
    def state(self) -> MoveContext:
        """The pool and gas as the decision sees them (the hour before)."""
        return self.view.state()

    @cached_property
    def share0(self) -> float:
        """Token0 share of the holding's value (worked out only if a strategy prices a move)."""
        return self.token0_share()

    def target_share0(self, target: Holding) -> float:
        return share0(self.series, target, self.state.tick)

    def cost_to(self, target: Holding) -> MoveCost:
        """The model's estimate of moving everything into `target` now."""
        if target == self.holding:
            return NO_COST
        return move_cost(self.wealth, self.share0, self.target_share0(target), gas_units(self.holding, target),
                         self.state)

    def decide(self, target: Holding) -> Decision:
        return Decision(target, self.cost_to(target))


class Strategy(Protocol):
    name: str
    # True for a strategy that never moves again once it has moved (a static range, a hold): the engine stops
    # asking it. Optional; absent means False.
    # once: bool

    def decide(self, view: PastView, position: Position) -> Decision | None:
        """A move, or None to keep the current holding."""


@dataclass(frozen=True)
class MoveRecord:
    row: int
    target: Holding
    wealth: float
    expected: MoveCost
    charged: MoveCost


@dataclass
class RunResult:
    name: str
    values: np.ndarray  # gross of vault fees, at each close of the run's rows
    start: int = 0
    fees: float = 0.0
    moves: list[MoveRecord] = field(default_factory=list)
    refused: int = 0
    hodl_final: float | None = None  # the first holding's tokens, held to the end
    lower: np.ndarray = field(default_factory=lambda: np.zeros(0))
    upper: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def costs(self) -> MoveCost:
        total = NO_COST
        for m in self.moves:
            total = total + m.charged
        return total

    @property
    def impermanent_loss(self) -> float | None:
        """End value against holding the first range's tokens, fees and later costs set aside (re-centring losses
        included); None when the run never held a range."""
        if self.hodl_final is None:
            return None
        later = sum(m.charged.total for m in self.moves[1:])
        return float(self.values[-1] - self.fees + later - self.hodl_final)


def simulate(series: PoolSeries, strategy: Strategy, capital: float, start: int = 0, end: int | None = None,
             cadence: int = DECISION_HOURS) -> RunResult:
    end = len(series) if end is None else end
    n = end - start
    values = np.full(n, float(capital))
    lowers, uppers = np.full(n, np.nan), np.full(n, np.nan)
    holding: Holding = CASH
    path: Path | None = None
    entered: int | None = None
    result = RunResult(name=strategy.name, values=values, start=start)
    fees_before = 0.0  # fees of holdings already left
    first_range: tuple[Range, Path, int] | None = None
    for i in range(start, end, cadence):
        view = PastView(series, i)
        wealth = float(capital if i == start else values[i - 1 - start])

        def here(held=holding, p=path, at=entered, tick=view.tick, i=i) -> float:
            if p is None or at is None:
                return share0(series, held, tick)
            return share0_of_path(series, held, p, i - 1 - at, tick)
        position = Position(holding, wealth, view, entered, here)
        decision = strategy.decide(view, position)
        if decision is None or decision.target == holding:
            continue
        state = series.state(i)  # execution: this hour's gas
        charged = move_cost(wealth, position.share0, share0(series, decision.target, state.tick),
                            gas_units(holding, decision.target), state)
        if charged.total >= wealth:
            result.refused += 1
            continue
        if path is not None and entered is not None and i > entered:
            fees_before += float(path.fees[i - 1 - entered])
        result.moves.append(MoveRecord(i, decision.target, wealth, decision.expected, charged))
        holding, entered = decision.target, i
        path = value_path(series, holding, wealth - charged.total, i, end, state.tick)
        values[i - start:] = path.values
        if isinstance(holding, Range):
            lowers[i - start:], uppers[i - start:] = holding.lower, holding.upper
            if first_range is None:
                first_range = (holding, path, i)
        else:
            lowers[i - start:], uppers[i - start:] = np.nan, np.nan
        if getattr(strategy, "once", False):
            break
    if path is not None and entered is not None:
        fees_before += float(path.fees[-1])
    result.fees = fees_before
    if first_range is not None:
        _, p, _ = first_range
        result.hodl_final = float(series.value_at(*p.amounts, float(series.close_tick[end - 1])))
    result.lower, result.upper = lowers, uppers
    return result
