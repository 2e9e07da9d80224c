"""Three forecasters of volatility and full-range fee APR over the next `horizon` hours, behind one interface:
`fit` on rows of a pool's past, `predict` at rows (each from the rows before it).

- EWMA: the baseline. Exponentially weighted mean of squared returns and of fee APR (half-life 3 days).
- GARCH(1,1) (`arch`, fitted by maximum likelihood on the training rows' returns), averaged over the horizon by
  its own mean-reverting term structure. GARCH models variance only: its fee forecast is the EWMA's.
- Boosted: gradient-boosted trees (scikit-learn) on the features of `dataset.FEATURES` (volume trend, realised
  volatility at two look-backs, depth change and the regime detector's signals), predicting the log of each target.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.signal import lfilter

from keeper.forecast.dataset import FEE_FLOOR, HOURS_PER_YEAR, LOG_TICK, VOL_FLOOR, PoolPast

EWMA_HALF_LIFE_HOURS = 72
GARCH_MIN_RETURNS = 200  # fewer returns than this do not pin down three GARCH parameters
BOOSTED_MIN_SAMPLES = 40
RETURN_SCALE = 100.0  # arch fits best with returns of order one: hourly log returns in percent


class NotFitted(ValueError):
    """The model cannot be fitted on so little history (the selection then leaves it out)."""


def _ewma(x: np.ndarray, half_life: float) -> np.ndarray:
    """out[t] = the bias-corrected EWMA of x[0..t-1] (what is known at row t); out[0] = x[0]."""
    lam = 0.5 ** (1 / half_life)
    raw = lfilter([1 - lam], [1, -lam], x)
    weight = 1 - lam ** np.arange(1, len(x) + 1)
    mean = raw / weight
    return np.concatenate([[x[0] if len(x) else 0.0], mean[:-1]])


def _decay(times: np.ndarray, half_life_hours: float) -> np.ndarray:
    """Each interval's weight by its age (its end to the last observation) under the half-life: for observations
    one step apart this is `_ewma`'s weighting, so live and backtest estimates agree; gaps are weighted by time."""
    return 0.5 ** ((times[-1] - times[1:]) / 3600 / half_life_hours)


def ewma_volatility(ticks, times, half_life_hours: float = EWMA_HALF_LIFE_HOURS) -> float:
    """The baseline's annualised volatility now from ticks observed at `times` (seconds; the live keeper's
    observations): `Ewma`'s estimator, with each squared return weighted by age and divided by its interval."""
    ticks, times = np.asarray(ticks, dtype=float), np.asarray(times, dtype=float)
    seconds = np.diff(times)
    if len(seconds) < 2 or np.any(seconds <= 0):
        return 0.0
    decay = _decay(times, half_life_hours)
    variance_per_second = np.sum(decay * (np.diff(ticks) * LOG_TICK) ** 2) / np.sum(decay * seconds)
    return math.sqrt(variance_per_second * HOURS_PER_YEAR * 3600)


def ewma_fee_apr(fee_aprs, times, half_life_hours: float = EWMA_HALF_LIFE_HOURS) -> float:
    """The baseline's full-range fee APR now from `fee_aprs[i]`, earned between observations `times[i]` and
    `times[i + 1]`: `Ewma`'s fee forecast, each interval weighted by its length and its age."""
    fees, times = np.asarray(fee_aprs, dtype=float), np.asarray(times, dtype=float)
    seconds = np.diff(times)
    if len(fees) == 0 or len(fees) != len(seconds) or np.any(seconds <= 0):
        return 0.0
    weight = _decay(times, half_life_hours) * seconds
    return float(np.sum(weight * fees) / np.sum(weight))


@dataclass
class Ewma:
    half_life: float = EWMA_HALF_LIFE_HOURS
    name: str = "EWMA"
    forecasts = (True, True)  # (volatility, fee APR): which of its outputs are its own

    def fit(self, past: PoolPast, rows: np.ndarray, horizon: int) -> Ewma:
        return self

    def predict(self, past: PoolPast, rows: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        rows = np.asarray(rows, dtype=int)
        var, fee = _ewma(past.returns**2, self.half_life), _ewma(past.fee_apr, self.half_life)
        return np.sqrt(var[rows] * HOURS_PER_YEAR), fee[rows]


@dataclass
class Garch:
    name: str = "GARCH(1,1)"
    forecasts = (True, False)
    params: tuple[float, float, float] | None = None  # omega, alpha, beta on RETURN_SCALE returns
    start_variance: float = 0.0
    fitted_from: int = 0

    def fit(self, past: PoolPast, rows: np.ndarray, horizon: int) -> Garch:
        from arch import arch_model

        if len(rows) == 0:
            raise NotFitted("no rows")
        first, last = int(rows[0]), int(rows[-1])
        r = past.returns[max(first - 1, 1):last] * RETURN_SCALE
        if len(r) < GARCH_MIN_RETURNS or float(np.std(r)) == 0:
            raise NotFitted(f"{len(r)} returns")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = arch_model(r, mean="Zero", vol="GARCH", p=1, q=1, dist="normal", rescale=False).fit(disp="off")
        omega, alpha, beta = (float(res.params[k]) for k in ("omega", "alpha[1]", "beta[1]"))
        if not all(math.isfinite(v) for v in (omega, alpha, beta)):
            raise NotFitted("the likelihood did not converge")
        self.params, self.start_variance, self.fitted_from = (omega, alpha, beta), float(np.var(r)), max(first - 1, 1)
        return self

    def predict(self, past: PoolPast, rows: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        if self.params is None:
            raise NotFitted("predict before fit")
        omega, alpha, beta = self.params
        r2 = (past.returns * RETURN_SCALE) ** 2
        # Conditional variance of each row's return given the rows before, run from where the fit started (the
        # filter's start is forgotten at rate beta per row, long before any row predicted from).
        h = np.empty(len(r2))
        h[: self.fitted_from + 1] = self.start_variance
        tail = lfilter([0.0, alpha], [1.0, -beta], r2[self.fitted_from:])  # alpha * sum beta^k r2[t-1-k]
        const = omega * (1 - beta ** np.arange(len(tail))) / (1 - beta) if beta < 1 else omega * np.arange(len(tail))
        h[self.fitted_from:] = tail + const + self.start_variance * beta ** np.arange(len(tail))
        persistence = alpha + beta
        rows = np.asarray(rows, dtype=int)
        now = h[rows]
        if persistence < 1 - 1e-6:
            long_run = omega / (1 - persistence)
            decay = (1 - persistence**horizon) / (horizon * (1 - persistence))
            mean_var = long_run + (now - long_run) * decay
        else:  # integrated: today's variance is the forecast at every horizon
            mean_var = now
        vol = np.sqrt(np.maximum(mean_var, 0.0) * HOURS_PER_YEAR) / RETURN_SCALE
        return vol, Ewma().predict(past, rows, horizon)[1]


@dataclass
class Boosted:
    name: str = "boosted trees"
    forecasts = (True, True)
    models: list = field(default_factory=list)

    def fit(self, past: PoolPast, rows: np.ndarray, horizon: int) -> Boosted:
        from sklearn.ensemble import HistGradientBoostingRegressor

        rows = np.asarray(rows, dtype=int)
        if len(rows) < BOOSTED_MIN_SAMPLES:
            raise NotFitted(f"{len(rows)} samples")
        x = past.features(rows)
        vol, fee = past.targets(rows, horizon)
        self.models = []
        for y in (np.log(vol + VOL_FLOOR), np.log(fee + FEE_FLOOR)):
            model = HistGradientBoostingRegressor(max_iter=120, learning_rate=0.05, max_depth=3,
                                                  min_samples_leaf=max(5, len(rows) // 20), random_state=0)
            self.models.append(model.fit(x, y))
        return self

    def predict(self, past: PoolPast, rows: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        if not self.models:
            raise NotFitted("predict before fit")
        x = past.features(np.asarray(rows, dtype=int))
        vol = np.exp(self.models[0].predict(x)) - VOL_FLOOR
        fee = np.exp(self.models[1].predict(x)) - FEE_FLOOR
        return np.maximum(vol, 0.0), np.maximum(fee, 0.0)


def all_models() -> list:
    """Fresh instances of every forecaster, the baseline first (it wins ties)."""
    return [Ewma(), Garch(), Boosted()]
