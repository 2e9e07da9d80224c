"""`alp vault …`: show a vault; tighten a guardrail at once (curator); propose a loosening on the timelock, then
execute or cancel it after its delay (governance); pause, revoke a strategy, shut down (guardian). Every
transaction is simulated first and refused with the contract's decoded reason."""

from __future__ import annotations

import json
from typing import Any

import click

from keeper.cli_options import on_vault, parse_amount, signed
from keeper.curate.settings import RANGE_SETTINGS, VAULT_SETTINGS, to_units

CAP_SETTINGS = ("max_debt", "max_debt_bps")


class CurateError(ValueError):
    """One line: which setting, strategy or value is wrong, and what to do."""


def _options(f):
    f = click.option("--from-block", default=0, show_default=True,
                     help="Read the vault's and timelock's events from this block (a provider may limit log ranges).")(f)
    return on_vault(f)


def find_strategy(vault, name: str):
    """A strategy of the vault by address, by its share token's name (the spec's name) or by its label."""
    from keeper import contracts, names

    for address in vault.withdrawQueue():
        if name.lower() in (address.lower(), contracts.erc20(address).name().lower(), names.strategy(address).lower()):
            return address
    raise CurateError(f"no strategy {name!r} in vault {vault.address}: `alp vault show` lists them by name")


def setting_call(vault, setting: str, value: str | None, strategy: str | None) -> tuple[Any, str, tuple]:
    """The contract call that sets `setting` to `value`: (contract, method, args)."""
    from keeper import contracts, names

    if setting == "unpause":
        return vault, "unpause", ()
    if value is None:
        raise CurateError(f"{setting}: give the new value")
    decimals = names.token(vault.asset())[1]

    def amount() -> int:
        return to_units(None, decimals) if value in ("unlimited", "inf") else parse_amount(value, decimals, "the asset")

    def whole() -> int:
        if not value.isdigit():
            raise CurateError(f"{setting}: {value!r} is not a whole number (bps, seconds or ticks)")
        return int(value)

    if setting in VAULT_SETTINGS:
        setter, _, is_amount = VAULT_SETTINGS[setting]
        return vault, setter, (amount() if is_amount else whole(),)
    if strategy is None:
        raise CurateError(f"{setting} is a strategy's setting: name it with --strategy")
    address = find_strategy(vault, strategy)
    if setting in CAP_SETTINGS:
        config = vault.strategies(address)
        max_debt = amount() if setting == "max_debt" else config.maxDebt
        bps = whole() if setting == "max_debt_bps" else config.maxDebtBps
        return vault, "setStrategyCaps", (address, max_debt, bps)
    if setting in RANGE_SETTINGS:
        return contracts.at("UniswapV3Strategy", address), RANGE_SETTINGS[setting][0], (whole(),)
    known = ", ".join([*VAULT_SETTINGS, *RANGE_SETTINGS, *CAP_SETTINGS, "unpause"])
    raise CurateError(f"unknown setting {setting!r}: one of {known}")


def _connected_vault(network: str, vault_address: str):
    from keeper.vault_probe import alp_vault

    return alp_vault(vault_address)


@click.group()
def vault() -> None:
    """Curate a deployed vault: show, tighten, propose/execute/cancel, pause, revoke, shutdown."""


@vault.command()
@_options
@click.option("--json", "as_json", is_flag=True)
def show(network, vault_address, from_block, as_json):
    """Every guardrail, cap, role and strategy (by name), and the pending timelock operations with their ETA."""
    from keeper.connect import connected
    from keeper.curate.show import render, report

    with connected(network):
        r = report(_connected_vault(network, vault_address), from_block)
    click.echo(json.dumps(r, indent=2, default=str) if as_json else render(r))


@vault.command()
@_options
@signed
@click.argument("setting")
@click.argument("value")
@click.option("--strategy", default=None, help="The strategy a per-strategy setting is for (name or address).")
def tighten(network, vault_address, from_block, account_name, setting, value, strategy):
    """Apply a tighter SETTING at once (curator). A loosening is refused by the vault: propose it instead."""
    from keeper.accounts import resolve
    from keeper.connect import connected
    from keeper.execute import transact

    with connected(network):
        v = _connected_vault(network, vault_address)
        target, method, args = setting_call(v, setting, value, strategy)
        try:
            receipt = transact.call(resolve(account_name), target, method, *args, what=f"{setting} -> {value}")
        except transact.Refused as exc:
            if "Unauthorized" in str(exc):
                raise CurateError(f"{exc}: a curator may only tighten; a loosening goes through the timelock "
                                  "(`alp vault propose`)") from None
            raise
        click.echo(f"{setting} set to {value} ({method}, tx {receipt.txn_hash})")


@vault.command()
@_options
@signed
@click.argument("setting")
@click.argument("value", required=False)
@click.option("--strategy", default=None, help="The strategy a per-strategy setting is for (name or address).")
def propose(network, vault_address, from_block, account_name, setting, value, strategy):
    """Schedule SETTING (a loosening, or `unpause`) on the vault's timelock (governance); it executes after the
    delay with `alp vault execute`."""
    import os

    from keeper.accounts import resolve
    from keeper.connect import connected
    from keeper.curate.timelock import ZERO_BYTES32, admin_timelock
    from keeper.execute import transact

    with connected(network):
        v = _connected_vault(network, vault_address)
        target, method, args = setting_call(v, setting, value, strategy)
        timelock = admin_timelock(v, from_block)
        data = getattr(target, method).encode_input(*args)
        salt = os.urandom(32)
        delay = timelock.getMinDelay()
        # The call itself is simulated as the timelock would make it: a value the vault refuses is refused now.
        transact.simulate(timelock.address, target.address, data, f"{setting} -> {value} (as the timelock)")
        transact.call(resolve(account_name), timelock, "schedule", target.address, 0, data, ZERO_BYTES32, salt, delay,
                      what=f"scheduling {setting}")
        op = timelock.hashOperation(target.address, 0, data, ZERO_BYTES32, salt)
        eta = timelock.getTimestamp(op)
        from keeper import names

        click.echo(f"proposed {method}{tuple(args)}: operation 0x{bytes(op).hex()}, executable from "
                   f"{names.when(eta)} (chain time {eta})")


def _operation_command(name: str, method: str, doc: str):
    @vault.command(name=name, help=doc)
    @_options
    @signed
    @click.argument("operation")
    def command(network, vault_address, from_block, account_name, operation):
        from keeper.accounts import resolve
        from keeper.connect import connected
        from keeper.curate.timelock import TimelockError, admin_timelock, find
        from keeper.execute import transact

        with connected(network):
            v = _connected_vault(network, vault_address)
            timelock = admin_timelock(v, from_block)
            op = find(timelock, operation, from_block)
            if op.state not in ("waiting", "ready"):
                raise TimelockError(f"operation {op.id} is {op.state}: nothing to {name}")
            if method == "execute" and op.state == "waiting":
                from keeper import names

                raise TimelockError(f"operation {op.id} waits for its delay until {names.when(op.eta)} (chain time "
                                    f"{op.eta}): execute it then")
            account = resolve(account_name)
            if method == "cancel":
                transact.call(account, timelock, "cancel", op.id, what=f"cancelling {op.id}")
            elif len(op.calls) == 1:
                target, value, data = op.calls[0]
                transact.call(account, timelock, "execute", target, value, data, op.predecessor, op.salt,
                              what=f"executing {op.id}")
            else:
                raise TimelockError(f"operation {op.id} is a batch: `alp deploy` executes its own batches")
            click.echo(f"{name}d {op.id}: " + "; ".join(op.described()))
    return command


execute = _operation_command("execute", "execute", "Execute a timelock OPERATION whose delay has passed (governance).")
cancel = _operation_command("cancel", "cancel", "Cancel a pending timelock OPERATION (governance).")


def _guardian_command(name: str, method: str, doc: str, with_strategy: bool = False):
    def body(network, vault_address, from_block, account_name, strategy=None, force=False):
        from keeper.accounts import resolve
        from keeper.connect import connected
        from keeper.execute import transact

        with connected(network):
            v = _connected_vault(network, vault_address)
            args = (find_strategy(v, strategy), force) if with_strategy else ()
            receipt = transact.call(resolve(account_name), v, method, *args, what=name)
            click.echo(f"{name}: done (tx {receipt.txn_hash})")

    command = signed(_options(body))
    if with_strategy:
        command = click.option("--force", is_flag=True, help="Write the debt off without calling the strategy.")(
            click.argument("strategy")(command))
    return vault.command(name=name, help=doc)(command)


pause = _guardian_command("pause", "pause", "Pause deposits and keeper moves (guardian); exits stay open.")
shutdown = _guardian_command("shutdown", "shutdown", "Shut the vault down for good (guardian); exits stay open.")
revoke = _guardian_command("revoke", "revokeStrategy", "Take everything back from STRATEGY and remove it (guardian).",
                           with_strategy=True)
