"""Amounts a person types (`1.1`, `250000`) turned into a token's raw units: one parser for the CLI and the
depositor page, exact (decimal, never float), and strict where a guess could move the wrong amount of money."""

from __future__ import annotations

from decimal import Decimal, Inexact, InvalidOperation, localcontext
from typing import Any

# More digits than any token supply holds (uint256 has 78): a typo, not an amount.
MAX_DIGITS = 40
# Digits kept in the arithmetic: far more than an amount can have, so scaling to raw units never rounds (Python's
# default of 28 would round an 18-decimal amount of 11 whole digits).
PRECISION = 120
# How much of what was typed an error repeats.
SHOWN_CHARS = 40


class AmountError(ValueError):
    """An amount that can never be meant as typed (the message names it and says what to type instead)."""


def parse_amount(text: Any, decimals: int, what: str) -> int:
    """`text` in raw units of a token with `decimals`. Separators are refused rather than guessed: `1,5` is one and
    a half in much of the world and fifteen in the rest."""
    typed = str(text).strip()
    shown = typed if len(typed) <= SHOWN_CHARS else typed[:SHOWN_CHARS] + "…"
    try:
        if "_" in typed:  # Python reads 1_000 as a thousand; a person may not have meant that
            raise InvalidOperation
        value = Decimal(typed)
        if not value.is_finite() or value.adjusted() > MAX_DIGITS:
            raise InvalidOperation
    except InvalidOperation:
        raise AmountError(f"{shown!r} is not an amount of {what}: type a number like 1234.5 (no separators)") from None
    too_fine = AmountError(f"{shown!r}: an amount of {what} must be above zero with at most {decimals} decimals")
    with localcontext() as context:
        context.prec = PRECISION
        context.traps[Inexact] = True
        try:
            raw = value.scaleb(decimals)
        except Inexact:
            raise too_fine from None
    if raw <= 0 or raw != raw.to_integral_value():
        raise too_fine
    return int(raw)
