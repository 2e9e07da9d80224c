"""Target weights across strategies: a linear programme solved by HiGHS (scipy).

maximise   sum_i r_i w_i
subject to w_i <= cap_i                  (on-chain caps, absolute and bps, and the profile's max weight)
           sum_i w_i <= 1 - min_idle     (the vault's idle buffer)
           sum_i |w_i - c_i| <= turnover (the vault's turnover bound, via u_i >= +-(w_i - c_i))
           w_i >= 0
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field
from scipy import sparse
from scipy.optimize import linprog

# Breaks ties towards not moving: an allocation only changes when it pays at least this much per unit moved.
_MOVE_PENALTY = 1e-6


class Opportunity(BaseModel):
    name: str
    expected_return: float = Field(description="expected net APR, fraction")
    cap: float = Field(1.0, ge=0, le=1, description="largest weight allowed (on-chain caps and profile)")
    current: float = Field(0.0, ge=0, le=1, description="weight held now")


class Allocation(BaseModel):
    weights: dict[str, float]
    expected_return: float
    turnover: float


def allocate(opportunities: list[Opportunity], *, min_idle: float = 0.0, max_turnover: float = 2.0) -> Allocation:
    n = len(opportunities)
    if n == 0:
        return Allocation(weights={}, expected_return=0.0, turnover=0.0)
    r = np.array([o.expected_return for o in opportunities])
    caps = np.array([o.cap for o in opportunities])
    current = np.array([o.current for o in opportunities])
    # Variables: w (n) then u (n).
    objective = np.concatenate([-r, np.full(n, _MOVE_PENALTY)])
    # Sparse (6n non-zeros in a (2n + 2) x 2n matrix), so a thousand candidate pools solve in milliseconds. Rows:
    # budget (sum w), turnover (sum u), then w - u <= c and -w - u <= -c for each strategy.
    k = np.arange(n)
    rows = np.concatenate([np.zeros(n), np.ones(n), 2 + k, 2 + k, 2 + n + k, 2 + n + k])
    cols = np.concatenate([k, n + k, k, n + k, k, n + k])
    values = np.concatenate([np.ones(n), np.ones(n), np.ones(n), -np.ones(n), -np.ones(n), -np.ones(n)])
    a_ub = sparse.csr_matrix((values, (rows, cols)), shape=(2 * n + 2, 2 * n))
    b_ub = np.concatenate([[1 - min_idle, max_turnover], current, -current])
    bounds = [(0, float(c)) for c in caps] + [(0, None)] * n
    result = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if not result.success:
        # Infeasible only when the current allocation already breaks a bound the move cannot fix: keep it.
        return Allocation(weights={o.name: o.current for o in opportunities},
                          expected_return=float(r @ current), turnover=0.0)
    # HiGHS meets its bounds to within its own tolerance (~1e-7); the vault checks them exactly, so pull the
    # solution back inside: clip to the caps, then shorten the move along (w - current) to fit the turnover bound.
    w = np.clip(result.x[:n], 0, caps)
    moved = float(np.abs(w - current).sum())
    if moved > max_turnover:
        w = current + (w - current) * (max_turnover / moved)
    return Allocation(weights={o.name: float(x) for o, x in zip(opportunities, w)},
                      expected_return=float(r @ w), turnover=float(np.abs(w - current).sum()))
