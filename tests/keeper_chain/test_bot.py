"""The keeper as a silverback bot against the local market: it starts, runs its first cycle, and records it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import yaml

from keeper.store import Store

BOT_START_SECONDS = 90


def test_silverback_bot__starts_and_records_a_cycle(world, config, tmp_path):
    settings = config(mode="dry-run")
    path = tmp_path / "keeper.yaml"
    path.write_text(yaml.safe_dump(settings.model_dump(mode="json")))
    silverback = os.path.join(os.path.dirname(sys.executable), "silverback")
    log = tmp_path / "bot.log"  # a file, not a pipe nobody reads while waiting: a chatty bot never blocks on it
    process = subprocess.Popen(
        [silverback, "run", "keeper.bot:bot", "--network", settings.network],
        env={**os.environ, "ALP_CONFIG": str(path)}, stdout=log.open("w"), stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    store = Store(settings.store_url)
    try:
        deadline = time.monotonic() + BOT_START_SECONDS
        while time.monotonic() < deadline and not store.decisions() and process.poll() is None:
            time.sleep(0.5)
        decisions = store.decisions()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        output = log.read_text()
    assert decisions, f"the bot recorded no cycle; its output:\n{output[-3000:]}"
    assert decisions[0]["vault"] == world["vault"].address
