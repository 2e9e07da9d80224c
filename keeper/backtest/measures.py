"""From a gross equity curve to what a depositor sees, and the figures reported for it.

Vault fees are the vault's (`Vault.sol`): a management fee accruing with time, and a performance fee on the
gain above the high-water mark. A reporting window settles the performance fee once, at its end (the mark is the
window's starting value), and every row pays the same fees, hold rows and the bound included. The curve is what
a depositor would get out at each hour if the window ended there, so it is increasing in the gross value at every
hour: a strategy better before fees is better after them.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel

HOURS_PER_YEAR = 24 * 365
# Below this span an annualised figure is noise blown up (2 days of +7 % is "1,240 % APR"): only the period return.
MIN_ANNUALISED_DAYS = 30


class VaultFees(BaseModel):
    management: float = 0.01  # per year, as Vault.managementFeeBps
    performance: float = 0.10  # of the gain above the high-water mark, as Vault.performanceFeeBps


NO_VAULT_FEES = VaultFees(management=0.0, performance=0.0)


def after_vault_fees(gross: np.ndarray, capital: float, fees: VaultFees, step_hours: float = 1.0) -> np.ndarray:
    hours = np.arange(1, len(gross) + 1) * step_hours
    kept = gross * (1 - fees.management) ** (hours / HOURS_PER_YEAR)
    return kept - fees.performance * np.maximum(kept - capital, 0.0)


def metrics(values: np.ndarray, capital: float, step_hours: float = 1.0) -> dict[str, float | None]:
    curve = np.concatenate([[capital], values])
    returns = np.diff(curve) / curve[:-1]
    peak = np.maximum.accumulate(curve)
    per_year = HOURS_PER_YEAR / step_hours
    std = float(np.std(returns))
    net = float(values[-1] / capital - 1)
    return {
        "net_return": net,
        "apr": net * per_year / len(values) if len(values) * step_hours >= MIN_ANNUALISED_DAYS * 24 else None,
        "max_drawdown": float(np.max(1 - curve / peak)),
        # A curve that barely moves (cash paying a tiny fee) has no meaningful Sharpe: report 0, not 10^12.
        "sharpe": float(np.mean(returns) / std * math.sqrt(per_year)) if std > 1e-9 else 0.0,
    }
