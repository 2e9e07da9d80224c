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
    """`text` (e.g. `1.1`, `250000`) in raw units of `decimals`, exactly (no float rounding); BadParameter naming
    `what` when it is not a plain positive number."""
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text)
    except InvalidOperation:
        raise click.BadParameter(f"{text!r} is not a number of {what} (write 1234.5, no separators)") from None
    raw = value.scaleb(decimals)
    if not value.is_finite() or raw <= 0 or raw != raw.to_integral_value():
        raise click.BadParameter(f"{text!r}: give a positive amount of {what} with at most {decimals} decimals")
    return int(raw)
