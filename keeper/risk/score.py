"""One risk score per opportunity: each risk measured against the limit the depositor's profile sets for it.

Every component is a fraction of its limit (1.0 = exactly at the profile's limit), so components of different
kinds compare directly, and the score is the largest: the risk closest to its limit is the one that binds.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from keeper.risk.profiles import RiskProfile

# Past ten times its limit the exact multiple no longer matters, and a finite number stays valid JSON.
MAX_COMPONENT = 10.0


class RiskAssessment(BaseModel):
    score: float = Field(description="largest component: 0 = no risk, 1 = at the profile's limit")
    binding: str = Field(description="the component that sets the score")
    components: dict[str, float]

    @property
    def within_limits(self) -> bool:
        return self.score <= 1.0


def assess(profile: RiskProfile, *, weight: float, volatility: float | None = None, fee_apr: float | None = None,
           il_apr: float | None = None, depth_share: float | None = None,
           reputation: float | None = None) -> RiskAssessment:
    """Scores what is known about an opportunity; a measure left as None (not applicable, not yet known) is absent.

    weight: share of the vault held there; volatility: annualised; fee_apr and il_apr: of the chosen range;
    depth_share: the vault's share of the pool's active liquidity; reputation: registry score 0..1.
    """
    components = {"concentration": _ratio(weight, profile.max_weight)}
    if volatility is not None:
        components["volatility"] = _ratio(volatility, profile.max_volatility)
    if il_apr is not None and fee_apr is not None:
        # The share of the fees that expected impermanent loss takes back: at 1 the range earns nothing net.
        components["impermanent_loss"] = _ratio(il_apr, fee_apr) if fee_apr > 0 else (1.0 if il_apr > 0 else 0.0)
    if depth_share is not None:
        components["depth"] = _ratio(depth_share, profile.max_depth_share)
    if reputation is not None:
        # Distance from a perfect record, against the distance the profile tolerates.
        components["reputation"] = _ratio(1.0 - reputation, 1.0 - profile.min_reputation)
    components = {k: round(max(v, 0.0), 4) for k, v in components.items()}
    binding = max(components, key=components.__getitem__)
    return RiskAssessment(score=components[binding], binding=binding, components=components)


def _ratio(value: float, limit: float) -> float:
    if limit <= 0:
        return 0.0 if value <= 0 else MAX_COMPONENT
    return min(value / limit, MAX_COMPONENT)
