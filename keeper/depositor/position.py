"""One address's position in a vault, from the vault's own views and its Deposit/Withdraw events: shares, value,
profit since the first deposit, and what can be withdrawn now — loss-free, and by unwinding strategies — with why
not more."""

from __future__ import annotations

from typing import Any

from keeper import contracts, names


def position(vault, owner: str, from_block: int = 0) -> dict[str, Any]:
    from ape import chain

    symbol, decimals = names.token(vault.asset())
    unit = 10**decimals
    head = chain.blocks.head.number + 1
    deposited = sum(log.assets for log in vault.Deposit.range(from_block, head) if log.owner == owner)
    withdrawn = sum(log.assets for log in vault.Withdraw.range(from_block, head) if log.owner == owner)
    shares = vault.balanceOf(owner)
    value = vault.previewRedeem(shares)
    loss_free = vault.maxWithdraw(owner)
    reachable = min(value, vault.liquidAssets(True))
    sources = [{"name": "idle", "available": vault.totalIdle() / unit}]
    for address in vault.withdrawQueue():
        strategy = contracts.at("IStrategy", address)
        sources.append({"name": names.strategy(address), "address": address,
                        "available": strategy.maxWithdraw(vault.address) / unit,
                        "debt": vault.strategies(address).currentDebt / unit})
    why = []
    if loss_free < value:
        why.append(f"only {loss_free / unit:,.2f} {symbol} is liquid without unwinding a strategy (idle and what each "
                   "strategy holds in the asset)")
        if reachable > loss_free:
            why.append(f"up to {reachable / unit:,.2f} {symbol} by unwinding ranges: pass a max loss (e.g. "
                       "--max-loss-bps 100); the swap back to the asset may cost a little")
        if reachable < value:
            why.append(f"{(value - reachable) / unit:,.2f} {symbol} is not reachable now (a strategy cannot be "
                       "unwound at the current price guard, or is broken)")
    return {"vault": vault.address, "owner": owner, "asset": symbol, "shares": shares / 10**vault.decimals(),
            "value": value / unit, "deposited": deposited / unit, "withdrawn": withdrawn / unit,
            "profit": (value + withdrawn - deposited) / unit, "withdrawable_now": loss_free / unit,
            "withdrawable_unwinding": reachable / unit, "paused": bool(vault.paused()), "sources": sources,
            "why_not_more": why}


def render(p: dict[str, Any]) -> str:
    a = p["asset"]
    lines = [f"{p['owner']} in vault {p['vault']}: {p['shares']:,.6f} shares worth {p['value']:,.2f} {a}",
             f"deposited {p['deposited']:,.2f}, withdrawn {p['withdrawn']:,.2f}, profit {p['profit']:+,.2f} {a}",
             f"withdrawable now: {p['withdrawable_now']:,.2f} {a} loss-free, {p['withdrawable_unwinding']:,.2f} {a} "
             f"unwinding strategies{' (vault paused: exits stay open)' if p['paused'] else ''}"]
    lines += [f"  {s['name']}: {s['available']:,.2f} {a} liquid" + (f" of {s['debt']:,.2f} lent" if "debt" in s else "")
              for s in p["sources"]]
    lines += [f"why not more: {w}" for w in p["why_not_more"]]
    return "\n".join(lines)
