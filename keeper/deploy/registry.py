"""The reviewed chain registry (`chains.yaml`): each chain's Uniswap V3 factory, position manager, swap router and
wrapped native token, with the page each was read from."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

REGISTRY = Path(__file__).with_name("chains.yaml")


class WrappedNative(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    symbol: str
    address: str


class Token(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    address: str
    decimals: int


class ChainEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    ecosystem: str  # Ape's ecosystem name (its plugin provides the networks)
    factory: str
    position_manager: str
    swap_router: str
    swap_router_kind: str
    wrapped_native: WrappedNative
    usdc: Token | None = None
    source: str

    @field_validator("factory", "position_manager", "swap_router")
    @classmethod
    def _checksummed(cls, value: str) -> str:
        from eth_utils import to_checksum_address

        if to_checksum_address(value) != value:
            raise ValueError(f"{value} is not in its checksummed form: copy it from the source page again")
        return value


@cache
def chains() -> dict[int, ChainEntry]:
    raw = yaml.safe_load(REGISTRY.read_text())["chains"]
    return {int(k): ChainEntry.model_validate(v) for k, v in raw.items()}


def chain_entry(chain_id: int) -> ChainEntry | None:
    return chains().get(chain_id)
