"""The fleet's settings: Redis, the shared store, and per chain its network (with fallbacks) and its vaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError

from keeper.config import ConfigError, KeeperConfig, load_config


class FleetVault(BaseModel):
    vault: str
    account: str = Field(description="Ape account alias with the vault's keeper role")
    profile: str = "balanced"


class FleetChain(BaseModel):
    network: str = Field(description="Ape network choice or RPC URL")
    rpc_fallbacks: list[str] = []
    vaults: list[FleetVault] = Field(min_length=1)


class FleetConfig(BaseModel):
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="the queue's Redis")
    store: str = Field(description="SQLAlchemy URL shared by every process (PostgreSQL for several hosts)")
    cycle_seconds: int = Field(3_600, ge=1)
    confirm_timeout_seconds: int = Field(120, ge=1)
    chains: dict[str, FleetChain] = Field(min_length=1)

    def keeper_config(self, chain: str, vault: str) -> KeeperConfig:
        """The settings one vault's keeper runs with: the fleet's chain, store and timing; the vault's own rest."""
        entry = self.chains[chain]
        [wanted] = [v for v in entry.vaults if v.vault.lower() == vault.lower()] or [None]
        if wanted is None:
            raise ConfigError(f"fleet: no vault {vault} on chain {chain}: add it under chains.{chain}.vaults")
        return load_config(network=entry.network, rpc_fallbacks=entry.rpc_fallbacks, vault=wanted.vault,
                           account=wanted.account, profile=wanted.profile, mode="autonomous", store=self.store,
                           cycle_seconds=self.cycle_seconds, confirm_timeout_seconds=self.confirm_timeout_seconds)


def load_fleet(path: str | Path) -> FleetConfig:
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"fleet file {file} not found: pass the path of the fleet's YAML")
    try:
        data: Any = yaml.safe_load(file.read_text()) or {}
        return FleetConfig(**data)
    except yaml.YAMLError as exc:
        raise ConfigError(f"fleet file {file} is not valid YAML ({type(exc).__name__}): fix its syntax") from None
    except (TypeError, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"]) or "fleet"
            raise ConfigError(f"fleet file {file}: {where}: {error['msg']}") from None
        raise ConfigError(f"fleet file {file} must be a mapping of settings") from None
