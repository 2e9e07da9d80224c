"""The main job: real market history replayed onto a local Uniswap V3 market while the ALP keeper manages a vault
through it, beside a control vault with the same deposits and a static allocation.

Both vaults hold the same strategies: ranges in WETH/USDC pools of the chosen fee tiers (0.05 % and 0.3 % by default)
and a lending market paying 4 %/yr. The control is allocated once at the start (45 % in a +-10 % range in the first
chosen pool, 45 % lent)
and never touched again but for daily harvests; the ALP vault is run by the keeper every six hours of history.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ape import accounts, chain

from keeper.config import load_config
from keeper.cycle import MAX_FOLLOW_UPS, Keeper
from keeper.deployment import Roles, add_strategy, deploy_erc4626_strategy, deploy_univ3_strategy, deploy_vault
from keeper.localnet.market import deploy_market, pools_at, series_start_price
from keeper.localnet.replay import replay
from keeper.localnet.session import hourly_series
from keeper.univ3.ticks import nearest_usable_tick
from keeper import contracts
from keeper.execute.rationale import scripted

USDC = 10**6
DEPOSITS = {"alice": 50_000, "bob": 30_000, "carol": 20_000}
LENDING_APR = 0.04
OTHER_LENDERS = 1_000_000  # USDC already lent in each lending market by others
KEEPER_EVERY_HOURS = 6
HARVEST_EVERY_HOURS = 24
CONTROL_HALF_WIDTH = 0.10
ALICE_MAX_LOSS_BPS = 100
REBALANCE_LOSS_BPS = 30  # a 0.3 % pool's fee on the half of a position that is swapped, with room for slippage
# Reverts that mean "the pool's price is away from its TWAP right now", which waiting cures.
PRICE_GUARDS = ("SlippageExceeded", "PriceDeviationExceeded")
# The history replayed is the 0.05 % pool's; another tier pays this much of its fees per unit of liquidity (LPs move
# capital between tiers until they pay alike) and arbitrage keeps its price with it.
REPLAYED_FEE = 500
FOLLOWER_FEE_PARITY = 1.0
FEE_TIERS = {"0.05": 500, "0.3": 3000, "1": 10000}  # --pools names -> Uniswap fee (hundredths of a bp)


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
    withdrawn: float = 0.0  # paid out to depositors who left

    def pay(self, receipt: Any) -> Any:
        self.gas_wei += receipt.gas_used * (receipt.gas_price or 0)
        return receipt


@dataclass
class DemoResult:
    days: int
    alp: dict
    control: dict
    rebalances: list[dict] = field(default_factory=list)
    withdrawals: dict[str, str] = field(default_factory=dict)  # vault -> what Alice's full exit got, or why not
    cycles: dict[str, int] = field(default_factory=dict)  # keeper cycle outcome -> how many
    seconds: float = 0.0


def pool_label(fee: int) -> str:
    return f"WETH/USDC {fee / 1_000_000:.2%}"


def build_side(name: str, people: dict, market: Any, keeper: Any, fees: tuple[int, ...]) -> VaultSide:
    usdc = market.tokens["USDC"]
    roles = Roles(people["governance"], people["curator"], people["guardian"], keeper, people["fee_recipient"])
    deployment = deploy_vault(people["deployer"], usdc, roles, name=name, symbol="alpV", timelock_delay=60)
    deployment.admin.call(deployment.vault, "setFees", 1_000, 100)
    # Moving capital out of a range unwinds it with a swap that pays the pool's fee: the 1 bp default (right for
    # lending) would refuse every such move, so the curator allows the unwinding cost through the timelock.
    deployment.admin.call(deployment.vault, "setMaxRebalanceLossBps", REBALANCE_LOSS_BPS)
    strategies = {}
    for fee in fees:
        s = deploy_univ3_strategy(people["deployer"], deployment, market.pool("WETH", "USDC", fee),
                                  f"{name} {pool_label(fee)}", f"u{fee}")
        add_strategy(deployment, s, 10**15, 6_000)
        strategies[pool_label(fee)] = s
    source = people["deployer"].deploy(contracts.container("TestYieldVault"), usdc, f"{name} lending", "lend")
    # Other lenders' money: a lending market's rate shows in its share price before the vault lends a cent (an
    # empty market would show 0 % and the keeper, rightly reading the chain, would never lend).
    market.fund(people["deployer"], "USDC", OTHER_LENDERS * USDC)
    usdc.approve(source, OTHER_LENDERS * USDC, sender=people["deployer"])
    source.deposit(OTHER_LENDERS * USDC, people["deployer"], sender=people["deployer"])
    lending = deploy_erc4626_strategy(people["deployer"], deployment, source, f"{name} lending", "lend")
    add_strategy(deployment, lending, 10**15, 6_000)
    strategies["lending 4 %"] = lending
    return VaultSide(name, deployment.vault, deployment, strategies, source, keeper)


def _static_allocation(side: VaultSide, pool: Any, label: str) -> None:
    """The control: 45 % into a +-10 % range, 45 % lent, set once (two moves: the turnover bound is 50 %)."""
    vault, keeper = side.vault, side.keeper
    total = vault.totalAssets()
    ranged, lent = side.strategies[label], side.strategies["lending 4 %"]
    why = scripted("control: 45 % in a +-10 % range, 45 % lent, set once")
    side.pay(vault.rebalance([(ranged.address, total * 45 // 100)], chain.pending_timestamp + 600, why, sender=keeper))
    chain.pending_timestamp += vault.minRebalanceInterval()
    side.pay(vault.rebalance([(lent.address, total * 45 // 100)], chain.pending_timestamp + 600, why, sender=keeper))
    tick, spacing = pool.slot0().tick, pool.tickSpacing()
    away = math.log(1 + CONTROL_HALF_WIDTH) / math.log(1.0001)
    lower, upper = nearest_usable_tick(tick - away, spacing), nearest_usable_tick(tick + away, spacing)
    side.pay(ranged.rebalanceRange((lower, upper, ranged.assetIsToken0(), total * 45 // 100 // 2, 0),
                                   chain.pending_timestamp + 600, why, sender=keeper))


def _count_keeper_gas(keeper: Keeper, side: VaultSide, counted: set[str]) -> None:
    """Adds the gas of the keeper's newly confirmed transactions, read while the node still holds their receipts."""
    for row in keeper.store.plans(("confirmed",)):
        for tx in keeper.store.transactions(row["id"]):
            if tx["status"] == "confirmed" and tx["tx_hash"] not in counted:
                counted.add(tx["tx_hash"])
                receipt = chain.provider.web3.eth.get_transaction_receipt(tx["tx_hash"])
                side.gas_wei += receipt["gasUsed"] * receipt["effectiveGasPrice"]


def headline(reasons: list[str]) -> str:
    """The line of a decision that says what the keeper does (the rest are the per-strategy estimates behind it)."""
    acts = [r for r in reasons if r.startswith("rebalance ") or "re-range to" in r]
    return acts[-1] if acts else (reasons[-1] if reasons else "")


def _weth_price(pool: Any, market: Any) -> float:
    from keeper.univ3.ticks import price_at_tick

    token0 = market.symbol_of(pool.token0())
    price = float(price_at_tick(pool.slot0().tick, market.decimals(token0), market.decimals("USDC" if token0 == "WETH" else "WETH")))
    return price if token0 == "WETH" else 1 / price


def _profit(side: VaultSide, deposited: int) -> float:
    """Value at the TWAP across strategies, locked profit included, plus what was paid out, less what was
    deposited."""
    vault = side.vault
    worth = (vault.totalIdle() + sum(s.totalAssets() for s in side.strategies.values()
                                     if vault.strategies(s).currentDebt > 0)) / USDC
    return worth + side.withdrawn - deposited / USDC


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


def _exit(side: VaultSide, alice: Any, usdc: Any) -> str:
    """Alice redeems all her shares. Simulated first, so a refusal is reported without a reverting transaction; one
    refused by a price guard (the pool's spot away from its TWAP) is retried once the TWAP has caught up, as a person
    would retry."""
    from keeper.execute.revert import decode_revert

    types = [contracts.contract_type("Vault"), contracts.contract_type("UniswapV3Strategy")]
    shares = side.vault.balanceOf(alice)
    data = side.vault.redeem.encode_input(shares, alice, alice, ALICE_MAX_LOSS_BPS)
    waited = ""
    for attempt in range(2):
        try:
            chain.provider.web3.eth.call({"from": alice.address, "to": side.vault.address, "data": data})
            break
        except Exception as exc:
            raw = getattr(exc, "data", None)
            reason = decode_revert(raw if isinstance(raw, (str, bytes)) else None, types)
            if attempt or not reason.startswith(PRICE_GUARDS):
                return f"refused: {reason}"
            window = max(s.twapWindow() for s in side.strategies.values() if hasattr(s, "twapWindow"))
            chain.pending_timestamp += window
            chain.mine()
            waited = f" (after {reason.split('(')[0]}, retried {window // 60} min later)"
    before = usdc.balanceOf(alice)
    side.vault.redeem(shares, alice, alice, ALICE_MAX_LOSS_BPS, sender=alice)
    received = (usdc.balanceOf(alice) - before) / USDC
    side.withdrawn += received
    return f"{received:,.2f} USDC{waited}"


def run_demo(days: int, profile: str, *, store: Path, say: Callable[[str], None],
             progress: Callable[[int, int], None] | None = None, on_ready: Callable[[Any], None] | None = None,
             data: str | None = None, pools: tuple[int, ...] = (500, 3000)) -> DemoResult:
    """pools: Uniswap fee tiers of the WETH/USDC pools both vaults hold ranges in (the first is the control's)."""
    if not pools or any(fee not in FEE_TIERS.values() for fee in pools):
        raise ValueError(f"pools must be fee tiers among {sorted(FEE_TIERS.values())}, got {pools}")
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
    alp = build_side("ALP vault", people, market, people["keeper"], pools)
    control = build_side("Static control", people, market, people["control_keeper"], pools)
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
    replayed = market.pool("WETH", "USDC", REPLAYED_FEE)
    _static_allocation(control, market.pool("WETH", "USDC", pools[0]), pool_label(pools[0]))
    say(f"control: 45 % in a +-10 % range of the {pool_label(pools[0])} pool, 45 % lent, 10 % idle; never moved again")

    store.parent.mkdir(parents=True, exist_ok=True)
    if store.exists():
        store.unlink()
    config = load_config(network="ethereum:local:foundry", vault=alp.vault.address, account="test:4",
                         profile=profile, mode="autonomous", store=str(store), confirm_timeout_seconds=30)
    keeper = Keeper(config, people["keeper"])
    if on_ready:
        # The replay moves chain time with the series from here: chain time minus this is the market's time.
        on_ready(dict(alp=alp, control=control, keeper=keeper, market=market, deposited=deposited, series=series.name,
                      replay_offset=chain.pending_timestamp - int(series.timestamps[0])))

    counted: set[str] = set()
    cycles: dict[str, int] = {}

    def step(i: int) -> None:
        for side in (alp, control):  # interest arrives in the lending markets every hour
            balance = usdc.balanceOf(side.source)
            if balance:
                market.fund(side.source, "USDC", int(balance * LENDING_APR / (365 * 24)))
        if i and i % KEEPER_EVERY_HOURS == 0:
            for _ in range(1 + MAX_FOLLOW_UPS):
                result = keeper.cycle()
                _count_keeper_gas(keeper, alp, counted)
                cycles[result.state] = cycles.get(result.state, 0) + 1
                # Doing nothing, or skipping a move that costs more than it earns, is the keeper's usual hour:
                # counted, not printed (the dashboard's log and the store have every reason).
                if result.state not in ("no-action", "skipped"):
                    say(f"hour {i}: keeper {result.state}: {headline(result.reasons)}")
                if not result.follow_up:
                    break
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
                    price = _weth_price(replayed, market)
                    for log in receipt.decode_logs(s.Collected):
                        if log.contract_address != s.address:
                            continue
                        weth, usdc_fee = (log.amount0, log.amount1) if not s.assetIsToken0() else (log.amount1, log.amount0)
                        side.fees += weth / 1e18 * price + usdc_fee / USDC

    followers = [(market.pool("WETH", "USDC", fee), FOLLOWER_FEE_PARITY) for fee in pools if fee != REPLAYED_FEE]
    replay(market, replayed, series, people["trader"], followers=followers,
           on_step=step, progress=progress)
    # The comparison is taken before anyone leaves: both vaults still hold the same depositors.
    eth_price = float(series_start_price(series.window(int(series.timestamps[-1]), int(series.timestamps[-1]) + 1), "WETH"))
    summaries = {side.name: _summary(side, deposited, eth_price) for side in (alp, control)}
    # Then Alice leaves both, accepting at most 1 % of loss on what must be unwound from strategies.
    withdrawals = {side.name: _exit(side, people["alice"], usdc) for side in (alp, control)}
    say(f"alice redeemed everything (max loss {ALICE_MAX_LOSS_BPS / 100:.0f} %, deposited {DEPOSITS['alice']:,} "
        f"USDC in each): " + "; ".join(f"{k}: {v}" for k, v in withdrawals.items()))
    plans = [{"id": p["id"], "kind": p["kind"], "state": p["state"], "reason": headline(p["reasons"])}
             for p in keeper.store.plans(limit=500) if p["state"] == "confirmed"]
    return DemoResult(days=days, alp=summaries[alp.name], control=summaries[control.name], rebalances=plans,
                      withdrawals=withdrawals, cycles=cycles, seconds=time.perf_counter() - started)
