"""Ctrl-C during `alp demo` leaves nothing running: not the local chain, not the dashboard."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

STARTUP_SECONDS = 180


def _alive(pgid: int) -> list[str]:
    """Processes still in the demo's process group (anvil is started inside it)."""
    out = subprocess.run(["ps", "-o", "pid=,args=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def test_ctrl_c_mid_replay__stops_chain_and_dashboard(tmp_path):
    demo = subprocess.Popen([sys.executable, "-m", "keeper.cli", "demo", "--days", "30", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    pgid = demo.pid
    seen = []
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        for line in demo.stdout:  # wait until the replay is under way (keeper and dashboard up)
            seen.append(line)
            if line.startswith("dashboard:") or time.monotonic() > deadline:
                break
        assert any(line.startswith("dashboard:") for line in seen), "".join(seen)[-3000:]
        assert any("anvil" in p for p in _alive(pgid)), _alive(pgid)
        time.sleep(5)
        os.killpg(pgid, signal.SIGINT)  # what a terminal's Ctrl-C sends to the whole foreground group
        output = "".join(seen) + demo.communicate(timeout=60)[0]
        assert "interrupted" in output and demo.returncode == 130, (demo.returncode, output[-2000:])
        gone_by = time.monotonic() + 15  # an anvil told to stop may take a moment on a loaded machine
        while _alive(pgid) and time.monotonic() < gone_by:
            time.sleep(0.2)
        assert _alive(pgid) == [], _alive(pgid)
    finally:
        if demo.poll() is None:
            os.killpg(pgid, signal.SIGKILL)
            demo.wait(timeout=30)
        for line in _alive(pgid):  # never leave anything behind, even when the test fails
            os.kill(int(line.split()[0]), signal.SIGKILL)
