"""The operator's, curator's and depositor's path through the `alp` command line alone, on local anvils carrying
the chain ids of Base, Arbitrum, BNB Chain and Avalanche: deploy from a spec, deposit, a keeper cycle, tighten,
propose a loosening and execute it after the delay, pause with exits still open, redeem, and the position before
and after."""

from __future__ import annotations

import json

import yaml

from .conftest import DAY, HOUR, advance, alp, dashboard_snapshot, market_activity, write_spec

ALICE = "test:6"


def test_operator_path__deploy_deposit_keep_curate_pause_redeem(local_chain, tmp_path):
    url = local_chain.url
    spec = write_spec(tmp_path, local_chain.market, name="ALP USDC operator path")
    assert json.loads(alp("deploy", str(spec), "--network", url, "--account", "test:1", "--json").stdout)["state"] \
        == "waiting"
    advance(url, DAY + 1)
    deployed = json.loads(alp("deploy", str(spec), "--network", url, "--account", "test:1", "--json").stdout)
    assert deployed["state"] == "verified"
    vault = deployed["contracts"]["vault"]["address"]
    on = ("--network", url, "--vault", vault)

    def position() -> dict:
        return json.loads(alp("position", *on, "--account", ALICE, "--json").stdout)

    def show() -> dict:
        return json.loads(alp("vault", "show", *on, "--json").stdout)

    # Depositor: nothing, then a deposit (the approval happens on the way).
    before = position()
    assert before["shares"] == 0 and before["value"] == 0
    out = alp("deposit", *on, "--account", ALICE, "100000").stdout
    assert "approved 100000 USDC" in out and "deposited 100000 USDC" in out
    after = position()
    assert after["value"] > 99_999 and after["deposited"] == 100_000 and abs(after["profit"]) < 1
    assert after["withdrawable_now"] == after["value"], "all idle: everything is withdrawable loss-free"

    # Keeper: its first cycle observes; with trading in the 0.05 % pool and interest in lending between cycles, it
    # allocates.
    config = tmp_path / "keeper.yaml"
    config.write_text(yaml.safe_dump({"network": url, "vault": vault, "account": "test:4", "mode": "autonomous",
                                      "store": str(tmp_path / "keeper.sqlite"), "cost_margin": 1.0}))
    states = []
    for _ in range(3):
        done = alp("once", "--config", str(config), "--json", check=False)
        assert done.returncode in (0, 3, 4), done.stderr
        result = json.loads(done.stdout)
        states.append(result["state"])
        market_activity(url, local_chain.market)
        advance(url, HOUR)
    # A confirmed reallocation is followed at once by the ranges it funded (`alp run` chains these itself).
    for _ in range(2):
        states.append(json.loads(alp("once", "--config", str(config), "--json", check=False).stdout)["state"])
    print(f"\nkeeper cycles on {local_chain.name}: {states}")
    assert states[0] == "no-action", "the first cycle has no history to act on"
    assert "confirmed" in states, states
    invested = show()
    assert invested["debt"] > 0 and any(s["debt"] > 0 for s in invested["strategies"])
    placed = [s["name"] for s in invested["strategies"] if s["kind"] == "uniswap-v3" and s["range"]]
    print(f"ranges placed on {local_chain.name}: {placed}")
    assert placed, "the funded ranges are placed"

    # The dashboard pointed at this vault (it did not deploy it) finds its ranges on the chain, by name.
    snapshot = dashboard_snapshot(url, vault)
    tracks = {t["strategy"]: t for t in snapshot["ranges"]}
    assert set(tracks) == {"WETH/USDC 0.05 %", "WETH/USDC 0.3 %"}
    for name in placed:
        point = tracks[name]["points"][-1]
        assert point["lower"] < point["upper"], f"{name}: its range is drawn"

    # Curator tightens at once; a loosening by the curator is refused with the vault's reason.
    alp("vault", "tighten", *on, "--account", "test:2", "max_turnover_bps", "3000")
    refused = alp("vault", "tighten", *on, "--account", "test:2", "max_turnover_bps", "8000", check=False)
    assert refused.returncode != 0 and "Unauthorized" in refused.stderr and "alp vault propose" in refused.stderr
    assert show()["guardrails"]["max_turnover_bps"] == 3000

    # Governance proposes the loosening; it waits for the timelock's day, then executes.
    out = alp("vault", "propose", *on, "--account", "test:1", "max_turnover_bps", "8000").stdout
    op = out.split("operation ")[1].split(",")[0]
    pending = show()["timelock"]["pending"]
    assert [p["id"] for p in pending] == [op] and pending[0]["state"] == "waiting"
    early = alp("vault", "execute", *on, "--account", "test:1", op, check=False)
    assert early.returncode != 0 and "waits for its delay" in early.stderr
    advance(url, DAY + 1)
    alp("vault", "execute", *on, "--account", "test:1", op)
    state = show()
    assert state["guardrails"]["max_turnover_bps"] == 8000 and state["timelock"]["pending"] == []

    # Guardian pauses: deposits refused, exits still open.
    alp("vault", "pause", *on, "--account", "test:3")
    assert show()["paused"] is True
    refused = alp("deposit", *on, "--account", ALICE, "10", check=False)
    assert refused.returncode != 0 and "at most 0.00 USDC" in refused.stderr
    held = position()
    print(f"position before redeeming, paused: {held['value']:,.2f} USDC, {held['withdrawable_now']:,.2f} loss-free, "
          f"{held['withdrawable_unwinding']:,.2f} unwinding")
    out = alp("redeem", *on, "--account", ALICE, "all", "--max-loss-bps", "100").stdout
    received = float(out.split("received ")[1].split(" USDC")[0].replace(",", ""))
    assert received >= held["value"] * 0.99
    final = position()
    assert final["shares"] == 0 and final["value"] == 0
    assert abs(final["withdrawn"] - received) < 0.01
    assert abs(final["profit"] - (received - 100_000)) < 0.01
