"""Depositor objectives as limits the optimizer respects."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field


class ProfileName(str, Enum):
    stable_income = "stable_income"
    balanced = "balanced"
    aggressive = "aggressive"
    diversified = "diversified"


class RiskProfile(BaseModel):
    name: ProfileName
    max_weight: float = Field(description="largest share of the vault in one opportunity")
    max_volatility: float = Field(description="annualised volatility above which a pool is excluded")
    il_aversion: float = Field(description="multiplier on expected impermanent loss in the objective")
    min_reputation: float = Field(description="lowest registry score accepted (0..1)")
    max_depth_share: float = Field(description="largest share of a pool's active liquidity the vault may be")
    min_half_width: float = Field(description="narrowest range, as +-fraction of price")


PROFILES: dict[ProfileName, RiskProfile] = {
    ProfileName.stable_income: RiskProfile(name=ProfileName.stable_income, max_weight=0.6, max_volatility=0.8,
                                           il_aversion=2.0, min_reputation=0.7, max_depth_share=0.05,
                                           min_half_width=0.10),
    ProfileName.balanced: RiskProfile(name=ProfileName.balanced, max_weight=0.6, max_volatility=1.5, il_aversion=1.0,
                                      min_reputation=0.5, max_depth_share=0.10, min_half_width=0.04),
    ProfileName.aggressive: RiskProfile(name=ProfileName.aggressive, max_weight=0.9, max_volatility=3.0,
                                        il_aversion=0.7, min_reputation=0.3, max_depth_share=0.20,
                                        min_half_width=0.02),
    ProfileName.diversified: RiskProfile(name=ProfileName.diversified, max_weight=0.35, max_volatility=2.0,
                                         il_aversion=1.0, min_reputation=0.5, max_depth_share=0.10,
                                         min_half_width=0.05),
}


def profile(name: str | ProfileName) -> RiskProfile:
    try:
        return PROFILES[ProfileName(name)]
    except ValueError:
        raise ValueError(f"unknown risk profile {name!r}: use one of {', '.join(p.value for p in ProfileName)}") from None
