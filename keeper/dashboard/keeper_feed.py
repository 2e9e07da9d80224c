"""What the dashboard reads from the keeper's store rather than the chain: the risk it last scored per strategy, the
plans it never sent, and when it last ran a cycle."""

from __future__ import annotations

from collections.abc import Callable

from keeper.dashboard.snapshot import DecisionRow, RiskScore
from keeper.store import Store

# Plans that ended without a transaction and that an operator should see (a skipped plan is routine: it cost more
# than it would earn, and it would fill the log every cycle).
UNSENT_STATES = ("rejected", "failed", "awaiting_approval")
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


def unsent_from_store(store: Store) -> Callable[[], list[DecisionRow]]:
    """Callable for ChainFeed(unsent=...): the keeper's plans refused before sending, failed, or awaiting approval."""

    def unsent() -> list[DecisionRow]:
        rows = []
        for plan in store.plans(UNSENT_STATES):
            reasons = plan["reasons"] + ([plan["error"]] if plan.get("error") else [])
            rows.append(DecisionRow(id=plan["id"], t=plan["body"].get("created_at", plan["created_at"]),
                                    action=plan["kind"], status=plan["state"], reasons=reasons,
                                    expected_gain=plan.get("expected_gain"), cost=plan.get("cost")))
        return rows

    return unsent


def last_cycle_from_store(store: Store) -> Callable[[], int | None]:
    """Callable for ChainFeed(last_cycle=...): chain time of the keeper's latest cycle, whatever it decided."""

    def last() -> int | None:
        rows = store.decisions(limit=1)
        return rows[0]["t"] if rows else None

    return last
