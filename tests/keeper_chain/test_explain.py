"""`alp explain TX`: every keeper move carries the hash of its recorded plan on chain, and the store proves it."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from keeper.cycle import Keeper
from keeper.execute import rationale
from keeper.explain import explain_command
from keeper.store import Store

from .test_cycle import _history


def _config_file(tmp_path, settings) -> str:
    path = tmp_path / "keeper.yaml"
    path.write_text(yaml.safe_dump(settings.model_dump(mode="json")))
    return str(path)


def test_explain__rebalance_and_rerange__rationale_on_chain_matches_the_store(world, config, chain, tmp_path):
    settings = config()
    keeper = Keeper(settings, world["keeper"])
    _history(keeper, world, chain, busy_fee=500)
    moves = [keeper.cycle(), keeper.cycle()]  # the allocation, then the follow-up that places the range
    assert [m.state for m in moves] == ["confirmed", "confirmed"], [m.reasons for m in moves]
    path = _config_file(tmp_path, settings)
    store = Store(settings.store_url)
    for move in moves:
        tx = store.transactions(move.plan.id)[-1]["tx_hash"]
        result = CliRunner().invoke(explain_command, [tx, "--config", path, "--json"])
        assert result.exit_code == 0, result.output
        body = json.loads(result.output)
        assert body["matches"] and body["rationale"] == "0x" + move.plan.rationale.hex()
        assert body["move"] == move.plan.kind.value
        assert body["plan"]["body"]["model_version"] == rationale.MODEL_VERSION
        assert body["plan"]["body"]["inputs"]["vault"]["total_assets"] > 0
    human = CliRunner().invoke(explain_command, [tx, "--config", path])
    print("\n" + human.output)
    assert "matches" in human.output and "inputs:" in human.output


def test_explain__record_altered__says_it_does_not_match_and_exits_1(world, config, chain, tmp_path):
    settings = config()
    keeper = Keeper(settings, world["keeper"])
    _history(keeper, world, chain, busy_fee=500)
    move = keeper.cycle()
    assert move.state == "confirmed", move.reasons
    store = Store(settings.store_url)
    tx = store.transactions(move.plan.id)[-1]["tx_hash"]
    body = store.plan(move.plan.id)["body"]
    body["reasons"] = ["a reason nobody gave"]
    store._run("UPDATE plans SET body = :b WHERE id = :id", b=json.dumps(body), id=move.plan.id)
    result = CliRunner().invoke(explain_command, [tx, "--config", _config_file(tmp_path, settings)])
    assert result.exit_code == 1
    assert "DOES NOT MATCH" in result.output


def test_explain__transaction_that_is_not_a_keeper_move__one_line_error(world, config, chain, tmp_path):
    receipt = world["usdc"].mint(world["deployer"], 1, sender=world["deployer"])
    result = CliRunner().invoke(explain_command, [receipt.txn_hash, "--config", _config_file(tmp_path, config())])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "carries no keeper move" in lines[0], result.output
