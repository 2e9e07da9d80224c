"""Risk scores: each component against the profile's own limit, the nearest limit binds."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from keeper.risk.profiles import profile
from keeper.risk.score import MAX_COMPONENT, assess

BALANCED = profile("balanced")


def test_a_pool_at_the_volatility_limit_scores_one_and_names_volatility():
    result = assess(BALANCED, weight=0.1, volatility=BALANCED.max_volatility, fee_apr=0.5, il_apr=0.1)
    assert result.score == 1.0 and result.binding == "volatility" and result.within_limits


def test_concentration_binds_when_the_vault_holds_more_than_the_profile_allows():
    result = assess(BALANCED, weight=BALANCED.max_weight * 1.5, volatility=0.1, reputation=0.9)
    assert result.binding == "concentration" and result.score == 1.5 and not result.within_limits


def test_a_stricter_profile_scores_the_same_pool_riskier():
    pool = dict(weight=0.3, volatility=0.7, fee_apr=0.4, il_apr=0.2, depth_share=0.03, reputation=0.8)
    assert assess(profile("stable_income"), **pool).score > assess(profile("aggressive"), **pool).score


def test_impermanent_loss_component_is_the_share_of_fees_it_takes_back():
    assert assess(BALANCED, weight=0.0, fee_apr=0.4, il_apr=0.1).components["impermanent_loss"] == 0.25
    assert assess(BALANCED, weight=0.0, fee_apr=0.0, il_apr=0.1).components["impermanent_loss"] == 1.0


def test_unknown_measures_are_left_out_not_guessed():
    result = assess(BALANCED, weight=0.2)
    assert set(result.components) == {"concentration"}


@given(st.floats(0, 5), st.floats(0, 1), st.floats(0, 3), st.floats(0, 3), st.floats(0, 1), st.floats(0, 1))
def test_score_is_the_largest_component_finite_and_json_safe(vol, weight, fee, il, depth, rep):
    result = assess(profile("aggressive"), weight=weight, volatility=vol, fee_apr=fee, il_apr=il, depth_share=depth,
                    reputation=rep)
    assert result.score == max(result.components.values()) <= MAX_COMPONENT
    assert all(v >= 0 for v in result.components.values())
    json.loads(json.dumps(result.model_dump(), allow_nan=False))
