"""`alp vault show`: everything a curator needs to see of a vault on one page, read from the chain alone —
totals, state, roles, every guardrail, each strategy by name with its caps and range guardrails, and the pending
timelock operations with their ETA."""

from __future__ import annotations

from typing import Any

from keeper import contracts, names
from keeper.curate.settings import RANGE_SETTINGS, UNLIMITED, VAULT_SETTINGS
from keeper.curate.timelock import admin_timelock, operations
from keeper.market.chain import strategy_pool

def _amount(raw: int, decimals: int) -> float | None:
    return None if raw == UNLIMITED else raw / 10**decimals


def report(vault, from_block: int = 0) -> dict[str, Any]:
    from ape import chain

    symbol, decimals = names.token(vault.asset())
    head = vault.chain_manager.blocks.head
    out: dict[str, Any] = {
        "vault": vault.address, "name": vault.name(), "asset": {"address": vault.asset(), "symbol": symbol},
        "chain_time": head.timestamp, "block": head.number,
        "total_assets": vault.totalAssets() / 10**decimals, "idle": vault.totalIdle() / 10**decimals,
        "debt": vault.totalDebt() / 10**decimals, "share_price": vault.convertToAssets(10**vault.decimals()) / 10**decimals,
        "paused": bool(vault.paused()), "shutdown": bool(vault.isShutdown()),
        "roles": names.role_holders(vault, from_block), "fee_recipient": vault.feeRecipient(),
        "fees": {"performance_bps": vault.performanceFeeBps(), "management_bps": vault.managementFeeBps()},
        "guardrails": {}, "strategies": [], "timelock": None,
    }
    for name, (_, getter, is_amount) in VAULT_SETTINGS.items():
        raw = getattr(vault, getter)()
        out["guardrails"][name] = _amount(raw, decimals) if is_amount else int(raw)
    for address in vault.withdrawQueue():
        config = vault.strategies(address)
        entry = {"address": address, "name": names.strategy(address), "active": bool(config.active),
                 "debt": config.currentDebt / 10**decimals, "max_debt": _amount(config.maxDebt, decimals),
                 "max_debt_bps": int(config.maxDebtBps)}
        if strategy_pool(chain.provider.web3, address) is not None:
            strategy = contracts.at("UniswapV3Strategy", address)
            entry["kind"] = "uniswap-v3"
            entry["pool"] = strategy.pool()
            entry["range"] = [int(strategy.tickLower()), int(strategy.tickUpper())] if strategy.liquidity() else None
            entry["guardrails"] = {name: int(getattr(strategy, getter)()) for name, (_, getter) in RANGE_SETTINGS.items()}
            entry["guardrails"]["min_width_ticks"] = int(strategy.minWidthTicks())
            entry["guardrails"]["max_width_ticks"] = int(strategy.maxWidthTicks())
        else:
            entry["kind"] = "erc4626"
        out["strategies"].append(entry)
    timelock = admin_timelock(vault, from_block, out["roles"]["admin"])
    out["timelock"] = {
        "address": timelock.address, "delay": int(timelock.getMinDelay()),
        "pending": [{"id": op.id, "state": op.state, "eta": op.eta, "calls": op.described()}
                    for op in operations(timelock, from_block=from_block)],
    }
    return out


def render(r: dict[str, Any]) -> str:
    """The report as text: one fact a line, names before addresses."""
    sym = r["asset"]["symbol"]
    state = "shut down" if r["shutdown"] else "paused" if r["paused"] else "open"
    lines = [f"{r['name']} ({r['vault']}) — {state}; chain time {names.when(r['chain_time'])}, block {r['block']}",
             f"total {r['total_assets']:,.2f} {sym} = idle {r['idle']:,.2f} + debt {r['debt']:,.2f}; share price "
             f"{r['share_price']:.6f}",
             "roles: " + "; ".join(f"{k} {', '.join(v) or '—'}" for k, v in r["roles"].items())
             + f"; fee recipient {r['fee_recipient']}",
             f"fees: performance {r['fees']['performance_bps']} bps, management {r['fees']['management_bps']} bps/yr",
             "guardrails: " + ", ".join(f"{k} {'unlimited' if v is None else v}" for k, v in r["guardrails"].items())]
    for s in r["strategies"]:
        cap = "unlimited" if s["max_debt"] is None else f"{s['max_debt']:,.0f}"
        lines.append(f"strategy {s['name']} ({s['kind']}, {s['address']}): debt {s['debt']:,.2f} {sym}, cap {cap} "
                     f"{sym} and {s['max_debt_bps']} bps{'' if s['active'] else ', revoked'}")
        if s["kind"] == "uniswap-v3":
            lines.append(f"  range {s['range'] or 'none'}; " + ", ".join(f"{k} {v}" for k, v in s["guardrails"].items()))
    t = r["timelock"]
    lines.append(f"timelock {t['address']}, delay {names.duration(t['delay'])}: "
                 f"{len(t['pending'])} operation(s) pending")
    for op in t["pending"]:
        lines.append(f"  {op['id']} {op['state']}, executable from {names.when(op['eta'])}: " + "; ".join(op["calls"]))
    return "\n".join(lines)
