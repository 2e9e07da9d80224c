"""The strategy's own guardrails: curator tightens at once, only the admin (timelock) loosens, hard bounds hold."""

from __future__ import annotations

import ape


def test_deviation__curator_tightens__admin_loosens(strategy, people, deployment):
    current = strategy.maxDeviationTicks()
    strategy.setMaxDeviationTicks(current - 50, sender=people["curator"])
    assert strategy.maxDeviationTicks() == current - 50
    with ape.reverts(strategy.Unauthorized):
        strategy.setMaxDeviationTicks(current, sender=people["curator"])
    deployment.admin.call(strategy, "setMaxDeviationTicks", current)
    assert strategy.maxDeviationTicks() == current
    with ape.reverts(strategy.Unauthorized):
        strategy.setMaxDeviationTicks(1, sender=people["keeper"])


def test_twap_window__bounds_and_direction(strategy, people, deployment):
    window = strategy.twapWindow()
    strategy.setTwapWindow(window + 60, sender=people["curator"])  # longer is safer
    with ape.reverts(strategy.Unauthorized):
        strategy.setTwapWindow(window, sender=people["curator"])
    with ape.reverts(strategy.ValueOutOfBounds):
        strategy.setTwapWindow(strategy.MAX_TWAP_WINDOW() + 1, sender=people["curator"])


def test_slippage_and_width__curator_tightens_only(strategy, people, pool):
    strategy.setMaxSlippageBps(10, sender=people["curator"])
    with ape.reverts(strategy.Unauthorized):
        strategy.setMaxSlippageBps(20, sender=people["curator"])
    spacing = pool.tickSpacing()
    strategy.setRangeWidthBounds(10 * spacing, 1_000 * spacing, sender=people["curator"])
    with ape.reverts(strategy.Unauthorized):
        strategy.setRangeWidthBounds(2 * spacing, 1_000 * spacing, sender=people["curator"])
