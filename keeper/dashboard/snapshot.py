"""What the dashboard shows, as one JSON document the page polls: the boundary between the data and the page."""

from __future__ import annotations

from pydantic import BaseModel, Field, computed_field


class VaultSummary(BaseModel):
    """A vault's headline numbers, in units of its asset."""

    name: str
    address: str
    asset_symbol: str
    total_assets: float
    share_price: float
    idle: float
    paused: bool = False
    shutdown: bool = False
    fees_earned: float = 0.0
    impermanent_loss: float = 0.0
    gas_paid: float = 0.0
    gas_unit: str = Field("ETH", description="gas is paid in the chain's native coin, not the vault's asset")


class SeriesPoint(BaseModel):
    t: int = Field(description="unix seconds (chain time)")
    value: float
    share_price: float


class AllocationPoint(BaseModel):
    t: int
    assets: dict[str, float] = Field(description="strategy label (or 'idle') -> assets held")


class RangePoint(BaseModel):
    t: int
    price: float
    lower: float | None = Field(None, description="None while the strategy holds no position")
    upper: float | None = None


class RangeTrack(BaseModel):
    strategy: str
    pool: str
    points: list[RangePoint]

    @property
    def in_range(self) -> bool:
        if not self.points:
            return True
        last = self.points[-1]
        return last.lower is None or last.lower <= last.price <= last.upper


class RiskScore(BaseModel):
    strategy: str
    score: float = Field(description="0 = no risk, 1 = at the profile's limit")
    components: dict[str, float] = {}


# Rounding between the chain's integers and the page's floats: within this, a value is at its limit, not past it.
OVER_TOLERANCE = 1e-6


class Headroom(BaseModel):
    """How close a guardrail is: `used` of `limit` (same unit), as read from the contracts."""

    name: str
    used: float
    limit: float
    unit: str = ""
    floor: bool = Field(False, description="a minimum to stay above (the idle buffer), not a ceiling")
    note: str = Field("", description="why it stands past its limit, in words: what caused it and what happens next")
    past_level: str = Field("warning", description="how serious being past the limit is, given its cause")

    @computed_field
    @property
    def fraction(self) -> float:
        return 0.0 if self.limit <= 0 else self.used / self.limit

    @computed_field
    @property
    def past(self) -> bool:
        if self.floor:
            return self.used < self.limit * (1 - OVER_TOLERANCE)
        return self.limit > 0 and self.fraction > 1 + OVER_TOLERANCE


class DecisionRow(BaseModel):
    id: str
    t: int
    action: str
    status: str
    reasons: list[str] = []
    tx_hash: str | None = None
    expected_gain: float | None = None
    cost: float | None = None


class Alert(BaseModel):
    level: str = Field(description="info | warning | critical")
    message: str


class ReplayClock(BaseModel):
    """The chain replays recorded market history: its clock runs `offset` seconds ahead of the market's."""

    series: str
    offset: int


class DashboardSnapshot(BaseModel):
    generated_at: int
    chain: str
    vault: VaultSummary
    control: VaultSummary | None = None
    history: list[SeriesPoint] = []
    control_history: list[SeriesPoint] = []
    allocation: list[AllocationPoint] = []
    ranges: list[RangeTrack] = []
    risk: list[RiskScore] = []
    guardrails: list[Headroom] = []
    decisions: list[DecisionRow] = []
    alerts: list[Alert] = []
    keeper_last_cycle: int | None = None
    keeper_interval: int | None = None
    replay: ReplayClock | None = None
