"""The depositor page in headless Chromium against a real vault on anvil, with a minimal injected EIP-1193 provider
that forwards every request to the anvil node, whose unlocked account signs (a test double for a browser wallet: no
wallet extension can run here; what it forwards to is the real node). Through the page only: connect, deposit
(with the approval step), see the position update without a reload, see a withdrawal refused with the vault's reason,
withdraw with a max loss. Every figure the page shows is checked against the vault's own views for that address.
Screenshots: out/depositor-page.png and out/operator-dashboard.png (copied to docs/)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from keeper import contracts
from keeper.dashboard.chain_feed import ChainFeed, WatchedVault
from keeper.dashboard.depositor_api import DepositorApi
from keeper.dashboard.server import DashboardServer
from keeper.deployment import Roles, add_strategy, deploy_univ3_strategy, deploy_vault
from keeper.execute.rationale import NO_RATIONALE
from keeper.localnet.market import deploy_market
from keeper.univ3.ticks import nearest_usable_tick

from .test_dashboard_page import CHROMIUM, CHROMIUM_ARGS, WAIT_MS

OUT = Path(__file__).resolve().parents[2] / "out"
USDC = 10**6
HOUR = 3_600
RANGE_HALF_WIDTH = 0.05

# The wallet: EIP-1193's `request` and `on`, accounts from the node, every other call forwarded to it as JSON-RPC.
PROVIDER = """
(() => {
  const RPC = %(rpc)r, ACCOUNT = %(account)r, listeners = {};
  let id = 0;
  async function forward(method, params) {
    const response = await fetch(RPC, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params || [] }) });
    const body = await response.json();
    if (body.error) { const err = new Error(body.error.message); err.code = body.error.code; throw err; }
    return body.result;
  }
  window.__sent = 0;
  window.ethereum = {
    async request({ method, params }) {
      if (method === "eth_requestAccounts" || method === "eth_accounts") return [ACCOUNT];
      if (method === "eth_sendTransaction") window.__sent += 1;
      return forward(method, params);
    },
    on(event, handler) { (listeners[event] = listeners[event] || []).push(handler); },
  };
})();
"""


@pytest.fixture(scope="module")
def world(accounts, chain):
    deployer, governance, curator, guardian, keeper, fee_recipient, alice, lp, bob = accounts[:9]
    market = deploy_market(deployer, lp=lp)
    usdc = market.tokens["USDC"]
    deployment = deploy_vault(deployer, usdc, Roles(governance, curator, guardian, keeper, fee_recipient),
                              timelock_delay=60)
    vault = deployment.vault
    pool = market.pool("WETH", "USDC", 500)
    ranged = deploy_univ3_strategy(deployer, deployment, pool, "ALP range", "alpR")
    add_strategy(deployment, ranged, 10**13, 9_500)
    market.fund(bob, "USDC", 20_000 * USDC)
    usdc.approve(vault, 20_000 * USDC, sender=bob)
    vault.deposit(20_000 * USDC, bob, sender=bob)
    market.fund(alice, "USDC", 50_000 * USDC)  # no approval: the page asks for it
    chain.pending_timestamp += 2 * HOUR  # the pool's oracle needs history before a TWAP-checked range
    chain.mine()
    return dict(market=market, vault=vault, ranged=ranged, pool=pool, keeper=keeper, alice=alice, usdc=usdc)


def _into_the_range(world, chain):
    """The keeper puts 95 % of the vault in one ±5 % range (two moves: each may turn over at most half of it)."""
    vault, keeper, ranged, pool = world["vault"], world["keeper"], world["ranged"], world["pool"]
    total = vault.totalAssets()
    for share in (50, 95):
        chain.pending_timestamp += vault.minRebalanceInterval()
        vault.rebalance([(ranged.address, total * share // 100)], chain.pending_timestamp + 600, NO_RATIONALE,
                        sender=keeper)
    tick, spacing = pool.slot0().tick, pool.tickSpacing()
    away = math.log(1 + RANGE_HALF_WIDTH) / math.log(1.0001)
    lower, upper = nearest_usable_tick(tick - away, spacing), nearest_usable_tick(tick + away, spacing)
    debt = vault.strategies(ranged).currentDebt
    ranged.rebalanceRange((lower, upper, ranged.assetIsToken0(), debt // 2, 0), chain.pending_timestamp + 600,
                          NO_RATIONALE, sender=keeper)


def _figures(page) -> dict[str, int]:
    return {name: int(page.get_attribute(f"#pos-{name} .value", "data-raw"))
            for name in ("shares", "value", "now", "unwind")}


def _vault_views(vault, owner) -> dict[str, int]:
    shares = vault.balanceOf(owner)
    value = vault.previewRedeem(shares)
    return {"shares": shares, "value": value, "now": vault.maxWithdraw(owner),
            "unwind": min(value, vault.liquidAssets(True))}


def _wait_result(page, kind: str) -> str:
    """The outcome line once it reads `kind` (ok | refused); fails with what the page said instead."""
    try:
        page.wait_for_selector(f"#tx-result[data-kind={kind}]", timeout=WAIT_MS)
    except Exception:
        raise AssertionError(f"expected {kind}, the page says: {page.inner_text('#tx-result')!r} "
                             f"{page.inner_text('#alerts')!r} {page.inner_text('#status')!r}") from None
    return page.inner_text("#tx-result")


def _wait_for_block(page, block: int) -> None:
    page.wait_for_function(f"Number(document.getElementById('position').dataset.block || 0) >= {block}",
                           timeout=WAIT_MS)


def test_depositor_page__connect_deposit_refused_and_lossy_withdrawal__figures_equal_the_vaults(world, chain):
    from playwright.sync_api import sync_playwright

    vault, alice, usdc = world["vault"], world["alice"], world["usdc"]
    api = DepositorApi(vault, labels={world["ranged"].address: "WETH/USDC 0.05 %"}, chain_name="anvil")
    feed = ChainFeed(WatchedVault(vault, "ALP test vault", {world["ranged"].address: "WETH/USDC 0.05 %"}),
                     chain_name="anvil")
    feed.refresh()
    wallet = PROVIDER % {"rpc": chain.provider.uri, "account": alice.address}
    with DashboardServer(feed.snapshot, depositor=api) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1500})
            context.add_init_script(wallet)
            page = context.new_page()
            page.goto(server.url + "depositor")
            page.wait_for_function("document.getElementById('status').textContent.startsWith('updated')",
                                   timeout=WAIT_MS)
            page.evaluate("window.__sameDocument = true")

            # Connect: the page asks the wallet for its account and checks it is on the vault's chain.
            page.click("#connect")
            page.wait_for_function(f"document.getElementById('account').textContent.includes({alice.address!r})",
                                   timeout=WAIT_MS)
            assert _figures(page)["shares"] == 0

            # Deposit 10,000 USDC: the preview as typed, then approval and deposit, both signed by the wallet.
            page.fill("#deposit-amount", "10000")
            page.wait_for_function("document.getElementById('deposit-preview').textContent.includes('shares')",
                                   timeout=WAIT_MS)
            assert "approve" in page.inner_text("#deposit-preview")
            expected_shares = vault.previewDeposit(10_000 * USDC)
            page.click("#deposit-button")
            _wait_result(page, "ok")
            assert page.evaluate("window.__sent") == 2, "an approval and a deposit"
            assert vault.balanceOf(alice) == expected_shares
            _wait_for_block(page, chain.blocks.head.number)
            assert _figures(page) == _vault_views(vault, alice)
            assert "+0.00 USDC" in page.inner_text("#pos-profit") or "-0.00" in page.inner_text("#pos-profit")
            assert "deposited 10,000.00 USDC" in page.inner_text("#activity")

            # The keeper moves 95 % into a range: most of Alice's money now needs unwinding to come out.
            _into_the_range(world, chain)
            _wait_for_block(page, chain.blocks.head.number)
            figures = _figures(page)
            assert figures == _vault_views(vault, alice)
            assert figures["now"] < 9_000 * USDC < figures["unwind"]
            assert "max loss" in page.inner_text("#why")
            assert "WETH/USDC 0.05 %" in page.inner_text("#sources")

            # 9,000 with no max loss: refused before anything is sent, with the vault's reason in words.
            sent, balance = page.evaluate("window.__sent"), usdc.balanceOf(alice)
            page.fill("#withdraw-amount", "9000")
            page.click("#withdraw-button")
            refusal = _wait_result(page, "refused")
            assert "WithdrawLossExceeded" in refusal and "max loss" in refusal, refusal
            assert page.evaluate("window.__sent") == sent and usdc.balanceOf(alice) == balance

            # The same with a 1 % max loss: sent, paid, and the position follows without a reload.
            page.fill("#max-loss", "1")
            page.click("#withdraw-button")
            _wait_result(page, "ok")
            received = usdc.balanceOf(alice) - balance
            assert 8_910 * USDC <= received <= 9_000 * USDC, received
            _wait_for_block(page, chain.blocks.head.number)
            assert _figures(page) == _vault_views(vault, alice)
            assert "withdrew" in page.inner_text("#activity")
            assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
            page.wait_for_function("document.querySelectorAll('#chart-share path').length >= 2", timeout=WAIT_MS)
            OUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUT / "depositor-page.png"), full_page=True)

            # The operator's page of the same vault: the withdrawal that emptied the idle buffer is explained.
            feed.refresh()
            operator = context.new_page()
            operator.goto(server.url)
            operator.wait_for_function("Number(document.body.dataset.updates || 0) >= 1", timeout=WAIT_MS)
            alerts = operator.inner_text("#alerts")
            assert "Depositors withdrew" in alerts and "not a keeper breach" in alerts, alerts
            assert "breached" not in alerts.lower()
            assert "% per share" in operator.inner_text("#legend-value")
            operator.screenshot(path=str(OUT / "operator-dashboard.png"), full_page=True)
        finally:
            browser.close()
    assert (OUT / "depositor-page.png").stat().st_size > 10_000
