"""Alerts are derived, never stored: the same snapshot always raises the same alerts."""

from __future__ import annotations

from keeper.dashboard.snapshot import OVER_TOLERANCE, Alert, DashboardSnapshot

# A guardrail this close to its limit is worth an operator's glance before the keeper runs into it.
HEADROOM_WARNING = 0.9
# A keeper silent for this many of its own intervals has stalled.
STALL_INTERVALS = 3


def derive_alerts(snapshot: DashboardSnapshot) -> list[Alert]:
    alerts: list[Alert] = []
    if snapshot.vault.shutdown:
        alerts.append(Alert(level="critical", message="Vault is shut down: only withdrawals are possible."))
    elif snapshot.vault.paused:
        alerts.append(Alert(level="critical", message="Vault is paused: deposits and keeper moves are stopped."))
    for track in snapshot.ranges:
        if not track.in_range:
            alerts.append(Alert(level="warning", message=f"{track.strategy} is out of range in {track.pool}: "
                                                         "it earns no fees until re-ranged."))
    for headroom in snapshot.guardrails:
        # The vault refuses every keeper move that would pass a limit, so a limit passed has another cause (a
        # withdrawal shrinking the vault, a reported gain, a cap lowered): the feed names it and rates it.
        if headroom.past:
            side = "under its minimum" if headroom.floor else "over its limit"
            limit = f"{headroom.limit:,.2f} {headroom.unit}".strip()
            alerts.append(Alert(level=headroom.past_level, message=f"{headroom.name}: {headroom.used:,.2f} {side} "
                                f"of {limit}. {headroom.note}".strip()))
        elif headroom.floor:
            continue
        elif headroom.fraction >= 1 - OVER_TOLERANCE:
            alerts.append(Alert(level="info", message=f"{headroom.name} at its limit: the keeper can add no more."))
        elif headroom.fraction >= HEADROOM_WARNING:
            alerts.append(Alert(level="info", message=f"{headroom.name} at {headroom.fraction:.0%} of its limit."))
    for decision in snapshot.decisions[-5:]:
        reason = decision.reasons[-1] if decision.reasons else "no reason recorded"
        if decision.status == "reverted":
            alerts.append(Alert(level="warning", message=f"Keeper transaction reverted ({decision.action}): {reason}"))
        elif decision.status in ("rejected", "failed"):
            alerts.append(Alert(level="warning", message=f"Keeper {decision.action} {decision.status} before it was "
                                                         f"sent: {reason}"))
        elif decision.status == "awaiting_approval":
            alerts.append(Alert(level="info", message=f"Plan {decision.id} ({decision.action}) awaits approval: "
                                                      f"alp approve {decision.id}"))
    if snapshot.keeper_last_cycle is not None and snapshot.keeper_interval:
        silent = snapshot.generated_at - snapshot.keeper_last_cycle
        if silent > STALL_INTERVALS * snapshot.keeper_interval:
            alerts.append(Alert(level="critical", message=f"Keeper stalled: no cycle for {silent // 60} min."))
    return alerts
