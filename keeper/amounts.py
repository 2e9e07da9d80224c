"""Amounts a person types (`1.1`, `250000`) turned into a token's raw units: one parser for the CLI and the
depositor page, exact (decimal, never float), and strict where a guess could move the wrong amount of money."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

# More digits than any token supply holds (uint256 has 78): a typo, not an amount.
MAX_DIGITS = 40


class AmountError(ValueError):
    """An amount that can never be meant as typed (the message names it and says what to type instead)."""


def parse_amount(text: Any, decimals: int, what: str) -> int:
    """`text` in raw units of a token with `decimals`. Separators are refused rather than guessed: `1,5` is one and
    a half in much of the world and fifteen in the rest."""
    typed = str(text).strip()
    try:
        value = Decimal(typed)
        if not value.is_finite() or value.adjusted() > MAX_DIGITS:
            raise InvalidOperation
    except InvalidOperation:
        raise AmountError(f"{typed!r} is not an amount of {what}: type a number like 1234.5 (no separators)") from None
    raw = value.scaleb(decimals)
    if raw <= 0 or raw != raw.to_integral_value():
        raise AmountError(f"{typed!r}: an amount of {what} must be above zero with at most {decimals} decimals")
    return int(raw)
