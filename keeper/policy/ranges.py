"""The range decision: from a pool snapshot and the strategy's book to keep, enter or re-range, or exit.

features (volatility, full-range fee APR: the caller's, from its own data) -> risk (the profile's limits) ->
optimize (the width with the best expected net APR, the position's own liquidity diluting its fee share, each
re-centring priced by the cost model) -> act only when the expected gain over the optimizer's horizon beats the
move's full cost by the margin, with a hysteresis band, against what the capital would earn outside the range.

Loss-versus-rebalancing is in the optimizer's impermanent-loss term: for a centred range it is the expected loss
against holding over the horizon, sigma^2/8 of value per unit time at full range (Milionis et al.) and that times
the range's concentration while in range, plus what leaving the range locks in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from keeper.optimize.costs import NO_COST, RERANGE_GAS, MoveContext, MoveCost, move_cost
from keeper.optimize.ranges import HORIZON_YEARS, RangeTerms, net_aprs, range_terms
from keeper.policy.geometry import LOG_TICK, MAX_TICK, MIN_TICK, Range, centred, half_width_of, label, snap
from keeper.risk.profiles import RiskProfile


@dataclass(frozen=True)
class PoolSnapshot:
    """What the decision knows of the pool."""

    tick: float  # the price a new range is centred on (the live keeper uses the TWAP tick)
    spacing: int
    liquidity: float  # the pool's active liquidity, raw
    volatility: float  # annualised
    base_fee_apr: float  # fees over the value of the pool's active liquidity as a full-range position
    context: MoveContext  # the pool and gas a move would meet
    alternative_apr: float = 0.0  # what the capital earns if not in this range: the vault's lending, else idle (0)


@dataclass(frozen=True)
class RangeBook:
    """What the strategy holds: `wealth` in the numéraire, its token0 share, and its range (None: out of the pool,
    all in the vault's asset)."""

    wealth: float
    share0: float
    held: Range | None


@dataclass(frozen=True)
class WidthChoice:
    half_width: float
    net_apr: float
    fee_apr: float
    il_apr: float
    recentre_cost: float  # one re-centring, as a share of wealth


@dataclass(frozen=True)
class RangeDecision:
    action: str  # keep | enter | exit
    target: Range | None
    choice: WidthChoice | None
    expected_gain: float
    cost: MoveCost
    reasons: tuple[str, ...] = field(default_factory=tuple)


def share0_of(rng: Range, context: MoveContext) -> float:
    """Token0 share of a range's value at the context's tick."""
    a0, a1 = _unit_amounts(float(rng.lower), float(rng.upper), context.tick)
    v0, v1 = a0 / context.raw_per_value(True), a1 / context.raw_per_value(False)
    return v0 / (v0 + v1)


def _unit_amounts(lower, upper, tick):
    sa, sb = np.sqrt(1.0001 ** np.asarray(lower, dtype=float)), np.sqrt(1.0001 ** np.asarray(upper, dtype=float))
    s = np.clip(math.sqrt(1.0001**tick), sa, sb)
    return 1 / s - 1 / sb, s - sa


def unit_values(snapshot: PoolSnapshot, widths: np.ndarray) -> np.ndarray:
    """Value in the numéraire of one unit of liquidity in a range of each half-width centred on the snapshot."""
    finite = np.where(np.isinf(widths), 1.0, widths)
    away = np.log1p(finite) / LOG_TICK
    lower = np.where(np.isinf(widths), MIN_TICK, snapshot.tick - away)
    upper = np.where(np.isinf(widths), MAX_TICK, snapshot.tick + away)
    a0, a1 = _unit_amounts(lower, upper, snapshot.tick)
    c = snapshot.context
    return a0 / c.raw_per_value(True) + a1 / c.raw_per_value(False)


def choose_width(snapshot: PoolSnapshot, wealth: float, profile: RiskProfile, width_scale: float = 1.0,
                 terms: RangeTerms | None = None, units: np.ndarray | None = None) -> tuple[WidthChoice, np.ndarray]:
    """The best width for `wealth` in this pool, and every allowed width's expected net APR. `terms` and `units`
    may be passed in when the caller has them for this snapshot already (they depend on it alone)."""
    terms = terms or range_terms(snapshot.volatility, profile.min_half_width)
    units = unit_values(snapshot, terms.widths) if units is None else units
    # A re-centre swaps about half the position: its cost as a share of wealth, by the cost model.
    recentre = move_cost(wealth, 0.0, 0.5, RERANGE_GAS, snapshot.context).total / wealth if wealth > 0 else 0.0
    own = wealth / units
    own = own / (snapshot.liquidity + own)
    net, fees, _ = net_aprs(terms, snapshot.base_fee_apr, recentre, profile.il_aversion, own)
    best = int(np.argmax(net))
    allowed = tuple(float(w) for w in terms.widths)
    width = snap(float(terms.widths[best]) * width_scale, allowed)
    k = allowed.index(width)
    return WidthChoice(width, float(net[k]), float(fees[k]), float(terms.il_apr[k]), recentre), net


HYSTERESIS_APR = 0.01  # an entry must clear the alternative by this much and an exit fall this far below it


def allocation_apr(net_apr: float, funded: bool) -> float:
    """A range's expected net APR as the vault's allocator should weigh it against the other sources: the same
    hysteresis as `decide_range`, so capital goes into a range only when it clears the alternative by the band
    and leaves a funded one only when it falls the band below."""
    return net_apr + (HYSTERESIS_APR if funded else -HYSTERESIS_APR)


def decide_range(snapshot: PoolSnapshot, book: RangeBook, profile: RiskProfile, width_scale: float = 1.0,
                 cost_margin: float = 2.0, terms: RangeTerms | None = None,
                 units: np.ndarray | None = None) -> RangeDecision:
    """Keep, enter (or re-range) or exit. Every move must pay: its expected gain over the optimizer's horizon,
    against what the capital has otherwise (`snapshot.alternative_apr`), must beat `cost_margin` x its full cost
    by the cost model, after a hysteresis band on each side, so that a forecast hovering near the alternative
    does not trade in and out. Only a risk limit (the profile's volatility ceiling) moves whatever the cost."""
    c = snapshot.context
    cash_share = 1.0 if c.numeraire_is_token0 else 0.0
    alt = snapshot.alternative_apr
    held = book.held
    exit_cost = move_cost(book.wealth, book.share0, cash_share, RERANGE_GAS, c) if held is not None else NO_COST

    def exit_(why: str, gain: float = 0.0) -> RangeDecision:
        if held is None:
            return RangeDecision("keep", None, None, 0.0, NO_COST, (why + ": stay out of the pool",))
        return RangeDecision("exit", None, None, gain, exit_cost, (why + ": leave the pool",))

    if snapshot.volatility > profile.max_volatility:
        return exit_(f"volatility {snapshot.volatility:.0%} above the {profile.name.value} limit "
                     f"{profile.max_volatility:.0%}")
    choice, net = choose_width(snapshot, book.wealth, profile, width_scale, terms, units)
    target = centred(snapshot.tick, choice.half_width, snapshot.spacing)
    cost = move_cost(book.wealth, book.share0, share0_of(target, c), RERANGE_GAS, c) if target != held else NO_COST
    what = f"{label(choice.half_width)}: expected net APR {choice.net_apr:.1%} vs {alt:.1%} outside"
    per_apr = HORIZON_YEARS * book.wealth  # value over the horizon of one unit of APR on the book
    entry_gain = (choice.net_apr - alt - HYSTERESIS_APR) * per_apr
    if held is None or not held.lower <= snapshot.tick < held.upper:
        # Out of the pool or out of range, the capital earns nothing here: the gain is what the range earns over
        # the alternative.
        why = "out of the pool" if held is None else "out of range"
        if entry_gain > cost_margin * cost.total:
            return RangeDecision("enter", target, choice, entry_gain, cost, (
                f"{why}: enter {what}, gain {entry_gain:.4g} > {cost_margin} x cost {cost.total:.4g}",))
        if held is not None and max(float(np.max(net)), choice.net_apr) <= alt:
            # Out of range the position is all one token: a bet the profile does not hold when no range pays.
            return exit_(f"out of range and no width beats the alternative (best {float(np.max(net)):.1%})")
        return RangeDecision("keep", None, choice, entry_gain, cost, (f"{why}: {what} does not pay its cost",))
    allowed = tuple(float(w) for w in (terms.widths if terms is not None else range_terms(
        snapshot.volatility, profile.min_half_width).widths))
    now = float(net[allowed.index(snap(half_width_of(held), allowed))])
    exit_gain = (alt - now - HYSTERESIS_APR) * per_apr
    if exit_gain > cost_margin * exit_cost.total and exit_gain > (choice.net_apr - now) * per_apr:
        return exit_(f"in range at expected net APR {now:.1%}, {alt:.1%} outside: avoids {exit_gain:.4g} > "
                     f"{cost_margin} x cost {exit_cost.total:.4g}", exit_gain)
    gain = (choice.net_apr - now - HYSTERESIS_APR) * per_apr
    if gain > cost_margin * cost.total and target != held:
        return RangeDecision("enter", target, choice, gain, cost, (
            f"in range: re-range to {what} (now {now:.1%}), gain {gain:.4g} > {cost_margin} x cost {cost.total:.4g}",))
    return RangeDecision("keep", None, choice, gain, cost, (f"in range at {now:.1%}: keep (a move to {what} gains "
                                                            f"{gain:.4g}, leaving {exit_gain:.4g})",))
