"""Walk-forward forecasts for a backtest: every model fitted before each reporting window, scored on it, and the
one with the lowest out-of-sample error so far chosen for the next window, per pool and per target.

The choice for window k uses only errors whose realised target ended before window k starts; before any such
error exists the baseline (EWMA) runs. Models are fitted on every row before the reporting window whose target
is known by then (an expanding window: the learned model needs the samples; nothing after the window's start).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from keeper.forecast.dataset import FEE_FLOOR, MIN_PAST, VOL_FLOOR, PoolPast, sample_rows
from keeper.forecast.models import NotFitted, all_models

HORIZON_HOURS = 7 * 24  # the optimizer's horizon (`keeper.optimize.ranges.HORIZON_YEARS`)
MIN_SCORED = 5  # rows of past out-of-sample error before a model can replace the baseline
TARGETS = ("volatility", "fee APR")
CHOSEN = "chosen (walk-forward)"  # the score of whatever was chosen, window by window
FEE_FROM_BASELINE = {m.name for m in all_models() if not m.forecasts[1]}


@dataclass(frozen=True)
class ForecastTrack:
    """The forecasts the keeper reads on one walk-forward window: the chosen model's, at every row it may decide
    on (the training window, for tuning, and the reporting window)."""

    window: int
    models: tuple[str, str]  # (volatility model, fee model)
    start: int
    vol: np.ndarray = field(repr=False)
    fee: np.ndarray = field(repr=False)

    def at(self, row: int) -> tuple[float, float]:
        return float(self.vol[row - self.start]), float(self.fee[row - self.start])


@dataclass
class Scored:
    """One model's out-of-sample errors: per reporting row, the log errors and when the target became known."""

    rows: list[int] = field(default_factory=list)
    known: list[int] = field(default_factory=list)
    vol: list[float] = field(default_factory=list)
    fee: list[float] = field(default_factory=list)
    windows: int = 0
    chosen: list[int] = field(default_factory=lambda: [0, 0])

    def rmse(self, target: int, before: int | None = None, rows: set[int] | None = None) -> tuple[float, int]:
        """Root mean square log error on `target` (0 volatility, 1 fee APR), over the targets known by `before`
        and, if given, only on `rows` (so that two models are compared on the same rows)."""
        errors = [e for e, r, t in zip(self.vol if target == 0 else self.fee, self.rows, self.known)
                  if (before is None or t <= before) and (rows is None or r in rows)]
        return (float(np.sqrt(np.mean(np.square(errors)))) if errors else float("nan")), len(errors)

    def known_rows(self, before: int) -> set[int]:
        return {r for r, t in zip(self.rows, self.known) if t <= before}


@dataclass
class ForecastReport:
    horizon: int
    tracks: list[ForecastTrack]
    scores: dict[str, Scored]  # by model name, plus "chosen"

    def table(self) -> list[dict]:
        out = []
        for name, s in self.scores.items():
            vol, n = s.rmse(0)
            fee, _ = s.rmse(1)
            if name in FEE_FROM_BASELINE:
                fee = float("nan")  # its fee forecast is the baseline's, not its own
            out.append({"model": name, "windows": s.windows, "rows": n, "vol_rmse": vol, "fee_rmse": fee,
                        "chosen_vol": s.chosen[0], "chosen_fee": s.chosen[1]})
        return out


def _log_error(forecast: np.ndarray, realised: np.ndarray, floor: float) -> np.ndarray:
    return np.log((forecast + floor) / (realised + floor))


def walk_forward(series, windows, cadence: int) -> ForecastReport:
    """Fit, score and choose on each walk-forward window of `series` (its `Window`s from the runner)."""
    past = PoolPast.of(series)
    n = len(past)
    horizon = min(HORIZON_HOURS, windows[0].test[1] - windows[0].test[0])
    stride = max(1, cadence // 4)
    names = [m.name for m in all_models()]
    scores = {name: Scored() for name in names}
    chosen_score = Scored()
    tracks = []
    for k, w in enumerate(windows):
        fit_rows = sample_rows(MIN_PAST, w.test[0] - horizon + 1, stride)
        span = np.arange(max(w.train[0], 1), w.test[1])
        test = sample_rows(w.test[0], min(w.test[1], n - horizon + 1), stride)
        realised = past.targets(test, horizon) if len(test) else None
        predicted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for model in all_models():
            try:
                model.fit(past, fit_rows, horizon)
                predicted[model.name] = model.predict(past, span, horizon)
            except NotFitted:
                continue
            s = scores[model.name]
            s.windows += 1
            if realised is not None:
                vol, fee = (p[test - span[0]] for p in predicted[model.name])
                s.rows += test.tolist()
                s.known += (test + horizon).tolist()
                s.vol += _log_error(vol, realised[0], VOL_FLOOR).tolist()
                s.fee += _log_error(fee, realised[1], FEE_FLOOR).tolist()
        picks = []
        for target in (0, 1):
            candidates = [m.name for m in all_models() if m.forecasts[target] and m.name in predicted]
            # Every candidate is scored on the rows all of them have been scored on, before this window.
            common = set.intersection(*(scores[c].known_rows(w.test[0]) for c in candidates))
            best, best_error = names[0], None
            if len(common) >= MIN_SCORED:
                for name in candidates:
                    error, _ = scores[name].rmse(target, before=w.test[0], rows=common)
                    if best_error is None or error < best_error:
                        best, best_error = name, error
            scores[best].chosen[target] += 1
            picks.append(best)
        vol, fee = predicted[picks[0]][0], predicted[picks[1]][1]
        tracks.append(ForecastTrack(k, (picks[0], picks[1]), int(span[0]), vol, fee))
        if realised is not None:
            chosen_score.windows += 1
            chosen_score.rows += test.tolist()
            chosen_score.known += (test + horizon).tolist()
            chosen_score.vol += _log_error(vol[test - span[0]], realised[0], VOL_FLOOR).tolist()
            chosen_score.fee += _log_error(fee[test - span[0]], realised[1], FEE_FLOOR).tolist()
    return ForecastReport(horizon, tracks, {**scores, CHOSEN: chosen_score})
