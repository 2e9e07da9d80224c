"""`alp demo` as a user runs it: its own anvil, the whole scenario, real numbers, nothing left running."""

from __future__ import annotations

import json
import subprocess
import sys


def _anvils() -> set[int]:
    out = subprocess.run(["pgrep", "-x", "anvil"], capture_output=True, text=True).stdout
    return {int(pid) for pid in out.split()}


def test_demo__runs_scenario__reports_profit_and_stops_its_chain():
    before = _anvils()
    done = subprocess.run(
        [sys.executable, "-m", "keeper.cli", "demo", "--tour", "--json"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    final = json.loads(done.stdout[done.stdout.index("{"):])
    # Interest was earned, locked, unlocked and paid out: Alice gets more than her 10,000 back.
    assert final["alice_received"] > 10_000
    assert final["share_price"] > 1
    assert final["fee_recipient_value"] > 0
    assert abs(final["total_assets"] - final["bob_value"] - final["fee_recipient_value"]) < 0.01
    # The demo's own anvil is gone (the test session's chain, if any, was there before).
    assert _anvils() <= before
