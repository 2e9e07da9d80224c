"""Attacks on the pool price: a sandwiched keeper move is refused, and a same-block manipulation around a deposit or
withdrawal gains the attacker nothing."""

from __future__ import annotations

import ape

from keeper.univ3.ticks import sqrt_price_x96_at_tick

from .conftest import USDC, centred_range, deadline
from keeper.execute.rationale import NO_RATIONALE

PUSH_TICKS = 400  # ~4 % price move, four times the default deviation bound


def test_sandwich__price_pushed_before_rerange__reverts_then_passes_after_return(ranged, pool, market, people, chain):
    before = pool.slot0().tick
    lower, upper = centred_range(pool, 0.08)
    market.move_to_tick(people["attacker"], pool, before + PUSH_TICKS)
    with ape.reverts(ranged.PriceDeviationExceeded):
        ranged.rebalanceRange((lower, upper, True, 0, 0), deadline(chain), NO_RATIONALE, sender=people["keeper"])
    market.move_to_tick(people["attacker"], pool, before)
    chain.pending_timestamp += ranged.minRangeInterval()
    ranged.rebalanceRange((lower, upper, True, 0, 0), deadline(chain), NO_RATIONALE, sender=people["keeper"])
    assert (ranged.tickLower(), ranged.tickUpper()) == (lower, upper)


def test_manipulation__spot_moved__position_value_does_not_move(ranged, pool, market, people):
    amount0, amount1, fees0, fees1 = ranged.positionAmounts()
    value = ranged.totalAssets()
    market.move_to_tick(people["attacker"], pool, pool.slot0().tick + PUSH_TICKS)
    # Valued at the TWAP, which the push has not entered yet: the position's amounts are exactly unchanged.
    after = ranged.positionAmounts()
    assert (after[0], after[1]) == (amount0, amount1)
    # The only change is the fee the attacker's swap paid to the range: value can only go up, by that fee.
    assert after[2] >= fees0 and after[3] >= fees1
    assert ranged.totalAssets() >= value


def _send(web3, sender, call):
    return web3.eth.send_transaction({"from": sender.address, "to": call[0], "data": call[1], "gas": 2_000_000})


def test_manipulation__push_and_deposit_withdraw_in_same_block__gains_nothing(
    ranged, pool, market, people, vault, usdc, chain
):
    attacker = people["attacker"]
    weth = market.tokens["WETH"]
    market.fund(attacker, "USDC", 5_000_000 * USDC)
    market.fund(attacker, "WETH", 5_000 * 10**18)
    for token in (usdc, weth):
        token.approve(market.router, 2**256 - 1, sender=attacker)
    usdc.approve(vault, 2**256 - 1, sender=attacker)
    price0 = 1.0001 ** ranged.twapTick() * 10.0 ** (18 - 6 if not ranged.assetIsToken0() else 6 - 18)
    twap_price = price0 if not ranged.assetIsToken0() else 1 / price0  # USDC per WETH at the TWAP

    def wealth() -> float:
        shares = vault.balanceOf(attacker)
        in_vault = vault.previewRedeem(shares) if shares else 0
        return (usdc.balanceOf(attacker) + in_vault) / USDC + weth.balanceOf(attacker) / 10**18 * twap_price

    start = wealth()
    web3 = chain.provider.web3
    tick = pool.slot0().tick
    push = market.router.exactInputSingle.encode_input((
        usdc.address, weth.address, 500, attacker.address, 2**40, 3_000_000 * USDC, 0, 0,
    ))
    deposit = vault.deposit.encode_input(1_000_000 * USDC, attacker.address)
    chain.provider.make_request("evm_setAutomine", [False])
    try:
        hashes = [_send(web3, attacker, (market.router.address, push)), _send(web3, attacker, (vault.address, deposit))]
        chain.provider.make_request("evm_mine", [])
    finally:
        chain.provider.make_request("evm_setAutomine", [True])
    receipts = [web3.eth.get_transaction_receipt(h) for h in hashes]
    assert all(r.status == 1 for r in receipts) and receipts[0].blockNumber == receipts[1].blockNumber
    assert pool.slot0().tick != tick, "the push moved the pool"
    # Undo the push with the attacker's own WETH (the swap stops at the old price), redeem, and count.
    back = market.router.exactInputSingle((
        weth.address, usdc.address, 500, attacker.address, 2**40, weth.balanceOf(attacker), 0,
        sqrt_price_x96_at_tick(tick),
    ), sender=attacker)
    assert back.status == 1
    shares = vault.balanceOf(attacker)
    vault.redeem(shares, attacker, attacker, sender=attacker)
    gain = wealth() - start
    print(f"\nsame-block push (3M USDC) + 1M deposit, then unwind and redeem: attacker gain {gain:,.2f} USDC")
    assert gain <= 0


def test_withdraw__unwinding_the_range__honours_user_max_loss(ranged, vault, people, chain):
    whale = people["whale"]
    # Leave idle short of the withdrawal, so the vault must pull from the Uniswap V3 strategy.
    amount = vault.totalIdle() + 20_000 * USDC
    with ape.reverts(vault.WithdrawLossExceeded):
        vault.withdraw(amount, whale, whale, 0, sender=whale)
    receipt = vault.withdraw(amount, whale, whale, 50, sender=whale)
    # The strategy emits its own ERC-4626 Withdraw too: take the vault's.
    paid = next(log.assets for log in receipt.decode_logs(vault.Withdraw) if log.contract_address == vault.address)
    loss = amount - paid
    assert 0 < loss <= amount * 50 // 10_000
    print(f"\nwithdrawal of {amount / USDC:,.0f} USDC unwinding the range: loss {loss / USDC:,.4f} USDC "
          f"({loss * 10_000 / amount:.2f} bps; user bound 50 bps)")
