"""A local mirror of the vault's guardrails, with every bound read from the contract (never duplicated constants):
a plan the vault would refuse is refused here first, with the same reason, before any gas is spent."""

from __future__ import annotations

from pydantic import BaseModel

from keeper.names import duration, when

from keeper.execute.plan import Plan, PlanKind

BPS = 10_000


class StrategyLimits(BaseModel):
    address: str
    current_debt: int
    max_debt: int
    max_debt_bps: int
    active: bool


class VaultLimits(BaseModel):
    total_assets: int
    total_idle: int
    min_idle_bps: int
    max_turnover_bps: int
    min_rebalance_interval: int
    last_rebalance: int
    paused: bool
    shutdown: bool
    strategies: dict[str, StrategyLimits]
    # The rolling budget's headroom now (what the window allows less what keeper moves used); None: not read.
    turnover_budget_left: int | None = None
    loss_budget_left: int | None = None

    @classmethod
    def read(cls, vault) -> VaultLimits:
        """Every bound from the vault's own getters."""
        strategies = {}
        for address in vault.withdrawQueue():
            c = vault.strategies(address)
            strategies[address] = StrategyLimits(address=address, current_debt=c.currentDebt, max_debt=c.maxDebt,
                                                 max_debt_bps=c.maxDebtBps, active=c.active)
        loss_used, loss_budget, turnover_used, turnover_budget = vault.budget()
        return cls(total_assets=vault.totalAssets(), total_idle=vault.totalIdle(), min_idle_bps=vault.minIdleBps(),
                   max_turnover_bps=vault.maxTurnoverBps(), min_rebalance_interval=vault.minRebalanceInterval(),
                   last_rebalance=vault.lastRebalance(), paused=vault.paused(), shutdown=vault.isShutdown(),
                   strategies=strategies, turnover_budget_left=max(turnover_budget - turnover_used, 0),
                   loss_budget_left=max(loss_budget - loss_used, 0))

    def cap(self, address: str) -> int:
        s = self.strategies[address]
        return min(s.max_debt, self.total_assets * s.max_debt_bps // BPS)


def violations(plan: Plan, limits: VaultLimits, now: int) -> list[str]:
    """Every guardrail the plan would hit, named as the contract names it; empty when the vault would accept it."""
    found: list[str] = []
    if limits.paused:
        found.append("VaultPaused: the guardian paused the vault")
    if limits.shutdown:
        found.append("VaultShutdown: the vault was shut down")
    if plan.kind is not PlanKind.rebalance:
        return found
    if now < limits.last_rebalance + limits.min_rebalance_interval:
        next_allowed = limits.last_rebalance + limits.min_rebalance_interval
        found.append(f"RebalanceTooSoon: next allowed at {when(next_allowed)} (in {duration(next_allowed - now)})")
    addresses = [t.strategy for t in plan.targets]
    if addresses != sorted(addresses, key=lambda a: int(a, 16)) or len(set(addresses)) != len(addresses):
        found.append("TargetsNotSorted: targets must be sorted by strategy address")
    idle = limits.total_idle
    for t in plan.targets:
        s = limits.strategies.get(t.strategy)
        if s is None or not s.active:
            found.append(f"StrategyNotActive: {t.strategy}")
            continue
        if t.target_debt > s.current_debt:
            if t.target_debt > s.max_debt:
                found.append(f"StrategyCapExceeded: {t.strategy} target {t.target_debt} > cap {s.max_debt}")
            bps_cap = limits.total_assets * s.max_debt_bps // BPS
            if t.target_debt > bps_cap:
                found.append(f"StrategyCapBpsExceeded: {t.strategy} target {t.target_debt} > {bps_cap}")
        idle += s.current_debt - t.target_debt
    max_turnover = limits.total_assets * limits.max_turnover_bps // BPS
    if plan.turnover > max_turnover:
        found.append(f"TurnoverExceeded: {plan.turnover} > {max_turnover}")
    # The loss side of the budget is only known once the move is simulated; its turnover is known now.
    if limits.turnover_budget_left is not None and plan.turnover > limits.turnover_budget_left:
        found.append(f"TurnoverBudgetExceeded: {plan.turnover} > {limits.turnover_budget_left} left in the day's "
                     "rolling budget")
    min_idle = -(-limits.total_assets * limits.min_idle_bps // BPS)
    if idle < min_idle:
        found.append(f"IdleBufferBreached: idle {idle} < {min_idle}")
    return found
