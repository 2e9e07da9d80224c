"""Issue 15's review findings on the Uniswap V3 strategy, replayed on the real local pool and held to their bounds.

The keeper is the attacker (F-1, F-3) with a partner who moves the pool; a fast market is the adversary of exits
(F-5); the curator's own tightenings must never block them (F-8, F-9). Figures print with `-s` for the issue's note.
"""

from __future__ import annotations

import ape
import pytest

from keeper.execute.rationale import NO_RATIONALE

from .conftest import USDC, centred_range, deadline

PUSH_TICKS = 95  # just inside the default 100-tick deviation bound: the reviewer's push
ROUNDS = 12
SWAP_ASSET = 5_000 * USDC


def _twap_value(strategy, weth_raw: int, tick: int) -> float:
    """USDC (raw) that `weth_raw` is worth at `tick`."""
    price = 1.0001 ** tick  # token1 per token0, raw units
    return weth_raw / price if strategy.assetIsToken0() else weth_raw * price


@pytest.fixture
def partner(people, market):
    """The keeper's accomplice: deep balances of both tokens, so the market helper never mints to it mid-attack."""
    who = people["attacker"]
    for symbol in ("USDC", "WETH"):
        market.fund(who, symbol, 3 * 10 ** (market.decimals(symbol) + 12))
        market.tokens[symbol].approve(market.router, 2**256 - 1, sender=who)
    return who


def _balances(market, who) -> tuple[int, int]:
    return market.tokens["USDC"].balanceOf(who), market.tokens["WETH"].balanceOf(who)


def _narrowest_at_twap(strategy, pool, side: int) -> tuple[int, int]:
    """The narrowest range the strategy allows that still contains the TWAP tick, pushed to one side of it."""
    spacing, width, twap = pool.tickSpacing(), strategy.minWidthTicks(), strategy.twapTick()
    base = (twap // spacing) * spacing
    return (base, base + width) if side > 0 else (base + spacing - width, base + spacing)


def test_f1__reviewers_drain__range_beyond_pushed_spot__refused(ranged, pool, market, people, chain, partner):
    """Before: push ~95 ticks, mint everything in the narrowest range just beyond spot, swap back: 0.7 % a call."""
    keeper, spacing = people["keeper"], pool.tickSpacing()
    chain.pending_timestamp += ranged.minRangeInterval()
    start = pool.slot0().tick
    market.move_to_tick(partner, pool, start - PUSH_TICKS)
    spot = pool.slot0().tick
    lower = (spot // spacing) * spacing - 2 * spacing
    with ape.reverts(ranged.RangeAwayFromTwap):
        ranged.rebalanceRange((lower, lower + 2 * spacing, False, 0, 0), deadline(chain), NO_RATIONALE, sender=keeper)


def test_f1__strongest_drain_left__bounded_per_call_and_per_day(ranged, vault, pool, market, people, chain, partner):
    """The adversarial keeper's best remaining play, repeated: the partner pushes spot to the deviation bound, the
    keeper re-ranges into the narrowest range at the TWAP (a swap at the pushed price included), the partner swaps
    back. Each call may lose at most `maxRangeLossBps` of TWAP value, and all of them together the vault's budget."""
    keeper = people["keeper"]
    value0, (usdc0, weth0), tick0 = ranged.totalAssets(), _balances(market, partner), ranged.twapTick()
    refused: dict[str, int] = {}
    for round_ in range(ROUNDS):
        chain.pending_timestamp += ranged.minRangeInterval()
        chain.mine()
        home = pool.slot0().tick
        side = 1 if round_ % 2 else -1
        market.move_to_tick(partner, pool, ranged.twapTick() + side * PUSH_TICKS)
        lower, upper = _narrowest_at_twap(ranged, pool, side)
        # Pushed one way, the keeper also buys the paired token dear with part of the asset; the other way, no swap.
        sell = SWAP_ASSET if (side > 0) != ranged.assetIsToken0() else 0
        try:
            ranged.rebalanceRange((lower, upper, ranged.assetIsToken0(), sell, 0), deadline(chain), NO_RATIONALE,
                                  sender=keeper)
        except ape.exceptions.ContractLogicError as error:
            refused[type(error).__name__] = refused.get(type(error).__name__, 0) + 1
        market.move_to_tick(partner, pool, home)
    chain.pending_timestamp += ranged.twapWindow()
    chain.mine()
    lost = value0 - ranged.totalAssets()
    usdc1, weth1 = _balances(market, partner)
    gained = usdc1 - usdc0 + _twap_value(ranged, weth1 - weth0, tick0)  # the partner's take at the starting price
    elapsed_days = ROUNDS * ranged.minRangeInterval() / 86_400
    budget = vault.lossBudgetBps() * (vault.totalIdle() + vault.totalDebt()) / 10_000
    print(f"\nF-1 after: {ROUNDS} rounds over {elapsed_days:.2f} days: strategy {value0 / USDC:,.2f} -> "
          f"{ranged.totalAssets() / USDC:,.2f} ({-lost / value0:+.3%}), partner {gained / USDC:+,.2f} USDC; "
          f"refused {refused}; daily loss budget {budget / USDC:,.2f}")
    assert lost <= budget * (1 + elapsed_days) + 1
    assert gained <= max(lost, 0) + 1 * USDC, "the partner can only take what the strategy lost"


def test_f1__rerange_cooldown_and_shutdown(ranged, vault, pool, people, chain):
    keeper = people["keeper"]
    lower, upper = centred_range(pool, 0.08)
    with ape.reverts(ranged.RangeTooSoon):
        ranged.rebalanceRange((lower, upper, True, 0, 0), deadline(chain), NO_RATIONALE, sender=keeper)
    chain.pending_timestamp += ranged.minRangeInterval()
    vault.shutdown(sender=people["guardian"])
    with ape.reverts(ranged.VaultShutdown):
        ranged.rebalanceRange((lower, upper, True, 0, 0), deadline(chain), NO_RATIONALE, sender=keeper)


def test_f1__mint_at_a_price_the_swap_pushed__refused(ranged, pool, people, chain):
    """The keeper's own funding swap may not drag the price the mint uses away from the TWAP."""
    chain.pending_timestamp += ranged.minRangeInterval()
    lower, upper = centred_range(pool, 0.05)
    asset_is_token0 = ranged.assetIsToken0()
    held = ranged.positionAmounts()
    paired = held[0] if not asset_is_token0 else held[1]
    # Sell every paired token the range holds, at a TWAP floor the curator loosened to the cap: the swap itself
    # moves the pool past the deviation bound, and the mint must refuse that price.
    with ape.reverts():
        ranged.rebalanceRange((lower, upper, not asset_is_token0, paired * 50, 0), deadline(chain), NO_RATIONALE,
                              sender=people["keeper"])


def test_f3__funding_swap__keeper_floor_refuses_a_pushed_price(ranged, pool, market, people, chain, partner):
    """Before: 300k swap after a 30-tick push: strategy -957.66, searcher +773.50 (no keeper floor)."""
    keeper = people["keeper"]
    chain.pending_timestamp += ranged.minRangeInterval()
    chain.mine()
    lower, upper = centred_range(pool, 0.05)
    asset_is_token0 = ranged.assetIsToken0()
    amount = 5_000 * USDC  # asset sold for the paired token
    sqrt_p = pool.slot0().sqrtPriceX96 / 2**96
    price = sqrt_p * sqrt_p  # token1 per token0 at the keeper's observation
    expected = amount * price if asset_is_token0 else amount / price
    keeper_floor = int(expected * (1 - pool.fee() / 1e6) * (1 - 0.001))  # the fee and 10 bps of impact
    # A searcher pushes the price 30 ticks against the keeper's swap (well inside the TWAP floor's 50 bps).
    market.move_to_tick(partner, pool, pool.slot0().tick + (30 if not asset_is_token0 else -30))
    with ape.reverts(ranged.SlippageExceeded):
        ranged.rebalanceRange((lower, upper, asset_is_token0, amount, keeper_floor), deadline(chain), NO_RATIONALE,
                              sender=keeper)
    # Without the keeper's floor the TWAP floor alone lets the pushed fill through: the keeper's is the one that binds.
    receipt = ranged.rebalanceRange((lower, upper, asset_is_token0, amount, 0), deadline(chain), NO_RATIONALE,
                                    sender=keeper)
    got = receipt.decode_logs(ranged.Swapped)[0].amountOut
    print(f"\nF-3 after: keeper floor {keeper_floor:,} refused the fill after a 30-tick push; without it the swap "
          f"returned {got:,} ({got / expected - 1:+.2%} against the keeper's observation)")
    assert got < keeper_floor


def test_f4__max_withdraw_with_a_range__is_exactly_what_the_erc4626_calls_pay(ranged, vault, people, chain, usdc):
    """Before: maxWithdraw counted the range, which only a lossy unwind can pay: withdraw(maxWithdraw) reverted."""
    whale = people["whale"]
    most, unwinding = vault.maxWithdraw(whale), vault.liquidAssets(True)
    liquid = vault.totalIdle() + min(usdc.balanceOf(ranged), ranged.convertToAssets(ranged.balanceOf(vault)))
    assert most == min(vault.previewRedeem(vault.balanceOf(whale)), liquid)
    snapshot = chain.snapshot()
    vault.withdraw(most, whale, whale, sender=whale)
    chain.restore(snapshot)
    shares = vault.maxRedeem(whale)
    vault.redeem(shares, whale, whale, sender=whale)
    print(f"\nF-4 after (range): maxWithdraw {most / USDC:,.2f} (idle and the strategy's idle asset), paid in full; "
          f"exits that may unwind the range reach {unwinding / USDC:,.2f}")
    assert unwinding > most


def _crash(strategy, pool, market, who, ticks: int = 150) -> None:
    """A fast market: the paired token's price falls ~1.5 % at once, the TWAP still above it."""
    down = -ticks if not strategy.assetIsToken0() else ticks  # WETH priced in USDC falls
    market.move_to_tick(who, pool, pool.slot0().tick + down)


def test_f5__exit_in_a_fast_market__unwinds_within_the_depositors_max_loss(ranged, vault, pool, market, people,
                                                                           partner, deployment):
    """Before: with spot 1.5 % under the TWAP, every unwinding exit reverted SlippageExceeded even at 10,000 bps."""
    whale = people["whale"]
    _crash(ranged, pool, market, partner)
    # F-9: the curator tightening every strategy setting at once must not block the exit either.
    ranged.setMaxSlippageBps(0, sender=people["curator"])
    ranged.setMaxDeviationTicks(0, sender=people["curator"])
    vault.pause(sender=people["guardian"])
    value = vault.previewRedeem(vault.balanceOf(whale))
    with ape.reverts(vault.WithdrawLossExceeded):
        vault.redeem(vault.balanceOf(whale), whale, whale, 0, sender=whale)
    received = market.tokens["USDC"].balanceOf(whale)
    vault.redeem(vault.balanceOf(whale), whale, whale, 500, sender=whale)
    received = market.tokens["USDC"].balanceOf(whale) - received
    print(f"\nF-5 after: paused, slippage bound 0, spot 150 ticks under the TWAP: the whale's unwinding redeem paid "
          f"{received / USDC:,.2f} of {value / USDC:,.2f} ({received / value - 1:+.2%})")
    assert vault.balanceOf(whale) == 0
    assert received >= value * (10_000 - 500) // 10_000


def test_f5__revoke_in_a_fast_market__recovers_the_range(ranged, vault, pool, market, people, partner):
    _crash(ranged, pool, market, partner)
    ranged.setMaxSlippageBps(0, sender=people["curator"])
    debt = vault.strategies(ranged).currentDebt
    receipt = vault.revokeStrategy(ranged, False, sender=people["guardian"])
    event = receipt.decode_logs(vault.StrategyRevoked)[0]
    print(f"\nF-5 after: non-forced revoke in the crash recovered {event.recovered / USDC:,.2f} of {debt / USDC:,.2f}")
    assert event.recovered >= debt * 97 // 100
    assert ranged.liquidity() == 0


def test_f8__twap_window_the_oracle_cannot_serve__refused(market, people, deployment, chain):
    """Before: lengthening the TWAP window past a short oracle's history made every valuation revert, which blocked
    exits. A fresh WBTC/USDC 0.05 % pool holds one observation: no window can be set that it cannot serve."""
    from keeper.deployment import deploy_univ3_strategy
    from keeper import contracts

    tokens, deployer = market.tokens, people["deployer"]
    receipt = market.factory.createPool(tokens["WBTC"].address, tokens["USDC"].address, 500, sender=deployer)
    pool = contracts.at("UniswapV3Pool", receipt.decode_logs(market.factory.PoolCreated)[0].pool)
    pool.initialize(2**96, sender=deployer)
    strategy = deploy_univ3_strategy(deployer, deployment, pool, "short oracle", "short")
    chain.pending_timestamp += 2 * 3_600
    chain.mine()
    with ape.reverts(strategy.OracleTooShort):
        strategy.setTwapWindow(3 * 3_600, sender=people["curator"])
    strategy.setTwapWindow(3_600, sender=people["curator"])  # what the oracle can serve is still allowed
    assert strategy.twapWindow() == 3_600


def test_range_guardrails__curator_tightens_admin_loosens(ranged, people, deployment):
    curator = people["curator"]
    ranged.setMaxRangeLossBps(10, sender=curator)
    ranged.setMinRangeInterval(2 * 3_600, sender=curator)
    with ape.reverts(ranged.Unauthorized):
        ranged.setMaxTwapDistanceTicks(10, sender=curator)
    deployment.admin.call(ranged, "setMaxTwapDistanceTicks", 10)
    assert (ranged.maxRangeLossBps(), ranged.minRangeInterval(), ranged.maxTwapDistanceTicks()) == (10, 7_200, 10)


def test_rerange__records_value_before_after_and_the_rationale(ranged, pool, people, chain):
    chain.pending_timestamp += ranged.minRangeInterval()
    lower, upper = centred_range(pool, 0.08)
    why = b"\x11" * 32
    receipt = ranged.rebalanceRange((lower, upper, True, 0, 0), deadline(chain), why, sender=people["keeper"])
    event = receipt.decode_logs(ranged.RangeUpdated)[0]
    assert bytes(event.rationale) == why
    assert abs(event.valueAfter - event.valueBefore) <= event.valueBefore * 5 // 10_000
