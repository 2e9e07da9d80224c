"""Options shared by the commands a person signs (curator, guardian, governance, depositor)."""

from __future__ import annotations

import click


def on_vault(f):
    """--network and --vault: which chain, which vault."""
    f = click.option("--vault", "vault_address", required=True, help="Address of the ALP vault.")(f)
    return click.option("--network", required=True, help="Ape network choice (e.g. base:mainnet:node) or an RPC URL.")(f)


def signed(f):
    """--account: the Ape account that signs."""
    return click.option("--account", "account_name", required=True,
                        help="Ape account alias that signs (test:N on local chains only).")(f)


def max_loss(f):
    return click.option("--max-loss-bps", type=click.IntRange(0, 10_000), default=None,
                        help="Allow unwinding strategies, losing at most this much (bps) to their exit.")(f)


def parse_amount(text: str, decimals: int, what: str) -> int:
    """`keeper.amounts.parse_amount`, refusing as a click option error."""
    from keeper.amounts import AmountError, parse_amount as parse

    try:
        return parse(text, decimals, what)
    except AmountError as error:
        raise click.BadParameter(str(error)) from None
