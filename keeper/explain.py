"""`alp explain TX`: what a keeper move on chain was decided from, and whether the chain's rationale matches the
record. The vault and the strategies emit the keeper's bytes32 rationale with every move; the keeper's store holds
the plan it hashed. Recomputing the hash from the store proves the recorded reasons are the ones that moved money."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import click

from keeper import contracts, names
from keeper.commands import _config, _connected, _options
from keeper.execute import rationale
from keeper.store import Store


class ExplainError(Exception):
    """A transaction that cannot be explained from this store (not found, not a keeper move, not ours)."""


@dataclass
class Explanation:
    tx_hash: str
    block: int
    move: str  # "rebalance" or "rerange"
    on_chain: str  # the rationale the event carries, 0x-hex
    recomputed: str | None  # from the store's record of the plan; None when the store has no plan for the tx
    plan: dict | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return self.recomputed is not None and self.recomputed == self.on_chain


def _rationale_of(receipt, vault_address: str) -> tuple[str, bytes]:
    """The keeper move in a transaction: the vault's Rebalanced or a strategy's RangeUpdated, with its rationale."""
    vault = contracts.at("Vault", vault_address)
    for log in receipt.decode_logs(vault.Rebalanced):
        return "rebalance", bytes(log.rationale)
    for address in vault.withdrawQueue():
        try:
            strategy = contracts.at("UniswapV3Strategy", address)
            logs = list(receipt.decode_logs(strategy.RangeUpdated))
        except Exception:  # an ERC-4626 adapter has no RangeUpdated event
            continue
        for log in logs:
            if log.contract_address.lower() == address.lower():
                return "rerange", bytes(log.rationale)
    raise ExplainError(f"transaction {receipt.txn_hash} carries no keeper move of vault {vault_address} "
                       "(no Rebalanced or RangeUpdated event): check the hash and the vault")


def explain(tx_hash: str, vault_address: str, store: Store) -> Explanation:
    from ape import chain

    try:
        receipt = chain.provider.get_receipt(tx_hash)
    except Exception as exc:  # noqa: BLE001 - any failure to fetch means the same thing to the operator
        raise ExplainError(f"transaction {tx_hash}: not found on this network ({type(exc).__name__}): check the hash "
                           "and --network") from None
    move, on_chain = _rationale_of(receipt, vault_address)
    row = store.plan_for_transaction(tx_hash)
    if row is None:
        return Explanation(tx_hash, receipt.block_number, move, "0x" + on_chain.hex(), None)
    recomputed = rationale.of_plan(row["body"])
    return Explanation(tx_hash, receipt.block_number, move, "0x" + on_chain.hex(), "0x" + recomputed.hex(),
                       plan=row, reasons=row["body"].get("reasons", []))


def _human(e: Explanation) -> str:
    lines = [f"transaction {e.tx_hash} (block {e.block}): {e.move}, rationale {e.on_chain}"]
    if e.plan is None:
        lines.append("not sent from this keeper's store: nothing recorded explains it")
        return "\n".join(lines)
    body = e.plan["body"]
    lines.append(f"plan {e.plan['id']} ({e.plan['kind']}), decided by {body.get('model_version') or 'an older keeper'}"
                 f" at {names.when(body['created_at'])}")
    verdict = "matches" if e.matches else "DOES NOT MATCH: the record was altered, or the move came from elsewhere"
    lines.append(f"rationale recomputed from the store: {e.recomputed} - {verdict}")
    lines += [f"  - {r}" for r in e.reasons]
    inputs = body.get("inputs") or {}
    if inputs:
        lines.append("inputs: " + json.dumps(inputs, sort_keys=True, default=str))
    return "\n".join(lines)


@click.command(name="explain")
@click.argument("tx_hash")
@_options
def explain_command(tx_hash, config_path, network, vault, as_json):
    """Why a keeper move happened: its recorded plan, and whether the on-chain rationale matches it."""

    config = _config(config_path, network=network, vault=vault)
    with _connected(config):
        try:
            e = explain(tx_hash, config.vault, Store(config.store_url))
        except ExplainError as exc:
            raise click.ClickException(str(exc)) from None
    payload = {"tx": e.tx_hash, "block": e.block, "move": e.move, "rationale": e.on_chain, "recomputed": e.recomputed,
               "matches": e.matches, "plan": e.plan}
    click.echo(json.dumps(payload, indent=2, default=str) if as_json else _human(e))
    if not e.matches:
        raise SystemExit(1)
