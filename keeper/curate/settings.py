"""Every guardrail a spec or a curator names, mapped to the contract's setter and getter: one table for the
deployment, `alp vault show` and `alp vault tighten/propose`."""

from __future__ import annotations

# name -> (setter, getter, is an amount in whole asset units). Vault-wide.
VAULT_SETTINGS: dict[str, tuple[str, str, bool]] = {
    "deposit_limit": ("setDepositLimit", "depositLimit", True),
    "min_idle_bps": ("setMinIdleBps", "minIdleBps", False),
    "max_turnover_bps": ("setMaxTurnoverBps", "maxTurnoverBps", False),
    "min_rebalance_interval": ("setMinRebalanceInterval", "minRebalanceInterval", False),
    "max_rebalance_loss_bps": ("setMaxRebalanceLossBps", "maxRebalanceLossBps", False),
    "loss_budget_bps": ("setLossBudgetBps", "lossBudgetBps", False),
    "turnover_budget_bps": ("setTurnoverBudgetBps", "turnoverBudgetBps", False),
    "profit_unlock_time": ("setProfitUnlockTime", "profitUnlockTime", False),
}
# name -> (setter, getter). Per Uniswap V3 strategy.
RANGE_SETTINGS: dict[str, tuple[str, str]] = {
    "twap_window": ("setTwapWindow", "twapWindow"),
    "max_deviation_ticks": ("setMaxDeviationTicks", "maxDeviationTicks"),
    "max_slippage_bps": ("setMaxSlippageBps", "maxSlippageBps"),
    "max_range_loss_bps": ("setMaxRangeLossBps", "maxRangeLossBps"),
    "max_twap_distance_ticks": ("setMaxTwapDistanceTicks", "maxTwapDistanceTicks"),
    "min_range_interval": ("setMinRangeInterval", "minRangeInterval"),
}
UNLIMITED = 2**128 - 1  # the contracts' UNLIMITED (type(uint128).max): caps and the deposit limit fit in uint128


def to_units(amount: float | None, decimals: int) -> int:
    """Whole asset units to raw; None or infinity is the contracts' UNLIMITED."""
    import math

    return UNLIMITED if amount is None or math.isinf(amount) else int(round(amount * 10**decimals))
