"""`alp deposit`, `alp withdraw`, `alp redeem`, `alp position`: a depositor's path, with previews, the approval
step when needed, a max loss for exits that must unwind strategies, and the contract's decoded reason when a
transaction would fail (simulated before it is sent)."""

from __future__ import annotations

import json

import click

from keeper.cli_options import max_loss, on_vault, parse_amount, signed


def _units(vault, amount: str) -> tuple[int, str, int]:
    from keeper import names

    symbol, decimals = names.token(vault.asset())
    return parse_amount(amount, decimals, symbol), symbol, decimals


@click.command()
@on_vault
@signed
@click.argument("amount")
def deposit(network, vault_address, account_name, amount):
    """Deposit AMOUNT of the vault's asset (approving it first when needed)."""
    from keeper import contracts
    from keeper.accounts import resolve
    from keeper.connect import connected
    from keeper.depositor.actions import prepare_deposit
    from keeper.execute import transact
    from keeper.vault_probe import alp_vault

    with connected(network):
        vault = alp_vault(vault_address)
        account = resolve(account_name)
        raw, symbol, _ = _units(vault, amount)
        prepared = _checked(prepare_deposit(vault, account.address, raw))
        if prepared.approve is not None:
            transact.call(account, contracts.erc20(vault.asset()), "approve", vault.address, raw,
                          what=prepared.approve.what)
            click.echo(f"approved {amount} {symbol} for the vault")
        transact.call(account, vault, prepared.method, *prepared.args, what=prepared.tx.what)
        click.echo(f"deposited {amount} {symbol}: {prepared.preview}")


def _checked(prepared):
    """The prepared transaction, or the one-line reason it would fail."""
    if prepared.refused:
        raise click.ClickException(prepared.refused)
    return prepared


def _exit(kind: str, network, vault_address, account_name, amount, max_loss_bps):
    from keeper import names
    from keeper.accounts import resolve
    from keeper.amounts import AmountError
    from keeper.connect import connected
    from keeper.depositor.actions import prepare_exit
    from keeper.execute import transact
    from keeper.vault_probe import alp_vault

    with connected(network):
        vault = alp_vault(vault_address)
        account = resolve(account_name)
        if amount == "all":
            raw = "all"
        elif kind == "redeem":
            raw = parse_amount(amount, vault.decimals(), "shares")
        else:
            raw = _units(vault, amount)[0]
        try:
            prepared = _checked(prepare_exit(vault, account.address, kind, raw, max_loss_bps))
        except AmountError as exc:
            raise click.ClickException(str(exc)) from None
        receipt = transact.call(account, vault, prepared.method, *prepared.args, what=prepared.tx.what)
        logs = list(receipt.decode_logs(vault.Withdraw))
        got = logs[-1].assets if logs else 0
        symbol, decimals = names.token(vault.asset())
        click.echo(f"{kind} {amount}: received {got / 10**decimals:,.2f} {symbol} (preview: {prepared.preview})")


@click.command()
@on_vault
@signed
@click.argument("amount")
@max_loss
def withdraw(network, vault_address, account_name, amount, max_loss_bps):
    """Withdraw AMOUNT of the asset (or `all`): loss-free when it is liquid, else by unwinding within
    --max-loss-bps."""
    _exit("withdraw", network, vault_address, account_name, amount, max_loss_bps)


@click.command()
@on_vault
@signed
@click.argument("shares")
@max_loss
def redeem(network, vault_address, account_name, shares, max_loss_bps):
    """Redeem SHARES (or `all`): loss-free when liquid, else by unwinding within --max-loss-bps."""
    _exit("redeem", network, vault_address, account_name, shares, max_loss_bps)


@click.command()
@on_vault
@click.option("--address", default=None, help="Whose position (default: --account's).")
@click.option("--account", "account_name", default=None, help="Ape account alias whose position to show.")
@click.option("--from-block", default=0, show_default=True, help="Read Deposit/Withdraw events from this block.")
@click.option("--json", "as_json", is_flag=True)
def position(network, vault_address, address, account_name, from_block, as_json):
    """Shares, value, profit since the first deposit, and what is withdrawable now and why not more."""
    from keeper.connect import connected
    from keeper.deploy.steps import resolve_address
    from keeper.depositor.position import position as read, render
    from keeper.vault_probe import alp_vault

    if not (address or account_name):
        raise click.UsageError("give --address or --account")
    with connected(network):
        p = read(alp_vault(vault_address), resolve_address(address or account_name), from_block)
    click.echo(json.dumps(p, indent=2) if as_json else render(p))
