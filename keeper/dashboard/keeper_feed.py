"""What the dashboard reads from the keeper's store rather than the chain: the risk it last scored per strategy."""

from __future__ import annotations

from collections.abc import Callable

from keeper.dashboard.snapshot import RiskScore
from keeper.store import Store

# Enough recent decisions to get past the bookkeeping rows (resumed plans) that carry no scores.
_LOOKBACK = 20


def risk_from_store(store: Store, labels: dict[str, str] | None = None) -> Callable[[], list[RiskScore]]:
    """Callable for ChainFeed(risk=...): the latest cycle's risk scores, labelled like the rest of the page."""
    labels = labels or {}

    def latest() -> list[RiskScore]:
        for decision in store.decisions(limit=_LOOKBACK):
            scored = {a: s for a, s in decision["scores"].items() if isinstance(s, dict) and "score" in s}
            if scored:
                return [RiskScore(strategy=labels.get(address, address[:10]), score=s["score"],
                                  components=s.get("components", {})) for address, s in scored.items()]
        return []

    return latest
