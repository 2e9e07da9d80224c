"""Browser test of the main job: `alp demo` runs a short replay with its dashboard; headless Chromium watches it,
sees charts with real numbers, and sees a new keeper move appear without reloading. Screenshot: out/demo-dashboard.png."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from .test_dashboard_page import CHROMIUM, CHROMIUM_ARGS

SCREENSHOT = Path(__file__).resolve().parents[2] / "out" / "demo-dashboard.png"
DEPOSITOR_SCREENSHOT = SCREENSHOT.with_name("demo-depositor.png")
BOB = 7  # the demo's depositors are Ape's test accounts: Bob stays in both vaults to the end
START_SECONDS = 300  # deploys a market and two vaults with timelocked steps first
# The replay adds a row every few replayed hours; a loaded machine can take minutes between them.
ROW_WAIT_MS = 180_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _read_until(process: subprocess.Popen, marker: str, timeout: float) -> str:
    """The process's output up to and including the first line holding `marker` (it keeps running)."""
    deadline, lines = time.monotonic() + timeout, []
    for line in process.stdout:
        lines.append(line)
        if marker in line or time.monotonic() > deadline:
            break
    return "".join(lines)


def test_demo_dashboard__live_charts_and_a_new_move_without_reload(tmp_path):
    from playwright.sync_api import sync_playwright

    port = _free_port()
    demo = subprocess.Popen([sys.executable, "-m", "keeper.cli", "demo", "--days", "2", "--port", str(port),
                             "--keep-running"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert demo.poll() is None, demo.communicate()[0][-3000:]
                assert time.monotonic() < deadline, f"the demo served nothing on port {port} in {START_SECONDS} s"
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 1500})
                page.goto(url)
                page.wait_for_function("Number(document.body.dataset.updates || 0) >= 1", timeout=30_000)
                assert re.search(r"\d{2,3},\d{3}\.\d{2} USDC", page.inner_text("#cards")), page.inner_text("#cards")
                page.evaluate("window.__sameDocument = true")
                page.wait_for_function("document.querySelectorAll('#decisions tbody tr').length >= 1",
                                       timeout=ROW_WAIT_MS)
                first = page.locator("#decisions tbody tr").count()
                page.wait_for_function(f"document.querySelectorAll('#decisions tbody tr').length > {first}",
                                       timeout=ROW_WAIT_MS)
                assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
                assert int(page.get_attribute("#chart-value", "data-points")) >= 2
                assert "static control" in page.inner_text("#legend-value")
                # The keeper's risk scores, read from its store: one bar per strategy, each with a number.
                page.wait_for_function("document.querySelectorAll('#risk .bar').length >= 3", timeout=60_000)
                assert re.search(r"\d\.\d{2} [a-z]", page.inner_text("#risk")), page.inner_text("#risk")
                # The demo ends, prints its comparison and keeps the dashboard up (--keep-running): the
                # screenshot shows the whole run.
                output = _read_until(demo, "keeping chain and dashboard up", timeout=300)
                assert "static control" in output and "keeper moves" in output, output[-3000:]
                # A poll after the last refresh draws the keeper's ranges against the pool's price.
                page.wait_for_function("document.querySelectorAll('#ranges rect').length >= 1", timeout=60_000)
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOT), full_page=True)
                # Replayed market dates are told apart from the local chain's clock.
                assert "replaying recorded market history" in page.inner_text("#clock")

                # The depositor page of the same vault, watching Bob: his position, the share's worth against the
                # control, and the replay's two clocks.
                from ape import accounts

                depositor = browser.new_page(viewport={"width": 1280, "height": 1500})
                depositor.goto(url + "depositor")
                depositor.fill("#watch-address", accounts.test_accounts[BOB].address)
                depositor.click("#watch")
                depositor.wait_for_function("Number(document.body.dataset.positionUpdates || 0) >= 1", timeout=30_000)
                assert re.search(r"\d{2},\d{3}\.\d{2} USDC", depositor.inner_text("#pos-value")), \
                    depositor.inner_text("#position")
                assert "static control" in depositor.inner_text("#legend-share")
                assert "the market was at 20" in depositor.inner_text("#clock")
                assert "WETH/USDC" in depositor.inner_text("#strategies")
                depositor.screenshot(path=str(DEPOSITOR_SCREENSHOT), full_page=True)
            finally:
                browser.close()
        os.killpg(demo.pid, signal.SIGINT)
        rest, _ = demo.communicate(timeout=60)
        assert demo.returncode == 130 and "interrupted" in rest, (demo.returncode, rest[-2000:])
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGINT)
            try:
                demo.wait(timeout=30)
            except subprocess.TimeoutExpired:  # never leave the demo's anvil behind
                os.killpg(demo.pid, signal.SIGKILL)
                demo.wait()
