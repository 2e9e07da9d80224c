"""Fault injection: whatever breaks between plan and confirmation, a restart leaves exactly one rebalance on chain."""

from __future__ import annotations

import pytest

from keeper.cycle import Keeper
from keeper.execute.plan import Plan, PlanKind, Target

from .conftest import USDC, rebalances


class Crash(Exception):
    """Stands in for the process dying at an injection point."""


def _plan(world, chain, amount=20_000 * USDC) -> Plan:
    lending = world["strategies"]["lending"]
    debt = world["vault"].strategies(lending).currentDebt
    return Plan(vault=world["vault"].address, kind=PlanKind.rebalance,
                targets=[Target(strategy=lending.address, current_debt=debt, target_debt=debt + amount)],
                reasons=["fault-injection test"], expected_gain=1.0, cost=0.0, created_at=chain.blocks.head.timestamp)


def _start(keeper: Keeper, plan: Plan) -> None:
    keeper._record_plan(plan, "approved", "test")


def _restart(config, world, store) -> list[tuple[str, str]]:
    fresh = Keeper(config(), world["keeper"], store=store)
    return fresh.sender.reconcile(lambda row: fresh.call_for(Plan.model_validate(row["body"])))


def test_crash_after_send_before_record__restart__exactly_one_rebalance(world, config, chain):
    start = chain.blocks.head.number
    def crash(point, plan_id):
        if point == "after_send":
            raise Crash
    keeper = Keeper(config(), world["keeper"], hook=crash)
    plan = _plan(world, chain)
    _start(keeper, plan)
    with pytest.raises(Crash):
        keeper._send(plan)
    assert keeper.store.plan(plan.id)["state"] == "signed"  # the crash came before the record
    assert _restart(config, world, keeper.store) == [(plan.id, "confirmed")]
    assert rebalances(world["vault"], start) == 1


def test_rpc_down_before_broadcast__restart__exactly_one_rebalance(world, config, chain):
    start = chain.blocks.head.number
    def rpc_down(point, plan_id):
        if point == "after_sign":
            raise ConnectionError("node unreachable")
    keeper = Keeper(config(), world["keeper"], hook=rpc_down)
    plan = _plan(world, chain)
    _start(keeper, plan)
    with pytest.raises(ConnectionError):
        keeper._send(plan)
    assert rebalances(world["vault"], start) == 0  # nothing reached the chain
    assert _restart(config, world, keeper.store) == [(plan.id, "confirmed")]
    assert rebalances(world["vault"], start) == 1


def test_nonce_taken_by_another_sender__resigned__exactly_one_rebalance(world, config, chain):
    start = chain.blocks.head.number
    keeper_account = world["keeper"]

    stolen = []

    def steal(point, plan_id):
        if point == "after_sign" and not stolen:  # another process using the same key spends our nonce first
            stolen.append(keeper_account.transfer(keeper_account, 0))
    keeper = Keeper(config(), keeper_account, hook=steal)
    plan = _plan(world, chain)
    _start(keeper, plan)
    state = keeper._send(plan)
    assert state == "confirmed", (keeper.store.plan(plan.id)["error"], keeper.store.transactions(plan.id))
    assert rebalances(world["vault"], start) == 1
    assert len(keeper.store.transactions(plan.id)) == 2  # the clashed signature, then the fresh one


def test_dropped_from_mempool__replaced__exactly_one_rebalance(world, config, chain):
    start = chain.blocks.head.number
    provider = chain.provider

    dropped = []

    def drop(point, plan_id):
        if dropped:
            return  # the node loses the first broadcast only
        if point == "after_sign":
            provider.make_request("evm_setAutomine", [False])
        if point == "after_send":
            dropped.append(True)
            tx_hash = keeper.store.plan(plan_id)["tx_hash"]
            provider.make_request("anvil_dropTransaction", [tx_hash])
            provider.make_request("evm_setAutomine", [True])
    keeper = Keeper(config(confirm_timeout_seconds=1), world["keeper"], hook=drop)
    plan = _plan(world, chain)
    _start(keeper, plan)
    try:
        assert keeper._send(plan) == "confirmed"
    finally:
        provider.make_request("evm_setAutomine", [True])
    transactions = keeper.store.transactions(plan.id)
    assert len(transactions) == 2 and transactions[1]["max_fee"] > transactions[0]["max_fee"]  # replaced, bumped
    assert rebalances(world["vault"], start) == 1


def test_reverted_transaction__recorded_with_reason__not_retried(world, config, chain):
    start = chain.blocks.head.number
    keeper = Keeper(config(), world["keeper"])
    plan = _plan(world, chain, amount=10**12 * USDC)  # far above the cap: the vault must refuse
    _start(keeper, plan)
    assert keeper._send(plan) == "rejected"  # the simulation catches it before any gas is spent
    row = keeper.store.plan(plan.id)
    assert "StrategyCap" in row["error"] or "IdleBufferBreached" in row["error"] or "Turnover" in row["error"]
    assert keeper.store.transactions(plan.id) == []
    assert rebalances(world["vault"], start) == 0
