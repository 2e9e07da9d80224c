"""One address's position in a vault, from the vault's own views and its events: shares, value, profit since the
first deposit, fees paid, and what can be withdrawn now — loss-free, and by unwinding strategies — with why not more
(idle, each strategy's liquidity, the price guard of each range)."""

from __future__ import annotations

from typing import Any

from ape.exceptions import VirtualMachineError

from keeper import contracts, names
from keeper.depositor.ledger import ledger


def _price_guard(address: str, at: dict[str, int]) -> dict[str, Any] | None:
    """A range strategy's exit guard: the exit sells its paired token only within EXIT_PRICE_LIMIT_TICKS of the pool's
    TWAP, so a spot pushed beyond that leaves the paired token unsold and the exit short."""
    from ape import chain

    from keeper.market.chain import strategy_pool

    pool = strategy_pool(chain.provider.web3, address)
    if pool is None:
        return None
    strategy = contracts.at("UniswapV3Strategy", address)
    try:
        twap = strategy.twapTick(**at)
    except VirtualMachineError:  # an oracle without enough history: the guard cannot vouch for any price
        return {"ok": False, "note": "the pool's price oracle has too little history to value an exit"}
    spot = contracts.at("UniswapV3Pool", pool).slot0(**at).tick
    limit = strategy.EXIT_PRICE_LIMIT_TICKS()
    # The exit sells the paired token for the asset: token1 -> token0 pushes the tick up, token0 -> token1 down, so
    # only a spot already past the limit on the selling side leaves the paired token unsold.
    selling_down = not strategy.assetIsToken0()
    ok = spot > twap - limit if selling_down else spot < twap + limit
    note = (f"pool price {1.0001 ** abs(spot - twap) - 1:.2%} from its {strategy.twapWindow() // 60} min average; "
            f"exits sell at most {1.0001**limit - 1:.0%} away from it")
    return {"ok": ok, "spot_tick": spot, "twap_tick": twap, "limit_ticks": limit, "note": note}


def _strategy_liquidity(address: str, vault_address: str, at: dict[str, int]) -> tuple[int, int] | None:
    """(liquid now, reachable by unwinding) of one strategy; None when it cannot say (a valuation that reverts: the
    vault skips such a strategy in exits too)."""
    strategy = contracts.at("IStrategy", address)
    try:
        return strategy.liquidAssets(**at), strategy.maxWithdraw(vault_address, **at)
    except VirtualMachineError:  # a revert; a node that failed to answer is not the strategy's fault
        return None


def position(vault, owner: str, from_block: int = 0, labels: dict[str, str] | None = None,
             memo: dict | None = None, block: int | None = None) -> dict[str, Any]:
    """Every figure comes from a vault view for `owner` (raw integers beside the human ones, so a page or a test can
    compare exactly) or from the vault's events, all as of one block (`block`, else the head when called): figures
    read across blocks of a busy chain would not add up."""
    from ape import chain

    if block is None:
        block = chain.blocks.head.number
        try:
            vault.totalSupply(block_id=block)
        except VirtualMachineError:
            raise
        except Exception:  # behind a load balancer, the node answering may not have the head block yet
            block -= 1
    at = {"block_id": block}
    symbol, decimals = names.token(vault.asset())
    unit = 10**decimals
    share_unit = 10**vault.decimals()
    queue = list(vault.withdrawQueue(**at))
    labels = labels if labels is not None else {a: names.strategy(a) for a in queue}
    history = ledger(vault, owner, labels, from_block, head=block, memo=memo)
    shares = vault.balanceOf(owner, **at)
    value = vault.previewRedeem(shares, **at)
    loss_free = vault.maxWithdraw(owner, **at)
    reachable = min(value, vault.liquidAssets(True, **at))
    idle = vault.totalIdle(**at)
    sources: list[dict[str, Any]] = [{"name": "idle", "available": idle / unit, "available_raw": str(idle)}]
    for address in queue:
        liquidity = _strategy_liquidity(address, vault.address, at)
        liquid, unwindable = liquidity or (0, 0)
        source = {"name": labels.get(address, address), "address": address,
                  "available": liquid / unit, "available_raw": str(liquid),
                  "unwindable": unwindable / unit, "debt": vault.strategies(address, **at).currentDebt / unit}
        if liquidity is None:
            source["note"] = "cannot be valued now (its price oracle or source reverts): exits skip it"
        guard = _price_guard(address, at)
        if guard is not None:
            source["price_guard"] = guard
        sources.append(source)
    why = []
    if loss_free < value:
        why.append(f"only {loss_free / unit:,.2f} {symbol} is liquid without unwinding a strategy (idle "
                   f"{idle / unit:,.2f}, and what each strategy holds in the asset)")
        if reachable > loss_free:
            why.append(f"up to {reachable / unit:,.2f} {symbol} by unwinding ranges: give a max loss (e.g. 1 %); "
                       "the swap back to the asset may cost a little")
        if reachable < value:
            why.append(f"{(value - reachable) / unit:,.2f} {symbol} is not reachable now (a strategy cannot be "
                       "unwound at the current price guard, or is broken)")
        for source in sources:
            guard = source.get("price_guard")
            if "note" in source:
                why.append(f"{source['name']}: {source['note']}")
            elif guard and not guard["ok"]:
                why.append(f"{source['name']}: {guard['note']}: its exit would sell short; wait for the average to "
                           "catch up")
    deposited, withdrawn = history.deposited_raw, history.withdrawn_raw
    return {"vault": vault.address, "owner": owner, "asset": symbol, "decimals": decimals,
            "share_decimals": vault.decimals(),
            "shares": shares / share_unit, "shares_raw": str(shares),
            "value": value / unit, "value_raw": str(value),
            "share_price": vault.convertToAssets(share_unit, **at) / unit,
            "deposited": deposited / unit, "withdrawn": withdrawn / unit,
            "profit": (value + withdrawn - deposited) / unit,
            "fees_paid": history.fees_paid_raw / unit, "fees_paid_raw": str(history.fees_paid_raw),
            "withdrawable_now": loss_free / unit, "withdrawable_now_raw": str(loss_free),
            "withdrawable_unwinding": reachable / unit, "withdrawable_unwinding_raw": str(reachable),
            "redeemable_now_raw": str(vault.maxRedeem(owner, **at)),
            "first_block": history.first_block, "block": block,
            "paused": bool(vault.paused(**at)), "shutdown": bool(vault.isShutdown(**at)), "sources": sources,
            "why_not_more": why, "activity": [e.model_dump() for e in history.activity]}


def render(p: dict[str, Any]) -> str:
    a = p["asset"]
    lines = [f"{p['owner']} in vault {p['vault']}: {p['shares']:,.6f} shares worth {p['value']:,.2f} {a}",
             f"deposited {p['deposited']:,.2f}, withdrawn {p['withdrawn']:,.2f}, profit {p['profit']:+,.2f} {a} "
             f"(after {p['fees_paid']:,.2f} {a} of vault fees)",
             f"withdrawable now: {p['withdrawable_now']:,.2f} {a} loss-free, {p['withdrawable_unwinding']:,.2f} {a} "
             f"unwinding strategies{' (vault paused: exits stay open)' if p['paused'] else ''}"]
    lines += [f"  {s['name']}: {s['available']:,.2f} {a} liquid" + (f" of {s['debt']:,.2f} lent" if "debt" in s else "")
              + (f" ({s['price_guard']['note']})" if "price_guard" in s else "")
              for s in p["sources"]]
    lines += [f"why not more: {w}" for w in p["why_not_more"]]
    return "\n".join(lines)
