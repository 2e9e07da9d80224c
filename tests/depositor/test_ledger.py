"""A depositor's history from the chain's events on a real vault: the fees their shares paid at a report (charged as
shares minted to the fee recipient) split between holders by what each held, deposits and withdrawals summed, the
report explained; and the page's API answering bad requests with a one-line 400."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from keeper import contracts
from keeper.dashboard.depositor_api import DepositorApi
from keeper.dashboard.server import DashboardServer
from keeper.deployment import Roles, add_strategy, deploy_erc4626_strategy, deploy_vault
from keeper.depositor.ledger import ledger
from keeper.depositor.position import position
from keeper.execute.rationale import NO_RATIONALE

USDC = 10**6
DAY = 86_400
PERFORMANCE_FEE_BPS, MANAGEMENT_FEE_BPS = 1_000, 200


@pytest.fixture(scope="module")
def world(accounts, chain):
    deployer, governance, curator, guardian, keeper, fee_recipient, alice, bob = accounts[:8]
    usdc = deployer.deploy(contracts.container("TestToken"), "USD Coin", "USDC", 6)
    deployment = deploy_vault(deployer, usdc, Roles(governance, curator, guardian, keeper, fee_recipient),
                              timelock_delay=60)
    vault = deployment.vault
    deployment.admin.call(vault, "setFees", PERFORMANCE_FEE_BPS, MANAGEMENT_FEE_BPS)
    source = deployer.deploy(contracts.container("TestLossyYieldVault"), usdc)  # can be broken: a reverting valuation
    lending = deploy_erc4626_strategy(deployer, deployment, source, "ALP lend", "alpL")
    add_strategy(deployment, lending, 10**13, 9_000)
    for who, amount in ((alice, 10_000), (bob, 30_000)):
        usdc.mint(who, amount * USDC, sender=deployer)
        usdc.approve(vault, amount * USDC, sender=who)
        vault.deposit(amount * USDC, who, sender=who)
    chain.pending_timestamp += vault.minRebalanceInterval()
    vault.rebalance([(lending.address, 20_000 * USDC)], chain.pending_timestamp + 600, NO_RATIONALE, sender=keeper)
    chain.pending_timestamp += 30 * DAY
    usdc.mint(source, 400 * USDC, sender=deployer)  # the lender's interest: 2 % on what the vault lent
    report = vault.harvest(lending, chain.pending_timestamp + 600, sender=keeper)
    vault.withdraw(1_000 * USDC, alice, alice, sender=alice)
    return dict(vault=vault, alice=alice, bob=bob, fee_recipient=fee_recipient, report=report,
                labels={lending.address: "Lending"}, source=source, deployer=deployer, deployment=deployment,
                lending=lending, keeper=keeper, usdc=usdc)


def test_ledger__fees_paid__split_by_holding_and_sum_to_the_minted_shares_value(world):
    vault, report = world["vault"], world["report"]
    [harvested] = [log for log in report.decode_logs(vault.Harvested)]
    assert harvested.gain > 0 and harvested.performanceFeeShares > 0 and harvested.managementFeeShares > 0
    alice = ledger(vault, world["alice"].address, world["labels"])
    bob = ledger(vault, world["bob"].address, world["labels"])
    minted_value = vault.convertToAssets(vault.balanceOf(world["fee_recipient"]), block_id=report.block_number)
    assert abs(alice.fees_paid_raw + bob.fees_paid_raw - minted_value) <= 2
    assert abs(3 * alice.fees_paid_raw - bob.fees_paid_raw) <= 3, "bob held three times alice's shares"
    assert alice.deposited_raw == 10_000 * USDC and alice.withdrawn_raw == 1_000 * USDC
    kinds = [e.kind for e in alice.activity]
    assert kinds == ["deposit", "report", "withdrawal"]
    assert "reported a gain of 400.00 USDC" in alice.activity[1].text
    assert "unlocks into the share price" in alice.activity[1].text


def test_ledger__polled_block_by_block__reads_only_new_blocks_and_adds_up_to_one_fresh_read(world, chain,
                                                                                              monkeypatch):
    from keeper.depositor import ledger as ledger_module

    vault, alice, labels = world["vault"], world["alice"].address, world["labels"]
    monkeypatch.setattr(ledger_module, "REORG_DEPTH", 2)  # the test chain is shorter than the real depth
    head = chain.blocks.head.number
    memo: dict = {}
    for block in range(head + 1):  # a page polling while the history happened
        polled = ledger(vault, alice, labels, head=block, memo=memo)
        assert polled == ledger(vault, alice, labels, head=block), f"at block {block}"
    settled = memo[("fold", vault.address, alice, 0)]
    assert settled.next_block == head - 1, "all but the last REORG_DEPTH blocks are kept, none read twice"
    read: list[tuple[str, int, int]] = []
    event_type = type(vault.Deposit)
    original = event_type.range

    def counting_range(self, start: int, stop: int, *args, **kwargs):
        read.append((self.name, start, stop))
        return original(self, start, stop, *args, **kwargs)

    monkeypatch.setattr(event_type, "range", counting_range)
    polled = ledger(vault, alice, labels, head=head, memo=memo)
    assert read and {(start, stop) for _, start, stop in read} == {(head - 1, head + 1)}, \
        "a poll reads only the unsettled tail"
    assert polled == ledger(vault, alice, labels, head=head)
    monkeypatch.undo()
    # Asked about a block before the settled history: that block's answer, and the memo is kept for later polls.
    assert ledger(vault, alice, labels, head=head - 5, memo=memo) == ledger(vault, alice, labels, head=head - 5)
    assert memo[("fold", vault.address, alice, 0)].next_block == head - 1


def test_ledger__settled_blocks_replaced__read_again(world, chain, monkeypatch):
    """A chain that loses settled blocks (a reorg deeper than REORG_DEPTH, or a dev chain's snapshot reverted) and
    mines others in their place: the memo is dropped, not trusted."""
    from keeper import contracts
    from keeper.depositor import ledger as ledger_module

    vault, alice, labels = world["vault"], world["alice"], world["labels"]
    usdc = contracts.at("TestToken", vault.asset())
    monkeypatch.setattr(ledger_module, "REORG_DEPTH", 1)
    memo: dict = {}
    snapshot = chain.snapshot()
    usdc.approve(vault, 500 * USDC, sender=alice)
    vault.deposit(500 * USDC, alice, sender=alice)
    chain.mine(3)
    with_deposit = ledger(vault, alice.address, labels, memo=memo)
    assert with_deposit.deposited_raw == 10_500 * USDC
    chain.restore(snapshot)
    chain.mine(5)  # other blocks at the same heights, without the deposit
    after = ledger(vault, alice.address, labels, memo=memo)
    assert after == ledger(vault, alice.address, labels) and after.deposited_raw == 10_000 * USDC


def test_ledger__fee_recipient_changed__fees_to_both_recipients_counted(world, chain, accounts):
    vault, alice = world["vault"], world["alice"].address
    before = ledger(vault, alice, world["labels"])
    world["deployment"].admin.call(vault, "setFeeRecipient", accounts[9].address)
    chain.pending_timestamp += 30 * DAY
    world["usdc"].mint(world["source"], 400 * USDC, sender=world["deployer"])
    report = vault.harvest(world["lending"], chain.pending_timestamp + 600, sender=world["keeper"])
    [minted] = [log for log in report.decode_logs(vault.Transfer) if log.to == accounts[9].address]
    held = vault.balanceOf(alice, block_id=report.block_number - 1) / vault.totalSupply(block_id=report.block_number - 1)
    second = vault.convertToAssets(minted.value, block_id=report.block_number) * held
    after = ledger(vault, alice, world["labels"])
    assert abs(after.fees_paid_raw - before.fees_paid_raw - second) <= 2, "the first recipient's fees still count"


def test_position__figures_are_the_vaults_views(world):
    vault, alice = world["vault"], world["alice"].address
    p = position(vault, alice, labels=world["labels"])
    shares = vault.balanceOf(alice)
    assert int(p["shares_raw"]) == shares
    assert int(p["value_raw"]) == vault.previewRedeem(shares)
    assert int(p["withdrawable_now_raw"]) == vault.maxWithdraw(alice)
    assert int(p["redeemable_now_raw"]) == vault.maxRedeem(alice)
    assert p["profit"] == pytest.approx(p["value"] + 1_000 - 10_000)


def test_position__a_strategy_whose_valuation_reverts__named_not_fatal(world):
    vault, alice = world["vault"], world["alice"].address
    world["source"].setBroken(True, sender=world["deployer"])
    p = position(vault, alice, labels=world["labels"])
    [lending] = [s for s in p["sources"] if s["name"] == "Lending"]
    assert "cannot be valued" in lending["note"] and lending["available_raw"] == "0"
    assert int(p["withdrawable_now_raw"]) == vault.maxWithdraw(alice)


def test_position__as_of_one_block__every_figure_from_that_block(world):
    vault, alice = world["vault"], world["alice"].address
    before = world["report"].block_number - 1  # before the report and Alice's withdrawal
    p = position(vault, alice, labels=world["labels"], block=before)
    shares = vault.balanceOf(alice, block_id=before)
    assert p["block"] == before and shares != vault.balanceOf(alice), "the test needs a block that differs from now"
    assert int(p["shares_raw"]) == shares
    assert int(p["value_raw"]) == vault.previewRedeem(shares, block_id=before)
    assert int(p["withdrawable_now_raw"]) == vault.maxWithdraw(alice, block_id=before)
    assert int(p["redeemable_now_raw"]) == vault.maxRedeem(alice, block_id=before)
    assert p["withdrawn"] == 0 and [e["kind"] for e in p["activity"]] == ["deposit"], "the ledger stops there too"


def _request(url: str, body: dict | None = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST" if data else "GET")) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.parametrize("body, expected", [
    ({"action": "steal", "owner": "0x" + "11" * 20, "amount": "1"}, "deposit, withdraw or redeem"),
    ({"action": "deposit", "owner": "0x1234", "amount": "1"}, "is not an address"),
    ({"action": "deposit", "owner": "0x" + "11" * 20, "amount": "ten"}, "type a number"),
    ({"action": "deposit", "owner": "0x" + "11" * 20, "amount": "0.0000001"}, "at most 6 decimals"),
    ({"action": "deposit", "owner": "0x" + "11" * 20, "amount": "NaN"}, "type a number"),
    ({"action": "deposit", "owner": "0x" + "11" * 20, "amount": "1e999"}, "type a number"),
    ({"action": "withdraw", "owner": "0x" + "11" * 20, "amount": "1", "max_loss_bps": "1%"}, "basis points"),
    ({"action": "withdraw", "owner": "0x" + "11" * 20, "amount": "1", "max_loss_bps": 20_000}, "outside 0..10000"),
])
def test_depositor_api__bad_request__one_line_400(world, body, expected):
    api = DepositorApi(world["vault"], labels=world["labels"])
    with DashboardServer(lambda: None, depositor=api) as server:
        status, answer = _request(server.url + "api/prepare", body)
        assert status == 400 and expected in answer["error"] and "\n" not in answer["error"], answer
        status, answer = _request(server.url + "api/position?address=nobody")
        assert status == 400 and "is not an address" in answer["error"]


def test_depositor_api__malformed_body__400_not_a_hang(world):
    import http.client

    api = DepositorApi(world["vault"], labels=world["labels"])
    with DashboardServer(lambda: None, depositor=api) as server:
        host, port = server.url.split("//")[1].rstrip("/").split(":")
        for length, body in (("-1", b"{}"), ("abc", b"{}"), ("2", b"[[")):
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            conn.putrequest("POST", "/api/prepare")
            conn.putheader("Content-Length", length)
            conn.endheaders()
            conn.send(body)
            response = conn.getresponse()
            assert response.status == 400, (length, response.status)
            conn.close()


def test_depositor_api__refused_deposit__the_vaults_reason_in_words(world):
    api = DepositorApi(world["vault"], labels=world["labels"])
    prepared = api.prepare({"action": "deposit", "owner": world["alice"].address, "amount": "1000000"})
    assert not prepared["ready"] and "less than 1,000,000.00 USDC" in prepared["refused"]
    too_much = api.prepare({"action": "withdraw", "owner": world["alice"].address, "amount": "50000",
                            "max_loss_bps": 100})
    assert "you can withdraw at most" in too_much["refused"] and "ERC4626ExceededMaxWithdraw" in too_much["refused"]
