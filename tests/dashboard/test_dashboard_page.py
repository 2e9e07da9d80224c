"""The dashboard in headless Chromium against a real vault on anvil: real numbers render, and a keeper rebalance
sent while the page is open shows up without a reload. Saves a screenshot to out/dashboard.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from keeper.dashboard.chain_feed import ChainFeed, WatchedVault
from keeper.dashboard.server import DashboardServer
from keeper.deployment import Roles, add_strategy, deploy_erc4626_strategy, deploy_vault
from keeper import contracts
from keeper.execute.rationale import NO_RATIONALE

CHROMIUM = "/usr/bin/chromium"
# How long the page may take to show what the chain says: a poll is 2 s, but on a loaded 2-core machine the server's
# chain reads share the interpreter with the test and the browser (waiting costs nothing when they are quick).
WAIT_MS = 60_000
SCREENSHOT = Path(__file__).resolve().parents[2] / "out" / "dashboard.png"
USDC = 10**6
# Headless flags for a machine without outbound network: no background calls home, no sandbox as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def world(accounts, chain):
    deployer, governance, curator, guardian, keeper, fee_recipient, alice = accounts[:7]
    asset = deployer.deploy(contracts.container("TestToken"), "USD Coin", "USDC", 6)
    deployment = deploy_vault(deployer, asset, Roles(governance, curator, guardian, keeper, fee_recipient),
                              timelock_delay=60)
    vault = deployment.vault
    strategies = []
    for name in ("A", "B"):
        source = deployer.deploy(contracts.container("TestYieldVault"), asset, f"Lending {name}", f"lend{name}")
        strategy = deploy_erc4626_strategy(deployer, deployment, source, f"ALP lend {name}", f"alp{name}")
        add_strategy(deployment, strategy, 1_000_000 * USDC, 6_000)
        strategies.append(strategy)
    asset.mint(alice, 50_000 * USDC, sender=deployer)
    asset.approve(vault, 50_000 * USDC, sender=alice)
    vault.deposit(50_000 * USDC, alice, sender=alice)
    labels = {strategies[0].address: "lending A", strategies[1].address: "lending B"}
    return dict(vault=vault, keeper=keeper, strategies=strategies, labels=labels)


def _rebalance(world, chain, debts):
    vault = world["vault"]
    targets = sorted(((s.address, d) for s, d in zip(world["strategies"], debts)), key=lambda t: int(t[0], 16))
    chain.pending_timestamp += vault.minRebalanceInterval()
    return vault.rebalance(targets, chain.pending_timestamp + 600, NO_RATIONALE, sender=world["keeper"])


def test_dashboard__renders_real_numbers__and_new_rebalance_appears_live(world, chain):
    from playwright.sync_api import sync_playwright

    first = _rebalance(world, chain, [15_000 * USDC, 10_000 * USDC])
    feed = ChainFeed(WatchedVault(world["vault"], "ALP test vault", world["labels"]), chain_name="anvil")
    feed.refresh()
    with DashboardServer(feed.snapshot) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(server.url)
            page.wait_for_function("Number(document.body.dataset.updates || 0) >= 1", timeout=WAIT_MS)
            # Real numbers from the chain, not placeholders.
            assert "50,000.00 USDC" in page.inner_text("#cards")
            assert page.inner_text("#decisions tbody").count("rebalance") == 1
            assert first.txn_hash[:10] in page.inner_text("#decisions tbody")
            assert "deposit" in page.inner_text("#decisions tbody")  # alice's 50,000: a flow that moves the charts
            assert int(page.get_attribute("#chart-allocation", "data-points")) >= 1
            assert page.locator("#chart-value path").count() >= 1
            assert "lending A" in page.inner_text("#legend-allocation")
            assert "cap lending A" in page.inner_text("#guardrails")

            # A marker on the window survives only if the page is never reloaded.
            page.evaluate("window.__sameDocument = true")
            second = _rebalance(world, chain, [25_000 * USDC, 15_000 * USDC])
            feed.refresh()
            page.wait_for_function(
                "document.querySelectorAll('#decisions tbody tr').length === 3", timeout=15_000
            )
            assert page.evaluate("window.__sameDocument === true")
            assert second.txn_hash[:10] in page.inner_text("#decisions tbody")
            assert int(page.get_attribute("#chart-value", "data-points")) >= 2
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
