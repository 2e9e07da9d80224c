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
START_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_dashboard__live_charts_and_a_new_move_without_reload(tmp_path):
    from playwright.sync_api import sync_playwright

    port = _free_port()
    demo = subprocess.Popen([sys.executable, "-m", "keeper.cli", "demo", "--days", "2", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert demo.poll() is None, demo.communicate()[0][-3000:]
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 1500})
                page.goto(url)
                page.wait_for_function("Number(document.body.dataset.updates || 0) >= 1", timeout=30_000)
                assert re.search(r"\d{2,3},\d{3}\.\d{2} USDC", page.inner_text("#cards")), page.inner_text("#cards")
                page.evaluate("window.__sameDocument = true")
                page.wait_for_function("document.querySelectorAll('#decisions tbody tr').length >= 1", timeout=90_000)
                first = page.locator("#decisions tbody tr").count()
                page.wait_for_function(f"document.querySelectorAll('#decisions tbody tr').length > {first}",
                                       timeout=90_000)
                assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
                assert int(page.get_attribute("#chart-value", "data-points")) >= 2
                assert "static control" in page.inner_text("#legend-value")
                # The keeper's risk scores, read from its store: one bar per strategy, each with a number.
                page.wait_for_function("document.querySelectorAll('#risk .bar').length >= 3", timeout=60_000)
                assert re.search(r"\d\.\d{2} [a-z]", page.inner_text("#risk")), page.inner_text("#risk")
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOT), full_page=True)
            finally:
                browser.close()
        output, _ = demo.communicate(timeout=300)
        assert demo.returncode == 0, output[-3000:]
        assert "static control" in output and "keeper moves" in output
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGINT)
            demo.wait(timeout=30)
