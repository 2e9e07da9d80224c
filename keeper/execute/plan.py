"""What the keeper intends to do, as data: recorded before anything is sent, shown to approvers, replayed on
restart."""

from __future__ import annotations

import hashlib
import json
from enum import Enum
from typing import Any

from pydantic import BaseModel, Field

from keeper.execute import rationale


class PlanKind(str, Enum):
    rebalance = "rebalance"  # vault.rebalance(targets, deadline, rationale)
    rerange = "rerange"  # strategy.rebalanceRange((lower, upper, zeroForOne, amountIn, minAmountOut), deadline, rationale)


class Target(BaseModel):
    strategy: str
    current_debt: int
    target_debt: int


class Rerange(BaseModel):
    strategy: str
    lower: int
    upper: int
    zero_for_one: bool
    amount_in: int
    min_amount_out: int = Field(0, description="the keeper's floor on the funding swap's output (the strategy "
                                               "also applies its TWAP floor)")


class Plan(BaseModel):
    vault: str
    kind: PlanKind
    targets: list[Target] = Field(default_factory=list)
    rerange: Rerange | None = None
    reasons: list[str]
    expected_gain: float = Field(description="asset units over the optimizer's horizon")
    cost: float = Field(description="asset units: gas of the move")
    created_at: int
    restores_limit: bool = Field(False, description="brings a holding back under a risk limit: sent whatever the "
                                                    "expected gain, since a limit is not traded against return")
    inputs: dict[str, Any] = Field(default_factory=dict, description="what the decision read: the vault's figures "
                                                                      "and each strategy's scores")
    model_version: str = Field("", description="the decision logic that made the plan (keeper.execute.rationale)")

    @property
    def id(self) -> str:
        """Content-addressed: the same intent at the same time is the same plan, so a retry cannot duplicate it."""
        # A plan recorded before restores_limit (or inputs, model_version) existed keeps its id.
        exclude = {"reasons"} | ({"restores_limit"} if not self.restores_limit else set())
        exclude |= {name for name in ("inputs", "model_version") if not getattr(self, name)}
        body = json.dumps(self.model_dump(mode="json", exclude=exclude), sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()[:16]

    @property
    def rationale(self) -> bytes:
        """The bytes32 the move carries on chain: the hash of the plan exactly as the store records it."""
        return rationale.of_plan(self.model_dump(mode="json"))

    @property
    def turnover(self) -> int:
        return sum(abs(t.target_debt - t.current_debt) for t in self.targets)
