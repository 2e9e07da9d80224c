"""The main job: real market history replayed onto a local Uniswap V3 market while the ALP keeper manages a vault
through it, beside a control vault with the same deposits and a static allocation.

Both vaults hold the same three strategies (ranges in the 0.05 % and 0.3 % WETH/USDC pools, and a lending market
paying 4 %/yr). The control is allocated once at the start (45 % in a +-10 % range in the 0.05 % pool, 45 % lent)
and never touched again but for daily harvests; the ALP vault is run by the keeper every six hours of history.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ape import accounts, chain, project

from keeper.config import load_config
from keeper.cycle import Keeper
from keeper.deployment import Roles, add_strategy, deploy_erc4626_strategy, deploy_univ3_strategy, deploy_vault
from keeper.localnet.market import deploy_market, pools_at, series_start_price
from keeper.localnet.replay import replay
from keeper.localnet.session import hourly_series
from keeper.univ3.ticks import nearest_usable_tick

USDC = 10**6
DEPOSITS = {"alice": 50_000, "bob": 30_000, "carol": 20_000}
LENDING_APR = 0.04
KEEPER_EVERY_HOURS = 6
HARVEST_EVERY_HOURS = 24
CONTROL_HALF_WIDTH = 0.10
ALICE_MAX_LOSS_BPS = 100
FOLLOWER_VOLUME_SHARE = 0.3  # the 0.3 % pool trades this share of the 0.05 % pool's volume


@dataclass
class VaultSide:
    name: str
    vault: Any
    deployment: Any
    strategies: dict[str, Any]
    source: Any
    keeper: Any
    gas_wei: int = 0
    fees: float = 0.0  # pool fees collected at harvests, valued in USDC when collected
    interest: float = 0.0  # lending interest reported at harvests

    def pay(self, receipt: Any) -> Any:
        self.gas_wei += receipt.gas_used * (receipt.gas_price or 0)
        return receipt


@dataclass
class DemoResult:
    days: int
    alp: dict
    control: dict
    rebalances: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def _build(name: str, people: dict, market: Any, keeper: Any) -> VaultSide:
    usdc = market.tokens["USDC"]
    roles = Roles(people["governance"], people["curator"], people["guardian"], keeper, people["fee_recipient"])
    deployment = deploy_vault(people["deployer"], usdc, roles, name=name, symbol="alpV", timelock_delay=60)
    deployment.admin.call(deployment.vault, "setFees", 1_000, 100)
    strategies = {}
    for fee in (500, 3000):
        s = deploy_univ3_strategy(people["deployer"], deployment, market.pool("WETH", "USDC", fee),
                                  f"{name} WETH/USDC {fee / 1_000_000:.2%}", f"u{fee}")
        add_strategy(deployment, s, 10**15, 6_000)
        strategies[f"WETH/USDC {fee / 1_000_000:.2%}"] = s
    source = people["deployer"].deploy(project.TestYieldVault, usdc, f"{name} lending", "lend")
    lending = deploy_erc4626_strategy(people["deployer"], deployment, source, f"{name} lending", "lend")
    add_strategy(deployment, lending, 10**15, 6_000)
    strategies["lending 4 %"] = lending
    return VaultSide(name, deployment.vault, deployment, strategies, source, keeper)


def _static_allocation(side: VaultSide, pool: Any) -> None:
    """The control: 45 % into a +-10 % range, 45 % lent, set once (two moves: the turnover bound is 50 %)."""
    vault, keeper = side.vault, side.keeper
    total = vault.totalAssets()
    ranged, lent = side.strategies["WETH/USDC 0.05%"], side.strategies["lending 4 %"]
    side.pay(vault.rebalance([(ranged.address, total * 45 // 100)], chain.pending_timestamp + 600, sender=keeper))
    chain.pending_timestamp += vault.minRebalanceInterval()
    side.pay(vault.rebalance([(lent.address, total * 45 // 100)], chain.pending_timestamp + 600, sender=keeper))
    tick, spacing = pool.slot0().tick, pool.tickSpacing()
    away = math.log(1 + CONTROL_HALF_WIDTH) / math.log(1.0001)
    lower, upper = nearest_usable_tick(tick - away, spacing), nearest_usable_tick(tick + away, spacing)
    side.pay(ranged.rebalanceRange(lower, upper, ranged.assetIsToken0(), total * 45 // 100 // 2,
                                   chain.pending_timestamp + 600, sender=keeper))


def _count_keeper_gas(keeper: Keeper, side: VaultSide, counted: set[str]) -> None:
    """Adds the gas of the keeper's newly confirmed transactions, read while the node still holds their receipts."""
    for row in keeper.store.plans(("confirmed",)):
        for tx in keeper.store.transactions(row["id"]):
            if tx["status"] == "confirmed" and tx["tx_hash"] not in counted:
                counted.add(tx["tx_hash"])
                receipt = chain.provider.web3.eth.get_transaction_receipt(tx["tx_hash"])
                side.gas_wei += receipt["gasUsed"] * receipt["effectiveGasPrice"]


def _weth_price(pool: Any, market: Any) -> float:
    from keeper.univ3.ticks import price_at_tick

    token0 = market.symbol_of(pool.token0())
    price = float(price_at_tick(pool.slot0().tick, market.decimals(token0), market.decimals("USDC" if token0 == "WETH" else "WETH")))
    return price if token0 == "WETH" else 1 / price


def _profit(side: VaultSide, deposited: int) -> float:
    """Value at the TWAP across strategies, locked profit included, less what was deposited."""
    vault = side.vault
    worth = (vault.totalIdle() + sum(s.totalAssets() for s in side.strategies.values()
                                     if vault.strategies(s).currentDebt > 0)) / USDC
    return worth - deposited / USDC


def earnings(side: VaultSide, deposited: int) -> tuple[float, float]:
    """(pool fees and lending interest earned, what is left of the profit: impermanent loss, swaps, price moves)."""
    earned = side.fees + side.interest
    return earned, _profit(side, deposited) - earned


def _summary(side: VaultSide, deposited: int, eth_price: float) -> dict:
    vault = side.vault
    total = vault.totalAssets()
    profit = _profit(side, deposited)
    return {
        "vault_value": total / USDC,
        "share_price": vault.convertToAssets(10 ** vault.decimals()) / USDC,
        "profit": profit,
        "pool_fees_collected": side.fees,
        "lending_interest": side.interest,
        # What is left once fees and interest are counted: impermanent loss, swap costs, inventory price moves.
        # (Gas is paid by the keeper's account, not the vault: reported beside, not deducted.)
        "price_effect": profit - side.fees - side.interest,
        "gas_paid_eth": side.gas_wei / 1e18,
        "gas_paid_usd": side.gas_wei / 1e18 * eth_price,
        "allocation": {label: vault.strategies(s).currentDebt / USDC for label, s in side.strategies.items()}
                      | {"idle": vault.totalIdle() / USDC},
    }


def run_demo(days: int, profile: str, *, store: Path, say: Callable[[str], None],
             progress: Callable[[int, int], None] | None = None, on_ready: Callable[[Any], None] | None = None,
             data: str | None = None) -> DemoResult:
    started = time.perf_counter()
    people = dict(zip(("deployer", "governance", "curator", "guardian", "keeper", "fee_recipient", "alice", "bob",
                       "control_keeper", "trader"), accounts.test_accounts))
    people["carol"] = accounts.test_accounts.generate_test_account()
    chain.set_balance(people["carol"], 10**21)
    series = hourly_series(days, data=data)
    start_price = series_start_price(series, "WETH")
    say(f"market: real Uniswap V3 bytecode, WETH at {start_price:,.2f} USDC (the series' first price); "
        f"{days} days of hourly {series.name} history to replay")
    market = deploy_market(people["deployer"], lp=people["deployer"], pools=pools_at({"WETH": start_price}))
    alp = _build("ALP vault", people, market, people["keeper"])
    control = _build("Static control", people, market, people["control_keeper"])
    usdc = market.tokens["USDC"]
    for who, amount in DEPOSITS.items():
        market.fund(people[who], "USDC", 2 * amount * USDC)
        for side in (alp, control):
            usdc.approve(side.vault, amount * USDC, sender=people[who])
            side.vault.deposit(amount * USDC, people[who], sender=people[who])
    deposited = sum(DEPOSITS.values()) * USDC
    say(f"deposits: {', '.join(f'{k} {v:,} USDC' for k, v in DEPOSITS.items())} into each vault")
    chain.pending_timestamp += 2 * 3_600  # the pools' oracles need history before any TWAP-checked move
    chain.mine()
    pool500, pool3000 = market.pool("WETH", "USDC", 500), market.pool("WETH", "USDC", 3000)
    _static_allocation(control, pool500)
    say("control: 45 % in a +-10 % range of the 0.05 % pool, 45 % lent, 10 % idle; never moved again")

    store.parent.mkdir(parents=True, exist_ok=True)
    if store.exists():
        store.unlink()
    config = load_config(network="ethereum:local:foundry", vault=alp.vault.address, account="test:4",
                         profile=profile, mode="autonomous", store=str(store), confirm_timeout_seconds=30)
    keeper = Keeper(config, people["keeper"])
    if on_ready:
        on_ready(dict(alp=alp, control=control, keeper=keeper, market=market, deposited=deposited))

    counted: set[str] = set()

    def step(i: int) -> None:
        for side in (alp, control):  # interest arrives in the lending markets every hour
            balance = usdc.balanceOf(side.source)
            if balance:
                market.fund(side.source, "USDC", int(balance * LENDING_APR / (365 * 24)))
        if i and i % KEEPER_EVERY_HOURS == 0:
            result = keeper.cycle()
            _count_keeper_gas(keeper, alp, counted)
            if result.state not in ("no-action",):
                say(f"hour {i}: keeper {result.state}: {result.reasons[-2] if len(result.reasons) > 1 else ''}")
        if i % HARVEST_EVERY_HOURS == HARVEST_EVERY_HOURS - 1:
            for side in (alp, control):
                for s in side.strategies.values():
                    if side.vault.strategies(s).currentDebt == 0:
                        continue
                    receipt = side.pay(side.vault.harvest(s, chain.pending_timestamp + 600, sender=side.keeper))
                    if s is side.strategies["lending 4 %"]:
                        side.interest += sum(log.gain for log in receipt.decode_logs(side.vault.Harvested)
                                             if log.contract_address == side.vault.address) / USDC
                        continue
                    price = _weth_price(pool500, market)
                    for log in receipt.decode_logs(s.Collected):
                        if log.contract_address != s.address:
                            continue
                        weth, usdc_fee = (log.amount0, log.amount1) if not s.assetIsToken0() else (log.amount1, log.amount0)
                        side.fees += weth / 1e18 * price + usdc_fee / USDC

    replay(market, pool500, series, people["trader"], followers=[(pool3000, FOLLOWER_VOLUME_SHARE)],
           on_step=step, progress=progress)
    # Alice leaves both vaults at the end, accepting at most 1 % of loss on what must be unwound from strategies.
    withdrawals = {}
    from keeper.execute.revert import decode_revert

    types = [project.Vault.contract_type, project.UniswapV3Strategy.contract_type]
    for side in (alp, control):
        shares = side.vault.balanceOf(people["alice"])
        data = side.vault.redeem.encode_input(shares, people["alice"], people["alice"], ALICE_MAX_LOSS_BPS)
        try:  # simulate first: a refused exit is reported without sending (and tracing) a reverting transaction
            chain.provider.web3.eth.call({"from": people["alice"].address, "to": side.vault.address, "data": data})
        except Exception as exc:
            raw = getattr(exc, "data", None)
            withdrawals[side.name] = "refused: " + decode_revert(raw if isinstance(raw, (str, bytes)) else None, types)
            continue
        before = usdc.balanceOf(people["alice"])
        side.vault.redeem(shares, people["alice"], people["alice"], ALICE_MAX_LOSS_BPS, sender=people["alice"])
        withdrawals[side.name] = (usdc.balanceOf(people["alice"]) - before) / USDC
    say(f"alice redeemed everything (max loss {ALICE_MAX_LOSS_BPS / 100:.0f} %): "
        + ", ".join(f"{k}: {v:,.2f} USDC" if isinstance(v, float) else f"{k}: {v}" for k, v in withdrawals.items())
        + f" (deposited {DEPOSITS['alice']:,} in each)")
    eth_price = float(series_start_price(series.window(int(series.timestamps[-1]), int(series.timestamps[-1]) + 1), "WETH"))
    plans = [{"id": p["id"], "kind": p["kind"], "state": p["state"], "reason": p["reasons"][-2] if len(p["reasons"]) > 1 else ""}
             for p in keeper.store.plans(limit=500) if p["state"] == "confirmed"]
    return DemoResult(days=days, alp=_summary(alp, deposited, eth_price), control=_summary(control, deposited, eth_price),
                      rebalances=plans, seconds=time.perf_counter() - started)
