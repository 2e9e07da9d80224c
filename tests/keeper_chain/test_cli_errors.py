"""Bad inputs that need a chain to be recognised: each ends the command at start with one line naming the problem
and the fix, and a non-zero exit code; nothing is sent."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from keeper import contracts
from keeper.commands import once, status
from keeper.cycle import Keeper

from .conftest import rebalances
from .test_cycle import _history

NOT_A_CONTRACT = "0x" + "de" * 20


def _config_file(tmp_path, config, **overrides) -> str:
    path = tmp_path / "keeper.yaml"
    path.write_text(yaml.safe_dump(config(**overrides).model_dump(mode="json")))
    return str(path)


def _one_line_error(result) -> str:
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert result.exit_code == 1, result.output
    assert len(lines) == 1, result.output
    return lines[0]


def test_vault_address_without_a_contract__refused_at_start(world, config, tmp_path):
    path = _config_file(tmp_path, config, vault=NOT_A_CONTRACT)
    for command in (once, status):
        line = _one_line_error(CliRunner().invoke(command, ["--config", path]))
        assert "no contract at this address" in line and "check the address and the network" in line


def test_address_of_a_token__not_an_alp_vault(world, config, tmp_path):
    path = _config_file(tmp_path, config, vault=world["usdc"].address)
    line = _one_line_error(CliRunner().invoke(once, ["--config", path, "--dry-run"]))
    assert "is not an ALP vault" in line


def test_account_without_keeper_role__refused_before_any_simulation(world, config, tmp_path, chain):
    start = chain.blocks.head.number
    path = _config_file(tmp_path, config, account="test:6")  # alice, a depositor
    line = _one_line_error(CliRunner().invoke(once, ["--config", path]))
    assert "does not hold KEEPER_ROLE" in line and "set this one as keeper" in line
    assert rebalances(world["vault"], start) == 0


def test_status__names_strategies_amounts_and_roles__json_is_only_json(world, config, tmp_path):
    path = _config_file(tmp_path, config)
    human = CliRunner().invoke(status, ["--config", path])
    assert human.exit_code == 0, human.output
    assert "WETH/USDC 0.05 %" in human.output and "WETH/USDC 0.3 %" in human.output
    assert " USDC" in human.output and "keeper account test:4: keeper" in human.output
    machine = CliRunner(mix_stderr=False).invoke(status, ["--config", path, "--json"])
    body = json.loads(machine.stdout)
    assert body["asset"] == {"symbol": "USDC", "decimals": 6}
    # The rolling budget's headroom, as the vault reports it: a fresh vault has all of today's left.
    gross = world["vault"].totalIdle() + world["vault"].totalDebt()
    assert body["limits"]["loss_budget_left"] == gross * world["vault"].lossBudgetBps() // 10_000
    assert "rolling budget left today: loss 250.00 USDC" in human.output
    assert {s["name"] for s in body["strategies"].values()} >= {"WETH/USDC 0.05 %", "Lending"}


def test_rejected_plan__once_exits_non_zero_with_the_reason(world, config, tmp_path, chain):
    """Late in this module: it pauses the vault."""
    start = chain.blocks.head.number
    settings = config()
    _history(Keeper(settings, world["keeper"]), world, chain, busy_fee=500)
    world["vault"].pause(sender=world["deployment"].roles.guardian)
    path = _config_file(tmp_path, config)
    result = CliRunner(mix_stderr=False).invoke(once, ["--config", path, "--json"])
    assert result.exit_code == 3, result.stdout + result.stderr  # refused by a guardrail (1 is failed/reverted)
    assert json.loads(result.stdout)["state"] == "rejected"
    error = result.stderr.strip()
    assert error.count("\n") == 0 and "rejected" in error and "VaultPaused" in error
    assert rebalances(world["vault"], start) == 0


def test_pool_oracle_too_short__named_with_the_fix(world, config, tmp_path, chain):
    """Last in this module: it adds a strategy whose pool cannot value it. A fresh pool's oracle holds one
    observation, so the strategy's 30-minute TWAP (and with it every valuation and move) reverts."""
    from keeper.deployment import add_strategy, deploy_univ3_strategy
    from keeper.univ3.ticks import sqrt_price_x96_at_tick

    market, deployer = world["market"], world["deployer"]
    receipt = market.factory.createPool(market.tokens["WBTC"], world["usdc"], 500, sender=deployer)
    pool = contracts.at("UniswapV3Pool", receipt.decode_logs(market.factory.PoolCreated)[0].pool)
    pool.initialize(sqrt_price_x96_at_tick(0), sender=deployer)
    strategy = deploy_univ3_strategy(deployer, world["deployment"], pool, "ALP thin", "alpT")
    add_strategy(world["deployment"], strategy, 10**12, 1_000)
    path = _config_file(tmp_path, config)
    line = _one_line_error(CliRunner().invoke(once, ["--config", path, "--dry-run"]))
    assert f"pool {pool.address} holds 1 oracle observation(s)" in line
    assert "increaseObservationCardinalityNext" in line and "30-minute TWAP window" in line


def test_ape_disk_cache_left_by_an_other_run__not_read(world, config, tmp_path):
    """Ape files the contract types of a chain reached by URL under `custom`, by address alone. A dev chain reuses
    addresses in every run, and a process killed while writing there leaves an empty file: a command on a dev chain
    does not read that cache (no error logged about it). That it writes nothing there either is checked by the
    deploy test (tests/chains/test_deploy_cli.py)."""
    from ape import config as ape_config

    folder = ape_config.DATA_FOLDER / "ethereum" / "custom" / "contract_types"
    folder.mkdir(parents=True, exist_ok=True)
    poisoned = folder / f"{world['vault'].address}.json"
    kept = poisoned.read_bytes() if poisoned.exists() else None
    poisoned.write_text("")  # what a kill mid-write leaves
    try:
        result = CliRunner().invoke(status, ["--config", _config_file(tmp_path, config)])
        assert result.exit_code == 0 and "Expecting value" not in result.output, result.output
    finally:
        poisoned.unlink()
        if kept is not None:
            poisoned.write_bytes(kept)


def test_temporary_deployments_map__restored_when_the_body_fails(chain):
    from keeper.connect import deployments_in_a_temporary_map

    deployments = chain.contracts.deployments
    before = deployments._base_path, deployments._deployments
    with pytest.raises(RuntimeError, match="mid-command"):
        with deployments_in_a_temporary_map():
            assert deployments._base_path is not None and deployments._base_path.is_dir()
            raise RuntimeError("mid-command")
    assert (deployments._base_path, deployments._deployments) == before
