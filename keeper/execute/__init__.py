"""Execution: plan → local guardrail check → simulation → send with own nonce and gas caps → confirm → record.
Fails closed: when in doubt, do nothing and say why."""
