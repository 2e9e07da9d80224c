"""`alp demo` as a user runs it: its own anvil, the whole scenario, real numbers, nothing left running."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from .test_demo_interrupt import _alive


def test_demo__runs_scenario__reports_profit_and_stops_its_chain():
    # Its own process group, which its anvil joins: what is left of it afterwards is the demo's alone (anvils other
    # tests or users run elsewhere on the machine do not count).
    demo = subprocess.Popen([sys.executable, "-m", "keeper.cli", "demo", "--tour", "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = demo.communicate(timeout=300)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    assert demo.returncode == 0, stderr[-2000:]
    final = json.loads(stdout[stdout.index("{"):])
    # Interest was earned, locked, unlocked and paid out: Alice gets more than her 10,000 back.
    assert final["alice_received"] > 10_000
    assert final["share_price"] > 1
    assert final["fee_recipient_value"] > 0
    assert abs(final["total_assets"] - final["bob_value"] - final["fee_recipient_value"]) < 0.01
    # The demo's own anvil is gone.
    gone_by = time.monotonic() + 15
    while _alive(demo.pid) and time.monotonic() < gone_by:
        time.sleep(0.2)
    assert _alive(demo.pid) == [], _alive(demo.pid)
