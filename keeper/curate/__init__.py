"""Curator, guardian and governance commands on a deployed vault: show it, tighten at once, propose a loosening on
the timelock, execute or cancel it after its delay, pause, revoke a strategy, shut down."""
