"""A deployment spec: what a curator reviews before a vault exists (asset, strategies, caps, every guardrail, roles,
timelock delay), read from YAML into one validated model.

Amounts are in whole units of the vault's asset (e.g. 1000000 USDC), converted with the asset's decimals at deploy
time; bps and seconds are as the contracts take them. A guardrail left out keeps the contract's default.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

# One day is the production minimum for risk-increasing changes (Yearn, Morpho): a spec cannot ask for less.
MIN_TIMELOCK_DELAY = 24 * 60 * 60
MAX_BPS = 10_000
# The contracts' own bounds (Vault.sol, UniswapV3Strategy.sol): a spec beyond them is refused here, not a day later
# when the timelock batch would revert.
MAX_PERFORMANCE_FEE_BPS, MAX_MANAGEMENT_FEE_BPS = 5_000, 500
MAX_REBALANCE_INTERVAL, MAX_PROFIT_UNLOCK_TIME, MAX_TURNOVER_BUDGET_BPS = 30 * 86_400, 365 * 86_400, 50_000
MIN_TWAP_WINDOW, MAX_TWAP_WINDOW, MAX_DEVIATION_TICKS = 60, 86_400, 2_000
MAX_SLIPPAGE_BPS, MAX_RANGE_LOSS_BPS, MAX_RANGE_INTERVAL = 1_000, 500, 7 * 86_400


class SpecError(ValueError):
    """One line: which part of the spec is wrong and how to fix it."""


def _address(value: object) -> str:
    from eth_utils import is_address, to_checksum_address

    # YAML reads an unquoted 0x... as a hexadecimal integer.
    text = f"0x{value:040x}" if isinstance(value, int) else str(value)
    if not is_address(text):
        raise ValueError(f"{text!r} is not an address (0x followed by 40 hex digits)")
    return to_checksum_address(text)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Roles(_Strict):
    """Each role as an address or an Ape account alias (`test:N` on local chains). `governance` proposes and
    executes on the timelock, which is the vault's only admin."""

    governance: str
    curator: str
    guardian: str
    keeper: str
    fee_recipient: str


class VaultGuardrails(_Strict):
    deposit_limit: float | None = Field(None, ge=0, description="whole asset units; None: unlimited")
    min_idle_bps: int | None = Field(None, ge=0, le=MAX_BPS)
    max_turnover_bps: int | None = Field(None, ge=0, le=MAX_BPS)
    min_rebalance_interval: int | None = Field(None, ge=0, le=MAX_REBALANCE_INTERVAL, description="seconds")
    max_rebalance_loss_bps: int | None = Field(None, ge=0, le=MAX_BPS)
    loss_budget_bps: int | None = Field(None, ge=0, le=MAX_BPS)
    turnover_budget_bps: int | None = Field(None, ge=0, le=MAX_TURNOVER_BUDGET_BPS)
    profit_unlock_time: int | None = Field(None, ge=0, le=MAX_PROFIT_UNLOCK_TIME, description="seconds")


class Fees(_Strict):
    performance_bps: int = Field(1_000, ge=0, le=MAX_PERFORMANCE_FEE_BPS)
    management_bps: int = Field(100, ge=0, le=MAX_MANAGEMENT_FEE_BPS)


class RangeGuardrails(_Strict):
    twap_window: int | None = Field(None, ge=MIN_TWAP_WINDOW, le=MAX_TWAP_WINDOW, description="seconds")
    max_deviation_ticks: int | None = Field(None, ge=0, le=MAX_DEVIATION_TICKS)
    max_slippage_bps: int | None = Field(None, ge=0, le=MAX_SLIPPAGE_BPS)
    max_range_loss_bps: int | None = Field(None, ge=0, le=MAX_RANGE_LOSS_BPS)
    max_twap_distance_ticks: int | None = Field(None, ge=0, le=MAX_DEVIATION_TICKS)
    min_range_interval: int | None = Field(None, ge=0, le=MAX_RANGE_INTERVAL, description="seconds")
    min_width_ticks: int | None = Field(None, gt=0)
    max_width_ticks: int | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _width_bounds_together(self) -> RangeGuardrails:
        # Both or neither: the batch sets them in one call, from the spec alone (never from the chain's current
        # values, which would change the timelock batch's id between reruns).
        if (self.min_width_ticks is None) != (self.max_width_ticks is None):
            raise ValueError("give min_width_ticks and max_width_ticks together")
        if self.min_width_ticks is not None and self.min_width_ticks > self.max_width_ticks:
            raise ValueError("min_width_ticks is above max_width_ticks")
        return self


class UniswapV3Source(_Strict):
    """A concentrated-liquidity range in one Uniswap V3 pool: by its address, or by its tokens and fee tier through
    the chain's factory (from the registry, or `factory` where the registry has none, e.g. a local market)."""

    kind: Literal["uniswap-v3"]
    name: str
    pool: str | None = None
    tokens: tuple[str, str] | None = None
    fee: int | None = Field(None, description="fee tier in hundredths of a bip, e.g. 500 for 0.05 %")
    factory: str | None = None
    max_debt: float = Field(ge=0, description="whole asset units")
    max_debt_bps: int = Field(ge=0, le=MAX_BPS)
    guardrails: RangeGuardrails = RangeGuardrails()

    _pool = field_validator("pool", "factory")(lambda v: None if v is None else _address(v))

    @field_validator("tokens")
    @classmethod
    def _tokens(cls, value):
        return None if value is None else tuple(_address(t) for t in value)

    @model_validator(mode="after")
    def _one_way_to_the_pool(self) -> UniswapV3Source:
        if (self.pool is None) == (self.tokens is None):
            raise ValueError("give either pool (its address) or tokens and fee")
        if self.tokens is not None and self.fee is None:
            raise ValueError("tokens need a fee tier (fee: 500, 3000 or 10000)")
        return self


class Erc4626Source(_Strict):
    """Lending the asset to an ERC-4626 vault through ALP's adapter."""

    kind: Literal["erc4626"]
    name: str
    target: str
    max_debt: float = Field(ge=0)
    max_debt_bps: int = Field(ge=0, le=MAX_BPS)

    _target = field_validator("target")(lambda v: _address(v))


Source = Annotated[UniswapV3Source | Erc4626Source, Field(discriminator="kind")]


class DeploySpec(_Strict):
    name: str = Field(min_length=1)
    symbol: str = Field(min_length=1)
    asset: str
    roles: Roles
    timelock_delay: int = Field(MIN_TIMELOCK_DELAY, description="seconds; at least one day")
    fees: Fees = Fees()
    vault: VaultGuardrails = VaultGuardrails()
    strategies: list[Source] = Field(default_factory=list)

    _asset = field_validator("asset")(lambda v: _address(v))

    @field_validator("timelock_delay")
    @classmethod
    def _delay(cls, value: int) -> int:
        if value < MIN_TIMELOCK_DELAY:
            raise ValueError(f"{value} s is below the one-day minimum ({MIN_TIMELOCK_DELAY} s) for risk increases")
        return value

    @model_validator(mode="after")
    def _names_unique(self) -> DeploySpec:
        names = [s.name for s in self.strategies]
        if len(set(names)) != len(names):
            raise ValueError("strategy names must be unique (the record and the commands find strategies by name)")
        return self

    def digest(self) -> str:
        """sha256 of the spec's canonical JSON: a record belongs to exactly one spec."""
        # What the spec sets, not every default of this version's model: a later optional field leaves it alone.
        canonical = json.dumps(self.model_dump(mode="json", exclude_defaults=True), sort_keys=True,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def load_spec(path: str | Path) -> DeploySpec:
    """The spec at `path`, validated; a SpecError naming the first problem otherwise."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise SpecError(f"spec {path} not found: pass the path of a deployment spec (see docs/vault-spec.example.yaml)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise SpecError(f"spec {path} is not valid YAML{where}: fix it and run again") from None
    if not isinstance(raw, dict):
        raise SpecError(f"spec {path} must be a mapping (name, symbol, asset, roles, strategies, ...)")
    try:
        return DeploySpec.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "spec"
        raise SpecError(f"spec {path}: {where}: {first['msg']}") from None
