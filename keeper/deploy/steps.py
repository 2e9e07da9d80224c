"""Deploying a vault from its spec, one recorded step at a time: the timelock, the vault, each strategy, then one
timelock batch with every admin step (add the strategies with their caps, fees, guardrails), scheduled, executed
once its delay has passed, and the result verified against the spec.

Every transaction is simulated before it is sent (`keeper.execute.transact`). A rerun reads the record: what is
there is not done again; a deployment sent but not recorded is found at the address its nonce creates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rlp
from eth_utils import keccak, to_checksum_address

from keeper import contracts
from keeper.deploy.record import AdminOperation, Deployed, DeploymentRecord, RecordError, save_record
from keeper.deploy.registry import chain_entry
from keeper.deploy.spec import DeploySpec, Erc4626Source, SpecError, UniswapV3Source
from keeper.curate.settings import RANGE_SETTINGS, VAULT_SETTINGS, to_units
from keeper.execute import transact

ZERO_ADDRESS = "0x" + "00" * 20
ZERO_BYTES32 = b"\x00" * 32
# TimelockController.OperationState
UNSET, WAITING, READY, DONE = range(4)

# Reverts of a batch call that the passing of the timelock's delay can cure (the pool's oracle gains history).
TIME_DEPENDENT_REVERTS = ("OracleTooShort",)


class DeployError(RuntimeError):
    """One line: what stopped the deployment and what to do; the record keeps everything done so far."""


@dataclass
class Outcome:
    state: str  # "verified" | "waiting" (timelock delay) | "awaiting-governance" (someone else must schedule)
    record: DeploymentRecord
    lines: list[str]


def created_address(deployer: str, nonce: int) -> str:
    """The address a contract deployed by `deployer` with `nonce` gets (CREATE)."""
    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(deployer[2:]), nonce]))[12:])


def resolve_address(name: str) -> str:
    """An address, an Ape account alias or `test:N` (local chains and development nodes): the account's address,
    without unlocking anything."""
    from eth_utils import is_address

    if is_address(name):
        return to_checksum_address(name)
    from keeper.accounts import resolve

    return resolve(name).address


class Deployment:
    def __init__(self, spec: DeploySpec, record: DeploymentRecord | None, record_path: Path, account,
                 echo: Callable[[str], None] = print) -> None:
        from ape import chain

        self.spec, self.path, self.account, self.echo = spec, record_path, account, echo
        chain_id = chain.chain_id
        if record is None:
            record = DeploymentRecord(chain_id=chain_id, spec_hash=spec.digest(), deployer=account.address,
                                      started_block=chain.blocks.head.number)
        elif record.chain_id != chain_id:
            raise RecordError(f"record {record_path} is for chain {record.chain_id}, this node is chain {chain_id}: "
                              "pass --record for this chain's record or the right --network")
        elif record.spec_hash != spec.digest():
            raise RecordError(f"the spec changed since record {record_path} began: restore the spec it was made "
                              "from, or start a new deployment with another --record")
        elif record.deployer != account.address:
            raise RecordError(f"record {record_path} was started by {record.deployer}: resume with that account")
        self.record = record
        self.roles = {k: resolve_address(v) for k, v in spec.roles.model_dump().items()}
        self.decimals = contracts.erc20(spec.asset).decimals()

    # ------------------------------------------------------------------ contracts

    def _save(self) -> None:
        save_record(self.record, self.path)

    def _contract(self, key: str, type_name: str, *args: Any):
        from ape import chain

        rec = self.record
        if key in rec.contracts:
            return contracts.at(type_name, rec.address(key))
        if key in rec.pending:
            address = created_address(rec.deployer, rec.pending[key])
            if chain.provider.get_code(address):
                self._check_adopted(key, type_name, address)
                rec.contracts[key] = Deployed(address=address)
                del rec.pending[key]
                self._save()
                self.echo(f"{key}: found at {address} (sent before the interruption)")
                return contracts.at(type_name, address)
        rec.pending[key] = self.account.nonce
        self._save()
        try:
            instance = transact.deploy(self.account, type_name, *args)
        except transact.Refused:
            del rec.pending[key]  # refused before anything was sent: that nonce is not this contract's
            self._save()
            raise
        rec.contracts[key] = Deployed(address=instance.address, block=chain.blocks.head.number)
        del rec.pending[key]
        self._save()
        self.echo(f"{key}: deployed {type_name} at {instance.address}")
        return instance

    def _check_adopted(self, key: str, type_name: str, address: str) -> None:
        """Code at the address a pending nonce creates is this deployment's contract only if it says so: the same
        deployer may have sent something else with that nonce since."""
        spec = self.spec
        try:
            instance = contracts.at(type_name, address)
            if type_name == "Timelock":
                ours = instance.getMinDelay() == spec.timelock_delay
            elif type_name == "Vault":
                ours = to_checksum_address(instance.asset()) == spec.asset and instance.name() == spec.name
            else:
                ours = to_checksum_address(instance.vault()) == self.record.address("vault")
        except Exception:
            ours = False
        if not ours:
            raise DeployError(f"{key}: the contract at {address} (the deployer's nonce {self.record.pending[key]}) is "
                              f"not this deployment's {type_name}: remove '{key}' from the record's pending steps "
                              "to deploy it again")

    def _pool(self, source: UniswapV3Source) -> str:
        if source.pool is not None:
            return source.pool
        from ape import chain

        entry = chain_entry(chain.chain_id)
        factory = source.factory or (entry.factory if entry else None)
        if factory is None:
            raise SpecError(f"strategy {source.name!r}: chain {chain.chain_id} has no Uniswap V3 factory in the "
                            "registry: give the pool's address or `factory:`")
        pool = contracts.at("UniswapV3Factory", factory).getPool(*source.tokens, source.fee)
        if int(pool, 16) == 0:
            raise SpecError(f"strategy {source.name!r}: no pool for {source.tokens[0]}/{source.tokens[1]} at fee "
                            f"{source.fee} in factory {factory}")
        return pool

    def _units(self, amount: float | None) -> int:
        return to_units(amount, self.decimals)

    # ------------------------------------------------------------------ the admin batch

    def admin_calls(self, vault, strategies: dict[str, Any]) -> list[tuple[Any, str, tuple]]:
        """Every admin step of the spec, in order: (contract, method, args). A function of the spec and the
        addresses alone, so the batch (and its timelock id) is the same on every rerun."""
        spec, calls = self.spec, []
        for source in spec.strategies:
            calls.append((vault, "addStrategy", (strategies[source.name].address, self._units(source.max_debt),
                                                 source.max_debt_bps)))
        calls.append((vault, "setFees", (spec.fees.performance_bps, spec.fees.management_bps)))
        for field, (setter, _, amount) in VAULT_SETTINGS.items():
            value = getattr(spec.vault, field)
            if value is not None:
                calls.append((vault, setter, (self._units(value) if amount else int(value),)))
        for source in spec.strategies:
            if not isinstance(source, UniswapV3Source):
                continue
            strategy, g = strategies[source.name], source.guardrails
            for field, (setter, _) in RANGE_SETTINGS.items():
                value = getattr(g, field)
                if value is not None:
                    calls.append((strategy, setter, (int(value),)))
            if g.min_width_ticks is not None:
                calls.append((strategy, "setRangeWidthBounds", (g.min_width_ticks, g.max_width_ticks)))
        return calls

    def _batch(self, calls) -> tuple[list[str], list[int], list[bytes], bytes]:
        targets = [c.address for c, _, _ in calls]
        payloads = [bytes(getattr(c, m).encode_input(*a)) for c, m, a in calls]
        salt = bytes.fromhex(self.spec.digest())
        return targets, [0] * len(calls), payloads, salt

    # ------------------------------------------------------------------ run

    def run(self) -> Outcome:
        from ape import chain

        spec, lines = self.spec, []
        gov = self.roles["governance"]
        timelock = self._contract("timelock", "Timelock", spec.timelock_delay, [gov], [gov], ZERO_ADDRESS)
        vault = self._contract("vault", "Vault", spec.asset, spec.name, spec.symbol, timelock.address,
                               self.roles["curator"], self.roles["guardian"], self.roles["keeper"],
                               self.roles["fee_recipient"])
        strategies = {}
        for source in spec.strategies:
            key = f"strategy:{source.name}"
            if isinstance(source, UniswapV3Source):
                strategies[source.name] = self._contract(key, "UniswapV3Strategy", self._pool(source), spec.asset,
                                                         vault.address, source.name, _symbol(spec, source.name))
            else:
                strategies[source.name] = self._contract(key, "ERC4626Adapter", source.target, spec.asset,
                                                         vault.address, source.name, _symbol(spec, source.name))
        calls = self.admin_calls(vault, strategies)
        targets, values, payloads, salt = self._batch(calls)
        op_id = timelock.hashOperationBatch(targets, values, payloads, ZERO_BYTES32, salt)
        rec = self.record
        if rec.admin is None:
            rec.admin = AdminOperation(id="0x" + bytes(op_id).hex(), salt="0x" + salt.hex())
            self._save()
        elif rec.admin.id.lower() != "0x" + bytes(op_id).hex():
            raise DeployError(f"the admin batch is now {('0x' + bytes(op_id).hex())[:12]}…, the record scheduled "
                              f"{rec.admin.id[:12]}…: the spec's addresses or calls changed; nothing was sent")
        state = timelock.getOperationState(op_id)
        me = self.account.address
        if state == UNSET:
            # Each call as the timelock will make it, now: a value the contracts refuse is refused before the delay.
            # Only a pool oracle too short for the TWAP window may pass: it is checked again at execution, when the
            # delay has added a day of history.
            for (target, method, args), data in zip(calls, payloads):
                try:
                    transact.simulate(timelock.address, target.address, data, f"{method}{tuple(args)} (as the timelock)")
                except transact.Refused as exc:
                    if not any(reason in str(exc) for reason in TIME_DEPENDENT_REVERTS):
                        raise
                    lines.append(f"note: {exc} today; it must not by the batch's ETA")
            if not timelock.hasRole(timelock.PROPOSER_ROLE(), me):
                lines.append(f"the admin batch ({len(targets)} calls) must be scheduled by governance {gov} on "
                             f"timelock {timelock.address}: scheduleBatch with salt {rec.admin.salt} (see "
                             f"`alp vault show`); then run this again after its delay")
                return Outcome("awaiting-governance", rec, lines)
            transact.call(self.account, timelock, "scheduleBatch", targets, values, payloads, ZERO_BYTES32, salt,
                          spec.timelock_delay, what="scheduling the admin batch")
            state = timelock.getOperationState(op_id)
            self.echo(f"admin batch of {len(targets)} calls scheduled on the timelock")
        eta = int(timelock.getTimestamp(op_id))
        if rec.admin.eta != eta:
            rec.admin.eta = eta
            self._save()
        if state == WAITING:
            wait = rec.admin.eta - chain.blocks.head.timestamp
            lines.append(f"admin batch scheduled; executable from chain time {rec.admin.eta} (in {wait / 3600:.1f} h): "
                         "run the same command again then")
            return Outcome("waiting", rec, lines)
        if state == READY:
            if not timelock.hasRole(timelock.EXECUTOR_ROLE(), me):
                lines.append(f"the admin batch is ready: governance {gov} executes it on timelock {timelock.address}")
                return Outcome("awaiting-governance", rec, lines)
            transact.call(self.account, timelock, "executeBatch", targets, values, payloads, ZERO_BYTES32, salt,
                          what="executing the admin batch")
            rec.admin.executed_block = chain.blocks.head.number
            self._save()
            self.echo("admin batch executed")
        problems = self.verify(timelock, vault, strategies)
        if problems:
            raise DeployError("the deployed vault differs from the spec: " + "; ".join(problems))
        rec.verified = True
        self._save()
        lines.append(f"vault {vault.address} verified against the spec ({len(strategies)} strategies)")
        return Outcome("verified", rec, lines)

    # ------------------------------------------------------------------ verify

    def verify(self, timelock, vault, strategies: dict[str, Any]) -> list[str]:
        """Every property the spec sets, read back from the chain: a list of differences (empty when it matches)."""
        spec, problems = self.spec, []

        def expect(what: str, actual, wanted) -> None:
            if actual != wanted:
                problems.append(f"{what} is {actual}, spec says {wanted}")

        expect("asset", to_checksum_address(vault.asset()), spec.asset)
        expect("timelock delay", timelock.getMinDelay(), spec.timelock_delay)
        expect("governance proposes", timelock.hasRole(timelock.PROPOSER_ROLE(), self.roles["governance"]), True)
        roles = {"admin": (vault.DEFAULT_ADMIN_ROLE(), timelock.address),
                 "curator": (vault.CURATOR_ROLE(), self.roles["curator"]),
                 "guardian": (vault.GUARDIAN_ROLE(), self.roles["guardian"]),
                 "keeper": (vault.KEEPER_ROLE(), self.roles["keeper"])}
        for name, (role, holder) in roles.items():
            expect(f"{name} role of {holder}", vault.hasRole(role, holder), True)
        expect("fee recipient", to_checksum_address(vault.feeRecipient()), self.roles["fee_recipient"])
        expect("performance fee", vault.performanceFeeBps(), spec.fees.performance_bps)
        expect("management fee", vault.managementFeeBps(), spec.fees.management_bps)
        for field, (_, getter, amount) in VAULT_SETTINGS.items():
            value = getattr(spec.vault, field)
            if value is not None:
                expect(field, getattr(vault, getter)(), self._units(value) if amount else int(value))
        for source in spec.strategies:
            strategy = strategies[source.name]
            config = vault.strategies(strategy.address)
            expect(f"{source.name} active", config.active, True)
            expect(f"{source.name} max debt", config.maxDebt, self._units(source.max_debt))
            expect(f"{source.name} max debt bps", config.maxDebtBps, source.max_debt_bps)
            if isinstance(source, UniswapV3Source):
                expect(f"{source.name} pool", to_checksum_address(strategy.pool()), to_checksum_address(self._pool(source)))
                for field, (_, getter) in RANGE_SETTINGS.items():
                    value = getattr(source.guardrails, field)
                    if value is not None:
                        expect(f"{source.name} {field}", getattr(strategy, getter)(), int(value))
                if source.guardrails.min_width_ticks is not None:
                    expect(f"{source.name} width bounds", (strategy.minWidthTicks(), strategy.maxWidthTicks()),
                           (source.guardrails.min_width_ticks, source.guardrails.max_width_ticks))
            elif isinstance(source, Erc4626Source):
                expect(f"{source.name} target", to_checksum_address(strategy.target()), source.target)
        return problems


def _symbol(spec: DeploySpec, name: str) -> str:
    """A strategy's share symbol: the vault's, then the strategy's position in the spec."""
    return f"{spec.symbol}-s{[s.name for s in spec.strategies].index(name) + 1}"
