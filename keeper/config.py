"""Keeper settings: a YAML file plus ALP_* environment variables (environment wins), validated at start.

A bad value stops the keeper before it touches the chain, with one line naming the field and the fix. Keys never
live here: `account` names an Ape account (an alias from `ape accounts`, or `test:N` on local chains only).
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from keeper.risk.profiles import ProfileName


class Mode(str, Enum):
    autonomous = "autonomous"  # plans are checked, simulated and sent
    dry_run = "dry-run"  # plans are checked, simulated and recorded, never sent
    approval = "approval"  # plans wait for `alp approve PLAN_ID`


class ConfigError(ValueError):
    """One line: which setting is wrong and how to fix it."""


class KeeperConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALP_", extra="forbid")

    network: str = Field("ethereum:local:node", description="Ape network choice or an RPC URL")
    vault: str = Field(description="address of the ALP vault this keeper manages")
    account: str = Field(description="Ape account alias, or test:N on a local chain")
    profile: ProfileName = ProfileName.balanced
    mode: Mode = Mode.dry_run
    cycle_seconds: int = Field(300, ge=10, description="seconds between cycles")
    max_fee_gwei: float = Field(100.0, gt=0, description="never pay more per gas than this")
    priority_fee_gwei: float = Field(1.0, ge=0)
    min_gain: float = Field(0.0, ge=0, description="least expected gain per move, in the vault's asset units")
    cost_margin: float = Field(2.0, ge=1.0, description="act only when expected gain > cost x margin")
    confirm_timeout_seconds: int = Field(120, ge=1, description="wait this long before replacing a transaction")
    store: str = Field(".alp/keeper.sqlite", description="SQLite path or SQLAlchemy URL of the keeper's store")
    eth_price: float = Field(2_000.0, gt=0, description="asset units per ETH, to cost gas when no pool prices ETH")

    @field_validator("vault")
    @classmethod
    def _address(cls, value: str) -> str:
        from eth_utils import is_address, to_checksum_address

        if not is_address(value):
            raise ValueError("not an address (0x followed by 40 hex digits)")
        return to_checksum_address(value)

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        if value.startswith("0x") and len(value) > 42:
            raise ValueError("looks like a private key: never put keys in config; use an Ape account alias")
        return value

    @property
    def store_url(self) -> str:
        return self.store if "://" in self.store else f"sqlite:///{Path(self.store).expanduser()}"


def load_config(path: str | Path | None = None, **overrides: Any) -> KeeperConfig:
    """Reads the YAML file (if any), applies the environment and `overrides`, and validates."""
    data: dict[str, Any] = {}
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"config file {file} not found: pass --config PATH to an existing YAML file")
        try:
            data = yaml.safe_load(file.read_text()) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"config file {file} is not valid YAML ({exc.__class__.__name__}): fix its syntax") from None
        if not isinstance(data, dict):
            raise ConfigError(f"config file {file} must be a mapping of settings (key: value)")
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        # Environment variables (ALP_*) override the file, as pydantic-settings does for init values it lacks.
        return KeeperConfig(**{k: v for k, v in data.items() if f"ALP_{k.upper()}" not in os.environ})
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "config"
        hint = KeeperConfig.model_fields[field].description if field in KeeperConfig.model_fields else None
        fix = f" (expected: {hint})" if hint else ""
        raise ConfigError(f"config: {field}: {error['msg']}{fix}") from None
