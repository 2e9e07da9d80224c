"""One keeper cycle: observe → estimate → assess risk → optimize → plan → check → simulate → send/record.

Each step's inputs and reasons are recorded, so every decision can be explained from the store alone. A cycle may
weigh several candidate plans (a reallocation, then a re-range) but acts on at most one, the first that passes its
checks, and only after every earlier plan has reached a final state.
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from ape import chain
from web3 import Web3

from keeper import contracts, names
from keeper.config import KeeperConfig, Mode
from keeper.execute import rationale
from keeper.execute.guardrails import VaultLimits, violations
from keeper.execute.plan import Plan, PlanKind, Rerange, Target
from keeper.execute.sender import Call, ExecutionError, Sender
from keeper.market.chain import ChainReader, PoolState, fee_apr_between, require_oracle, strategy_pool
from keeper.forecast.models import ewma_fee_apr, ewma_volatility
from keeper.optimize.allocation import Opportunity, allocate
# Gas of a vault rebalance and of a re-range, as measured for the cost model: a plan is costed with them before
# simulation gives the exact figure.
from keeper.optimize.costs import REBALANCE_GAS, RERANGE_GAS, MoveContext, swap_cost
from keeper.policy.geometry import Range
from keeper.policy.ranges import PoolSnapshot, RangeBook, allocation_apr, choose_width, decide_range
from keeper.optimize.ranges import HORIZON_YEARS
from keeper.risk.profiles import profile as risk_profile
from keeper.risk.reputation import reputation
from keeper.risk.score import RiskAssessment, assess
from keeper.store import Store
from keeper.store.store import FINAL, IN_FLIGHT
from keeper.vault_probe import alp_vault, require_keeper_role

BPS = 10_000
# The funding swap's own price impact the keeper accepts on top of the pool fee before refusing its fill.
SWAP_TOLERANCE_BPS = 50
DEADLINE_SECONDS = 600
# Below this share of the vault a debt change is noise: not worth a transaction.
DUST_BPS = 10
# The vault checks turnover and bps caps on values at execution, which move with the pools' TWAPs between the
# simulation and the block: plans sized exactly at a bound reverted TurnoverExceeded and StrategyCapBpsExceeded by
# 0.003-0.007 % in the demo. Plans leave this share of those bounds unused (below DUST_BPS, so a holding at its cap
# is never read as over it).
EXECUTION_DRIFT_BPS = 5
UNISWAP_V3 = "uniswap-v3"  # the protocol's name in the reputation registry
# Share of capital moved into or out of a range that is swapped (the rest is already the right token).
SWAPPED_SHARE = 0.5
# A rebalance refused for the unwinding swap's slippage is retried at half the size this many times in one cycle.
SHRINK_ATTEMPTS = 2
# Refusals a smaller move can cure: the unwinding swap's slippage, and the vault's loss bound on a rebalance.
SHRINKABLE = ("SlippageExceeded", "RebalanceLossExceeded", "LossBudgetExceeded", "TurnoverBudgetExceeded")
# Cycles a runner may add straight after a confirmed move (see CycleResult.follow_up); bounded so that a keeper
# that keeps finding something to do still waits for its next tick.
MAX_FOLLOW_UPS = 3


@dataclass
class StrategyView:
    address: str
    kind: str  # "univ3" | "erc4626"
    debt: int
    value: int
    expected_apr: float = 0.0
    reasons: list[str] = field(default_factory=list)
    pool: PoolState | None = None
    range: tuple[int, int] | None = None
    liquidity: int = 0
    half_width: float | None = None
    risk: RiskAssessment | None = None
    snapshot: PoolSnapshot | None = None  # what the range policy decides from (univ3 strategies with history)


def _expected_gain(targets: list[Target], views: list[StrategyView]) -> float:
    """What moving to `targets` earns over the optimizer's horizon at each strategy's expected APR."""
    apr = {v.address: v.expected_apr for v in views}
    return sum((t.target_debt - t.current_debt) * apr[t.strategy] for t in targets) * HORIZON_YEARS


@dataclass
class CycleResult:
    cycle_id: str
    plan: Plan | None
    state: str  # no-action | skipped | rejected | awaiting_approval | dry-run | confirmed | reverted | failed
    reasons: list[str]

    @property
    def follow_up(self) -> bool:
        """Something just moved: a range strategy a reallocation funded holds no position until a re-range, and
        one re-range places one range. A runner cycles again at once (up to MAX_FOLLOW_UPS times) rather than leave
        that capital idle until its next tick."""
        return self.state == "confirmed"


class Keeper:
    def __init__(self, config: KeeperConfig, account: Any, store: Store | None = None, hook=None) -> None:
        self.config = config
        self.account = account
        self.store = store or Store(config.store_url)
        self.vault = alp_vault(config.vault)
        require_keeper_role(self.vault, account.address)
        self.web3: Web3 = chain.provider.web3
        self.chain_id = chain.chain_id
        self.reader = ChainReader(self.web3)
        self.labels = names.Labels()
        self.profile = risk_profile(config.profile)
        self._symbols: dict[str, list[str]] = {}
        self._fees: dict[str, float] = {}
        self._spacings: dict[str, int] = {}
        self._sources: dict[str, str] = {}
        self.sender = Sender(self.store, account, self.web3, contracts.all_types(), max_fee_gwei=config.max_fee_gwei,
                             priority_fee_gwei=config.priority_fee_gwei,
                             confirm_timeout=config.confirm_timeout_seconds, hook=hook)

    # ------------------------------------------------------------------ observe

    def observe(self, cycle_id: str) -> tuple[VaultLimits, list[StrategyView]]:
        now = chain.blocks.head.timestamp
        limits = VaultLimits.read(self.vault)
        views: list[StrategyView] = []
        univ3 = {}
        for address, s in limits.strategies.items():
            pool = strategy_pool(self.web3, address)
            kind = "univ3" if pool else "erc4626"
            if pool:
                univ3[address] = (contracts.at("UniswapV3Strategy", address), pool)
                require_oracle(univ3[address][0], contracts.at("UniswapV3Pool", pool), self.labels.strategy(address))
            erc = contracts.at("ERC4626Adapter", address)
            value = erc.convertToAssets(erc.balanceOf(self.vault))
            views.append(StrategyView(address=address, kind=kind, debt=s.current_debt, value=value))
        pools = {p.address: p for p in self.reader.pools(pool for _, pool in univ3.values())} if univ3 else {}
        for view in views:
            data: dict[str, Any] = {"debt": view.debt, "value": view.value}
            if view.kind == "univ3":
                strategy, pool = univ3[view.address]
                view.pool = pools[pool]
                view.liquidity = strategy.liquidity()
                view.range = (strategy.tickLower(), strategy.tickUpper())
                self.store.record_observation(cycle_id, now, "pool", pool, view.pool.model_dump(mode="json"),
                                              self.chain_id)
                data.update(range=view.range, liquidity=view.liquidity)
            else:
                data["price"] = self._yield_share_price(view.address)
            self.store.record_observation(cycle_id, now, view.kind, view.address, data, self.chain_id)
        symbol, decimals = self.labels.token(self.vault.asset())
        # The asset's units ride along, so `alp history` can show amounts without a chain.
        self.store.record_observation(cycle_id, now, "vault", self.vault.address,
                                      limits.model_dump(mode="json") | {"asset": {"symbol": symbol, "decimals": decimals}},
                                      self.chain_id)
        return limits, views

    def _yield_share_price(self, address: str) -> int:
        """Assets per share of the yield source behind an ERC-4626 strategy: the source's own rate, which shows
        before the vault has lent anything (the adapter's share price only moves once it holds the source)."""
        if address not in self._sources:
            try:
                self._sources[address] = contracts.at("ERC4626Adapter", address).target()
            except Exception:  # a strategy that is not our adapter: its own share price is the best measure
                self._sources[address] = address
        share = contracts.at("ERC4626Adapter", self._sources[address])
        return share.convertToAssets(10 ** share.decimals())

    # ------------------------------------------------------------------ estimate and assess

    def estimate(self, views: list[StrategyView], total_assets: int) -> None:
        for view in views:
            weight = view.debt / total_assets if total_assets else 0.0
            if view.kind == "univ3":
                # The range is sized for what it holds (as the re-range decision sizes it), or, empty, for the most
                # the profile would put in it.
                size = view.value or max(view.debt, int(total_assets * self.profile.max_weight))
                self._estimate_pool(view, weight, size)
            else:
                self._estimate_lending(view, weight)

    def _estimate_pool(self, view: StrategyView, weight: float, size: int = 0) -> None:
        history = self.store.observations(view.pool.address, limit=200, chain_id=self.chain_id)
        # Each interval's fee APR from the fee-growth accumulators (observations at the same second are one).
        history = [b for a, b in zip([None] + history, history) if a is None or b["t"] > a["t"]]
        intervals = [fee_apr_between(a, b) for a, b in zip(history, history[1:])]
        rep = reputation(self._pool_symbols(view.pool.address), UNISWAP_V3)
        depth = view.liquidity / view.pool.liquidity if view.pool.liquidity else None
        if not intervals:
            view.risk = assess(self.profile, weight=weight, reputation=rep, depth_share=depth)
            view.reasons.append("not enough pool history yet: expected return 0")
            return
        ticks = [h["twap_tick"] if h.get("twap_tick") is not None else h["tick"] for h in history]
        times = [h["t"] for h in history]
        # The backtested baseline forecasters (EWMA, the same half-life in hours) on the observed ticks and fees.
        vol = ewma_volatility(ticks, times) if len(ticks) > 2 else 0.8
        base_fee_apr = ewma_fee_apr([f.base_fee_apr for f in intervals], times)
        observed_hours = (times[-1] - times[0]) / 3600
        # The same width choice as the backtested policy: own liquidity diluting the fee share, each re-centring
        # priced by the cost model at this pool's price, liquidity and gas.
        context = self._context(view)
        snapshot = PoolSnapshot(tick=context.tick, spacing=self._spacing(view.pool.address),
                                liquidity=float(view.pool.liquidity), volatility=vol,
                                base_fee_apr=base_fee_apr, context=context)
        choice, _ = choose_width(snapshot, size / 10 ** self.labels.token(self.vault.asset())[1], self.profile)
        view.snapshot = snapshot
        view.risk = assess(self.profile, weight=weight, volatility=vol, fee_apr=choice.fee_apr,
                           il_apr=choice.il_apr, depth_share=depth, reputation=rep)
        if vol > self.profile.max_volatility:
            view.reasons.append(f"volatility {vol:.0%} above the {self.profile.name.value} limit "
                                f"{self.profile.max_volatility:.0%}: excluded")
            view.expected_apr = -1.0
            return
        if rep < self.profile.min_reputation:
            view.reasons.append(f"reputation {rep:.2f} below the {self.profile.name.value} floor "
                                f"{self.profile.min_reputation:.2f}: excluded")
            view.expected_apr = -1.0
            return
        view.expected_apr, view.half_width = choice.net_apr, choice.half_width
        view.reasons.append(
            f"fee APR {choice.fee_apr:.1%} at +-{choice.half_width:.0%} (full-range {base_fee_apr:.1%}, EWMA over "
            f"{observed_hours:.0f} h), volatility {vol:.0%}, expected IL {choice.il_apr:.1%}/yr -> net "
            f"{choice.net_apr:.1%}; risk {view.risk.score:.2f} ({view.risk.binding})")

    def _estimate_lending(self, view: StrategyView, weight: float) -> None:
        # An arbitrary ERC-4626 source has no registry entry the keeper could look up: the curator vets it when
        # adding it, so only the vault's concentration in it is scored here.
        view.risk = assess(self.profile, weight=weight)
        history = self.store.observations(view.address, limit=50, chain_id=self.chain_id)
        if len(history) < 2 or history[-1]["t"] <= history[0]["t"]:
            view.reasons.append("not enough share-price history yet: expected return 0")
            return
        first, last = history[0], history[-1]
        growth = last["price"] / first["price"] - 1
        view.expected_apr = growth * 365 * 24 * 3600 / (last["t"] - first["t"])
        view.reasons.append(f"share price grew {growth:.4%} -> {view.expected_apr:.1%} APR")

    def _pool_symbols(self, pool: str) -> list[str]:
        if pool not in self._symbols:
            contract = contracts.at("UniswapV3Pool", pool)
            self._symbols[pool] = [self.labels.token(t)[0] for t in (contract.token0(), contract.token1())]
        return self._symbols[pool]

    # ------------------------------------------------------------------ optimize and plan

    def _gas_cost(self, gas: int) -> float:
        """Gas of a move in asset units (the vault's asset is assumed priced at eth_price per ETH)."""
        price = self.web3.eth.gas_price
        decimals = self.labels.token(self.vault.asset())[1]
        return gas * price / 1e18 * self.config.eth_price * 10**decimals

    def _context(self, view: StrategyView) -> MoveContext:
        """The pool and gas a move in this strategy's pool meets now, in the vault's asset (the cost model's input).
        Gas is priced at the configured asset units per ETH."""
        asset = self.vault.asset()
        pool = contracts.at("UniswapV3Pool", view.pool.address)
        token0, token1 = pool.token0(), pool.token1()
        tick = view.pool.twap_tick if view.pool.twap_tick is not None else view.pool.tick
        return MoveContext(tick=float(tick), liquidity=float(view.pool.liquidity),
                           fee_rate=self._fee_rate(view.pool.address), decimals0=self.labels.token(token0)[1],
                           decimals1=self.labels.token(token1)[1], numeraire_is_token0=token0.lower() == asset.lower(),
                           gas_price_gwei=self.web3.eth.gas_price / 1e9, native_price=self.config.eth_price)

    def _spacing(self, pool: str) -> int:
        if pool not in self._spacings:
            self._spacings[pool] = contracts.at("UniswapV3Pool", pool).tickSpacing()
        return self._spacings[pool]

    def _rebalance_cost(self, targets: list[Target], views: list[StrategyView]) -> float:
        return self._gas_cost(REBALANCE_GAS) + self._swap_cost(targets, views)

    def _pays(self, gain: float, cost: float) -> bool:
        """A move for return alone is made only when its expected gain beats its cost by the configured margin."""
        return gain >= max(cost * self.config.cost_margin, self.config.min_gain)

    def _swap_cost(self, targets: list[Target], views: list[StrategyView]) -> float:
        """Pool fee and price impact of the swaps a move implies, in asset units, by the cost model the backtest
        charges: capital into or out of a range is about half swapped (funding the range, or unwinding it into the
        asset), through the range's own pool at its current price and active liquidity."""
        ranges = {v.address: v for v in views if v.kind == "univ3"}
        decimals = self.labels.token(self.vault.asset())[1]
        cost = 0.0
        for t in targets:
            view = ranges.get(t.strategy)
            if view is None or view.pool is None:
                continue
            context = self._context(view)
            asset_is_token0 = context.numeraire_is_token0
            swapped = abs(t.target_debt - t.current_debt) * SWAPPED_SHARE / 10**decimals
            # Into a range the asset is sold for the paired token; out of one, the paired token for the asset.
            sell_token0 = asset_is_token0 if t.target_debt > t.current_debt else not asset_is_token0
            fee, impact = swap_cost(swapped, sell_token0, context)
            cost += float(fee + impact) * 10**decimals
        return cost

    def _fee_rate(self, pool: str) -> float:
        if pool not in self._fees:
            self._fees[pool] = contracts.at("UniswapV3Pool", pool).fee() / 1_000_000
        return self._fees[pool]

    def plan(self, limits: VaultLimits, views: list[StrategyView], now: int) -> tuple[list[Plan], list[str]]:
        """Candidate plans, the one to try first first: a reallocation, then a re-range. A reallocation that waits
        (for the vault's interval) or does not pay must not keep a range that is out of place from being fixed."""
        reasons = [f"{self.labels.strategy(v.address)}: {'; '.join(v.reasons)}" for v in views if v.reasons]
        total = limits.total_assets
        if total == 0:
            return [], reasons + ["the vault is empty: nothing to allocate"]
        plans = []
        rebalance = self._reallocation(limits, views, now, reasons)
        if rebalance is not None:
            plans.append(rebalance)
        rerange = self._rerange(views, now, reasons)
        if rerange is not None:
            plans.append(rerange)
        if not plans:
            return [], reasons + ["allocation already optimal within dust; every range in place"]
        return plans, plans[0].reasons

    def _reallocation(self, limits: VaultLimits, views: list[StrategyView], now: int,
                      reasons: list[str]) -> Plan | None:
        total = limits.total_assets
        # A range the policy scored (not excluded) is weighed with the policy's hysteresis, as the backtest's keeper
        # enters and leaves it: lending and idle have no band.
        usable = (BPS - EXECUTION_DRIFT_BPS) / BPS
        cap_of = {v.address: min(limits.cap(v.address) / total, self.profile.max_weight) for v in views}
        ops = [Opportunity(name=v.address, expected_return=allocation_apr(v.expected_apr, v.debt > 0)
                           if v.kind == "univ3" and v.snapshot is not None and v.expected_apr > -1.0 else v.expected_apr,
                           cap=cap_of[v.address] * usable, current=min(v.debt / total, 1.0)) for v in views]
        result = allocate(ops, min_idle=limits.min_idle_bps / BPS, max_turnover=limits.max_turnover_bps / BPS * usable)
        targets = []
        for v in views:
            exact = result.weights[v.address] * total
            # Round every move towards no move, so rounding can never push a plan past the turnover or cap bounds.
            target = math.ceil(exact) if exact < v.debt else math.floor(exact)
            if abs(target - v.debt) * BPS > DUST_BPS * total:
                targets.append(Target(strategy=v.address, current_debt=v.debt, target_debt=target))
        gain = _expected_gain(targets, views)
        # A holding over its cap (the profile's max weight, or an on-chain cap that was tightened) is brought back
        # under it whatever the expected gain: a limit is not traded against return.
        over = [v for v in views if (v.debt / total - cap_of[v.address]) * BPS > DUST_BPS]
        restores = [v for v in over if any(t.strategy == v.address and t.target_debt < v.debt for t in targets)]
        cost = self._rebalance_cost(targets, views) if targets else 0.0
        if restores and not self._pays(gain, cost):
            # Only bringing a holding back under its cap is exempt from paying for itself. The allocator's other
            # moves come along only when the whole plan pays: with near-equal returns its optimum can swing capital
            # between pools at every restore, at a cost the move never earns back. The excess goes to idle.
            targets = [Target(strategy=v.address, current_debt=v.debt,
                              target_debt=math.floor(cap_of[v.address] * usable * total)) for v in restores]
            gain, cost = _expected_gain(targets, views), self._rebalance_cost(targets, views)
        if targets:
            targets.sort(key=lambda t: int(t.strategy, 16))
            symbol, decimals = self.labels.token(self.vault.asset())
            unit = 10**decimals
            moves = ", ".join(f"{self.labels.strategy(t.strategy)} {t.current_debt / unit:,.0f} -> {t.target_debt / unit:,.0f} {symbol}"
                              for t in targets)
            plan = Plan(vault=limits_vault(self), kind=PlanKind.rebalance, targets=targets,
                        reasons=reasons + [f"rebalance {moves}: expected gain {gain / unit:,.2f} {symbol} over "
                                           f"{HORIZON_YEARS * 365:.0f} days vs cost {cost / unit:,.2f} {symbol} (gas and swap fees)"]
                        + [f"{self.labels.strategy(v.address)} holds {v.debt / total:.1%}, over its cap: brought back under it"
                           for v in restores],
                        expected_gain=gain, cost=cost, created_at=now, restores_limit=bool(restores))
            return plan
        return None

    def _rerange(self, views: list[StrategyView], now: int, reasons: list[str]) -> Plan | None:
        """A re-range where the range policy (`keeper.policy.ranges.decide_range`, the backtested one) says one pays:
        a funded strategy out of the pool or out of range, or one whose width is no longer the best by enough to
        pay for the move. Leaving the pool is the reallocation's job (the strategy's expected APR goes to 0 or
        below)."""
        decimals = self.labels.token(self.vault.asset())[1]
        # What the capital has besides a range: the vault's best lending source, else idle.
        alternative = max([v.expected_apr for v in views if v.kind != "univ3"] + [0.0])
        for v in views:
            if v.kind != "univ3" or v.value == 0 or v.snapshot is None or v.pool.twap_tick is None:
                continue
            if v.expected_apr <= 0:
                continue
            strategy = contracts.at("UniswapV3Strategy", v.address)
            bal0, bal1 = _holdings(strategy, v)
            price = (v.pool.sqrt_price_x96 / 2**96) ** 2
            total1 = bal0 * price + bal1
            share0 = bal0 * price / total1 if total1 else float(v.snapshot.context.numeraire_is_token0)
            held = Range(*v.range) if v.liquidity > 0 and v.range else None
            book = RangeBook(wealth=v.value / 10**decimals, share0=share0, held=held)
            decision = decide_range(replace(v.snapshot, alternative_apr=alternative), book, self.profile,
                                    cost_margin=self.config.cost_margin)
            if decision.action != "enter":
                reasons.append(f"{self.labels.strategy(v.address)}: {'; '.join(decision.reasons)}")
                continue
            lower, upper = decision.target.lower, decision.target.upper
            zero_for_one, amount = _funding_swap(strategy, v, lower, upper)
            min_out = _min_swap_output(v, pool_fee=contracts.at("UniswapV3Pool", v.pool.address).fee(),
                                       zero_for_one=zero_for_one, amount_in=amount)
            why = ("holds no position yet" if held is None else
                   f"out of range (TWAP tick {v.pool.twap_tick} not in {v.range})"
                   if not held.lower <= v.pool.twap_tick < held.upper else f"in range {v.range}, a better width pays")
            pool = contracts.at("UniswapV3Pool", v.pool.address)
            sold = self.labels.token(pool.token0() if zero_for_one else pool.token1())
            width = decision.choice.half_width
            return Plan(vault=limits_vault(self), kind=PlanKind.rerange,
                        rerange=Rerange(strategy=v.address, lower=lower, upper=upper, zero_for_one=zero_for_one,
                                        amount_in=amount, min_amount_out=min_out),
                        reasons=reasons + [f"{self.labels.strategy(v.address)} {why}: re-range to [{lower}, {upper}) "
                                           f"({'full range' if math.isinf(width) else f'+-{width:.0%}'}), swapping "
                                           f"{names.amount(amount, sold[1], sold[0], 4)} in; {'; '.join(decision.reasons)}"],
                        expected_gain=decision.expected_gain * 10**decimals,
                        cost=decision.cost.total * 10**decimals, created_at=now)
        return None

    # ------------------------------------------------------------------ execute

    def call_for(self, plan: Plan) -> Call:
        deadline = chain.blocks.head.timestamp + DEADLINE_SECONDS
        if plan.kind is PlanKind.rebalance:
            data = self.vault.rebalance.encode_input([(t.strategy, t.target_debt) for t in plan.targets], deadline,
                                                     plan.rationale)
            return Call(to=self.vault.address, data=_bytes(data))
        r = plan.rerange
        strategy = contracts.at("UniswapV3Strategy", r.strategy)
        move = (r.lower, r.upper, r.zero_for_one, r.amount_in, r.min_amount_out)
        data = strategy.rebalanceRange.encode_input(move, deadline, plan.rationale)
        return Call(to=r.strategy, data=_bytes(data))

    def _in_flight(self) -> list[dict]:
        """This keeper's plans (its vault, its chain) that an earlier run left signed or sent."""
        return self.store.plans(IN_FLIGHT, vault=self.config.vault, chain_id=self.chain_id)

    def cycle(self, *, dry_run: bool | None = None, hand_off: bool = False) -> CycleResult:
        """One observe-decide-act cycle. hand_off: a plan that passes is recorded `queued` for a worker to send
        (keeper.fleet) instead of being sent here."""
        cycle_id = uuid.uuid4().hex[:12]
        dry = self.config.mode is Mode.dry_run if dry_run is None else dry_run
        # Finish what an earlier run left in flight before deciding anything new.
        for plan_id, state in self.sender.reconcile(lambda row: self.call_for(Plan.model_validate(row["body"])),
                                                    self._in_flight()):
            self.store.record_decision(cycle_id, int(time.time()), self.config.vault, {}, {}, plan_id,
                                       f"resumed:{state}", [f"plan {plan_id} resumed after restart: {state}"])
        now = chain.blocks.head.timestamp
        limits, views = self.observe(cycle_id)
        self.estimate(views, limits.total_assets)
        plans, reasons = self.plan(limits, views, now)
        scores = {v.address: {"expected_apr": v.expected_apr, "kind": v.kind,
                              **(v.risk.model_dump() if v.risk else {})} for v in views}
        inputs = {"total_assets": limits.total_assets, "idle": limits.total_idle, "profile": self.profile.name.value}
        # Each plan carries what it was decided from, so its on-chain rationale can be recomputed from the store.
        plans = [p.model_copy(update={"inputs": {"vault": inputs, "strategies": scores},
                                      "model_version": rationale.MODEL_VERSION}) for p in plans]
        if not plans:
            self.store.record_decision(cycle_id, now, self.config.vault, inputs, scores, None, "no-action", reasons)
            return CycleResult(cycle_id, None, "no-action", reasons)
        refused: list[tuple[Plan, str, str]] = []
        for candidate in plans:
            plan, state, why = self._vet_or_shrink(candidate, limits, now)
            if state is None:
                break
            refused.append((plan, state, why))
        else:  # nothing passed: the cycle reports the first candidate's refusal
            plan, state, why = refused[0]
        # The other candidates' refusals stay in the record: why a waiting move did not stop the one that went.
        passed_over = [f"{p.kind.value} not taken: {w}" for p, _, w in refused if p is not plan]
        plan = plan.model_copy(update={"reasons": plan.reasons + passed_over}) if passed_over else plan
        if state is None and dry:
            state, why = "dry-run", "dry run: checked and simulated, not sent"
        if state is None and self.config.mode is Mode.approval:
            state, why = "awaiting_approval", f"waiting for `alp approve {plan.id}`"
        if state is None and hand_off:
            state, why = "queued", "checked and simulated; handed to a worker to send"
        self._record_plan(plan, state or "approved", why)
        if state is None:
            state = self._send(plan)
            why = f"transaction {state}"
        self.store.record_decision(cycle_id, now, self.config.vault, inputs, scores, plan.id, state,
                                   plan.reasons + [why])
        return CycleResult(cycle_id, plan, state, plan.reasons + [why])

    def _vet_or_shrink(self, plan: Plan, limits: VaultLimits, now: int) -> tuple[Plan, str | None, str]:
        state, why = self._vet(plan, limits, now)
        for _ in range(SHRINK_ATTEMPTS):
            # A withdrawal from a range unwinds it with one swap; a big one can cost more than the strategy's
            # slippage bound or the vault's loss bound allows. A smaller step may fit: try half, then a quarter.
            if state != "rejected" or plan.kind is not PlanKind.rebalance or not any(g in why for g in SHRINKABLE):
                break
            smaller = _halved(plan, why)
            if smaller is None:
                break
            plan = smaller
            state, why = self._vet(plan, limits, now)
        return plan, state, why

    def _vet(self, plan: Plan, limits: VaultLimits, now: int) -> tuple[str | None, str]:
        if not plan.restores_limit and not self._pays(plan.expected_gain, plan.cost):
            return "skipped", (f"skipped: expected gain {plan.expected_gain:,.0f} < cost {plan.cost:,.0f} x margin "
                               f"{self.config.cost_margin} (min gain {self.config.min_gain:,.0f})")
        broken = violations(plan, limits, now)
        if broken:
            return "rejected", "refused by the local guardrail mirror: " + "; ".join(broken)
        ok, reason, _ = self.sender.simulate(self.call_for(plan))
        if not ok:
            return "rejected", f"simulation reverted: {reason}"
        return None, "checked and simulated"

    def _record_plan(self, plan: Plan, state: str, why: str) -> None:
        if self.store.plan(plan.id) is None:
            self.store.add_plan(plan.id, plan.vault, plan.kind.value, plan.model_dump(mode="json"), state,
                                plan.reasons + [why], plan.expected_gain, plan.cost, chain_id=self.chain_id)

    def _send(self, plan: Plan) -> str:
        call = self.call_for(plan)
        ok, reason, gas = self.sender.simulate(call)
        if not ok:
            self.store.update_plan(plan.id, state="rejected", error=reason)
            return "rejected"
        try:
            return self.sender.send(plan.id, call, int(gas * 1.25))
        except ExecutionError as exc:
            self.store.update_plan(plan.id, state="failed", error=str(exc))
            return "failed"

    def execute(self, plan_id: str) -> str:
        """A worker's part (keeper.fleet): carries a `queued` plan to its end, safe to repeat. A plan already final
        is left as it is; one a dead worker left signed or sent is resumed with its stored bytes; a queued one is
        checked against the vault's limits as they are now, then sent."""
        row = self.store.plan(plan_id)
        if row is None:
            raise ExecutionError(f"no plan {plan_id} in the store: the queue and the store disagree")
        if row["state"] in FINAL:
            return row["state"]
        if row["state"] in IN_FLIGHT:
            [(_, state)] = self.sender.reconcile(lambda r: self.call_for(Plan.model_validate(r["body"])), [row])
            return state
        if row["state"] != "queued":
            raise ExecutionError(f"plan {plan_id} is {row['state']}, not queued for a worker")
        plan = Plan.model_validate(row["body"])
        broken = violations(plan, VaultLimits.read(self.vault), chain.blocks.head.timestamp)
        if broken:  # the world moved since the plan was made: refuse rather than send a stale plan
            self.store.update_plan(plan_id, state="rejected", error="; ".join(broken))
            return "rejected"
        return self._send(plan)

    def approve(self, plan_id: str, who: str) -> str:
        row = self.store.plan(plan_id)
        if row is None:
            raise ExecutionError(f"no plan {plan_id}: list plans with `alp history`")
        if row["state"] != "awaiting_approval":
            raise ExecutionError(f"plan {plan_id} is {row['state']}, not awaiting approval")
        plan = Plan.model_validate(row["body"])
        limits = VaultLimits.read(self.vault)
        broken = violations(plan, limits, chain.blocks.head.timestamp)
        if broken:  # the world moved since the plan was made: refuse rather than send a stale plan
            self.store.update_plan(plan_id, state="rejected", error="; ".join(broken))
            return "rejected"
        self.store.update_plan(plan_id, state="approved", approved_by=who)
        return self._send(plan)


def _halved(plan: Plan, why: str) -> Plan | None:
    """The same rebalance, every move half as big (rounded towards no move); None when nothing is left to move."""
    targets = [Target(strategy=t.strategy, current_debt=t.current_debt,
                      target_debt=t.current_debt + int((t.target_debt - t.current_debt) / 2))
               for t in plan.targets]
    targets = [t for t in targets if t.target_debt != t.current_debt]
    if not targets:
        return None
    return plan.model_copy(update={
        "targets": targets, "expected_gain": plan.expected_gain / 2,
        "reasons": plan.reasons + [f"{why}; halved the move to fit the bound"],
    })


def limits_vault(keeper: Keeper) -> str:
    return keeper.vault.address


def _bytes(data: Any) -> bytes:
    return bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)


def _min_swap_output(view: StrategyView, *, pool_fee: int, zero_for_one: bool, amount_in: int) -> int:
    """The keeper's floor on the funding swap: the observed spot quote less the pool fee and a tolerance for the
    swap's own impact. A partner who moves the pool between observation and inclusion gets a revert, not a fill."""
    if amount_in == 0:
        return 0
    price = (view.pool.sqrt_price_x96 / 2**96) ** 2  # token1 per token0
    quote = amount_in * price if zero_for_one else amount_in / price
    return int(quote * (1 - pool_fee / 1_000_000) * (1 - SWAP_TOLERANCE_BPS / 10_000))


def _holdings(strategy: Any, view: StrategyView) -> tuple[int, int]:
    """Raw token0 and token1 the strategy holds, in its range and idle."""
    held0, held1, _, _ = strategy.positionAmounts()
    asset_is_0 = strategy.assetIsToken0()
    asset = contracts.erc20(strategy.asset()).balanceOf(strategy)
    paired = contracts.erc20(strategy.pairedToken()).balanceOf(strategy)
    return held0 + (asset if asset_is_0 else paired), held1 + (paired if asset_is_0 else asset)


def _funding_swap(strategy: Any, view: StrategyView, lower: int, upper: int) -> tuple[bool, int]:
    """The swap that turns the strategy's holdings into the new range's token mix at the current price."""
    from keeper.univ3.liquidity import amounts_for_liquidity
    from keeper.univ3.ticks import sqrt_price_x96_at_tick

    sp = view.pool.sqrt_price_x96
    bal0, bal1 = _holdings(strategy, view)
    unit0, unit1 = amounts_for_liquidity(sp, sqrt_price_x96_at_tick(lower), sqrt_price_x96_at_tick(upper), 10**18)
    price = (sp / 2**96) ** 2  # token1 per token0
    value1 = bal0 * price + bal1
    unit_value1 = unit0 * price + unit1
    want1 = value1 * unit1 / unit_value1 if unit_value1 else 0
    if bal1 > want1:  # too much token1: sell the excess for token0
        return False, int((bal1 - want1) * 0.999)
    return True, int((want1 - bal1) / price * 0.999) if price else 0
