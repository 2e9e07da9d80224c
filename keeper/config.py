"""Keeper settings: a YAML file plus ALP_* environment variables (environment wins), validated at start.

A bad value stops the keeper before it touches the chain, with one line naming the field and the fix. Keys never
live here: `account` names an Ape account (an alias from `ape accounts`, or `test:N` on local chains only).
"""

from __future__ import annotations

import os
import re
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


# 32 bytes of hex, with or without 0x: the shape of a private key. Nothing that shape belongs in a config.
_KEY_SHAPE = re.compile(r"(0x)?[0-9a-fA-F]{64}")
# Settings holding an address: YAML reads an unquoted 0x... as a hexadecimal integer.
ADDRESS_FIELDS = ("vault",)
DEFAULT_STORE_NAME = "keeper.sqlite"


def user_data_dir() -> Path:
    """Where ALP keeps its files when no config file says otherwise (XDG data home)."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "alp"


class KeeperConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALP_", extra="forbid")

    network: str = Field("ethereum:local:node", description="Ape network choice or an RPC URL")
    rpc_fallbacks: list[str] = Field(default_factory=list, description="RPC URLs of the same chain, in order: "
                                     "used when the primary fails or lags")
    max_rpc_lag_blocks: int = Field(3, ge=1, description="an endpoint this many blocks behind the best is left")
    vault: str = Field(description="address of the ALP vault this keeper manages")
    account: str | None = Field(None, description="Ape account alias, or test:N on a local chain (needed to sign)")
    profile: ProfileName = ProfileName.balanced
    mode: Mode = Mode.dry_run
    cycle_seconds: int = Field(300, ge=10, description="seconds between cycles")
    max_fee_gwei: float = Field(100.0, gt=0, description="never pay more per gas than this")
    priority_fee_gwei: float = Field(1.0, ge=0)
    min_gain: float = Field(0.0, ge=0, description="least expected gain per move, in the vault's asset units")
    cost_margin: float = Field(2.0, ge=1.0, description="act only when expected gain > cost x margin")
    confirm_timeout_seconds: int = Field(120, ge=1, description="wait this long before replacing a transaction")
    store: str = Field(DEFAULT_STORE_NAME, description="SQLite path (relative to the config file's folder) or "
                                                    "SQLAlchemy URL of the keeper's store")
    eth_price: float = Field(2_000.0, gt=0, description="asset units per ETH, to cost gas when no pool prices ETH")

    @field_validator("vault")
    @classmethod
    def _address(cls, value: str) -> str:
        from eth_utils import is_address, to_checksum_address

        if not is_address(value):
            raise ValueError("not an address (0x followed by 40 hex digits)")
        return to_checksum_address(value)

    @field_validator("rpc_fallbacks")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("http://", "https://")):
                raise ValueError("each fallback is an http(s):// RPC URL of the same chain")
        return value

    @field_validator("account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is not None and value.startswith("0x") and len(value) > 42:
            raise ValueError("looks like a private key: never put keys in config; use an Ape account alias")
        return value

    @property
    def store_url(self) -> str:
        return self.store if "://" in self.store else f"sqlite:///{Path(self.store).expanduser()}"


def _refuse_secrets(data: dict[str, Any], where: str) -> None:
    """A value shaped like a private key anywhere in the settings stops the keeper; the value is never repeated."""
    for key, value in data.items():
        text = value if isinstance(value, str) else None
        # An unquoted 0x + 64 hex digits reaches us as an integer wider than any address.
        if isinstance(value, int) and not isinstance(value, bool) and value >= 2**160:
            text = "0" * 64
        if text is not None and _KEY_SHAPE.fullmatch(text.strip()):
            raise ConfigError(f"config: {key} ({where}): looks like a private key: remove it and rotate that key; "
                              "keys stay in Ape's account store (`ape accounts import ALIAS`, then account: ALIAS)")


def _refuse_unquoted_addresses(data: dict[str, Any]) -> None:
    for key in ADDRESS_FIELDS:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            raise ConfigError(f"config: {key}: YAML read an unquoted 0x... address as a number: write it in quotes "
                              f"({key}: \"0x...\")")


# Where the store was by default before it moved beside the config file: found there, it is pointed out, not ignored.
OLD_DEFAULT_STORE = Path(".alp") / "keeper.sqlite"


def _store_location(data: dict[str, Any], config_file: Path | None) -> None:
    """A relative store path is resolved beside the config file, or in the user's data folder without one (one store
    per vault there, so two vaults never share plans); never against whatever folder the shell is in. A folder that
    does not exist is reported, not created, unless it is the default one."""
    given = os.environ.get("ALP_STORE") or data.get("store")
    if not given and OLD_DEFAULT_STORE.is_file():
        raise ConfigError(f"config: store: found a keeper store at the old default {OLD_DEFAULT_STORE.resolve()}: "
                          "set store: to that path (the default store now sits beside the config file)")
    vault = str(data.get("vault") or os.environ.get("ALP_VAULT") or "").lower()
    default = DEFAULT_STORE_NAME if config_file is not None or not vault else f"keeper-{vault}.sqlite"
    store = str(given or default)
    if "://" in store:
        data["store"] = store
        return
    base = config_file.resolve().parent if config_file is not None else user_data_dir()
    path = Path(store).expanduser()
    path = path if path.is_absolute() else base / path
    if not path.parent.is_dir():
        if path.parent == user_data_dir():
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            raise ConfigError(f"config: store: folder {path.parent} does not exist: create it, or set store to a "
                              "file in an existing folder")
    data["store"] = str(path)


def load_config(path: str | Path | None = None, **overrides: Any) -> KeeperConfig:
    """Reads the YAML file (if any), applies the environment and `overrides`, and validates. ($ALP_CONFIG is the
    commands' default for `path`, applied by the CLI, so library callers such as the demo never pick it up.)"""
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
    _refuse_secrets(data, f"in {path}" if path is not None else "in the settings")
    _refuse_secrets({k.removeprefix("ALP_").lower(): v for k, v in os.environ.items() if k.startswith("ALP_")},
                    "in the environment")
    data.update({k: v for k, v in overrides.items() if v is not None})
    _refuse_secrets(data, "given on the command line")
    _refuse_unquoted_addresses(data)
    _store_location(data, Path(path) if path is not None else None)
    try:
        # Environment variables (ALP_*) override the file, as pydantic-settings does for init values it lacks.
        # The store was resolved above with the environment already applied.
        return KeeperConfig(**{k: v for k, v in data.items() if f"ALP_{k.upper()}" not in os.environ or k == "store"})
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "config"
        hint = KeeperConfig.model_fields[field].description if field in KeeperConfig.model_fields else None
        fix = f" (expected: {hint})" if hint else ""
        raise ConfigError(f"config: {field}: {error['msg']}{fix}") from None
