"""Scores tokens and protocols from the reviewed registry (registry.yaml beside this file)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel

REGISTRY = Path(__file__).with_name("registry.yaml")
CURRENT_YEAR = 2026
# A fresh, unaudited, unknown name starts here: the keeper treats what nobody reviewed as risky.
UNKNOWN_SCORE = 0.2


class Entry(BaseModel):
    audits: int
    exploits: int
    since: int
    note: str = ""


@cache
def _registry() -> dict[str, dict[str, Entry]]:
    raw = yaml.safe_load(REGISTRY.read_text())
    return {section: {k: Entry(**v) for k, v in raw.get(section, {}).items()} for section in ("tokens", "protocols")}


def score(entry: Entry) -> float:
    """0..1: audits and years live raise it, every exploit cuts it hard."""
    age = max(CURRENT_YEAR - entry.since, 0)
    value = 0.3 + 0.1 * min(entry.audits, 3) + 0.05 * min(age, 4) - 0.3 * entry.exploits
    return round(min(max(value, 0.0), 1.0), 3)


def reputation(symbols: list[str], protocol: str) -> float:
    """The weakest link of an opportunity: its protocol and every token it holds."""
    registry = _registry()
    scores = [score(registry["protocols"][protocol]) if protocol in registry["protocols"] else UNKNOWN_SCORE]
    scores += [score(registry["tokens"][s]) if s in registry["tokens"] else UNKNOWN_SCORE for s in symbols]
    return min(scores)
