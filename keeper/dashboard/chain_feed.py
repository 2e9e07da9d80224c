"""Builds dashboard snapshots from the chain: the vault's own getters and events are the source of truth.

`refresh()` reads the chain (call it from the thread that owns the Ape connection); `snapshot()` returns the last
one and is safe to call from the web server's threads. History accumulates in memory, one point per refresh; the
keeper's store adds the reasons behind each decision when a `decision_reasons` lookup is given.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ape import chain

from keeper.dashboard.snapshot import (
    AllocationPoint,
    DashboardSnapshot,
    DecisionRow,
    Headroom,
    RangeTrack,
    ReplayClock,
    RiskScore,
    SeriesPoint,
    VaultSummary,
)
from keeper.depositor.ledger import report_words
from keeper.market.chain import strategy_pool

BPS = 10_000
# A deposit or withdrawal of at least this share of the vault is shown in the decision log.
LARGE_FLOW_BPS = 100


@dataclass
class WatchedVault:
    contract: Any
    name: str
    strategy_labels: dict[str, str] = field(default_factory=dict)  # address -> human label


def _summary(watched: WatchedVault, asset: Any, unit: int, one_share: int, gas_paid: float) -> VaultSummary:
    vault = watched.contract
    return VaultSummary(
        name=watched.name,
        address=vault.address,
        asset_symbol=asset.symbol(),
        total_assets=vault.totalAssets() / unit,
        share_price=vault.convertToAssets(one_share) / unit,
        idle=vault.totalIdle() / unit,
        paused=vault.paused(),
        shutdown=vault.isShutdown(),
        gas_paid=gas_paid,
    )


class ChainFeed:
    """Snapshots of one vault (and optionally its static control) read from the connected chain."""

    def __init__(
        self,
        vault: WatchedVault,
        *,
        control: WatchedVault | None = None,
        chain_name: str = "local",
        ranges: Callable[[], list[RangeTrack]] | None = None,
        risk: Callable[[], list[RiskScore]] | None = None,
        decision_reasons: Callable[[str], list[str]] | None = None,
        keeper_interval: int | None = None,
        earnings: Callable[[str], tuple[float, float]] | None = None,
        unsent: Callable[[], list[DecisionRow]] | None = None,
        last_cycle: Callable[[], int | None] | None = None,
        replay: ReplayClock | None = None,
        from_block: int = 0,
    ) -> None:
        self.vault, self.control, self.chain_name = vault, control, chain_name
        self._ranges, self._risk, self._reasons = ranges, risk, decision_reasons
        self._keeper_interval = keeper_interval
        # vault address -> (fees and interest earned, impermanent loss), from whoever can value them.
        self._earnings = earnings
        # The keeper's plans that never became a transaction (refused, failed, awaiting approval), from its store.
        self._unsent = unsent
        # When the keeper last ran a cycle (from its store): a keeper that decides to do nothing is not stalled.
        self._last_cycle = last_cycle
        contract = vault.contract
        from keeper import contracts

        self._asset = contracts.erc20(contract.asset())
        self._unit = 10 ** self._asset.decimals()
        self._one_share = 10 ** contract.decimals()
        self._history: list[SeriesPoint] = []
        self._control_history: list[SeriesPoint] = []
        self._allocation: list[AllocationPoint] = []
        self._decisions: dict[str, DecisionRow] = {}
        self._univ3: list[Any] | None = None
        self._gas_wei = 0
        self._last_turnover = self._last_value = 0
        # Since the keeper's last rebalance: what depositors took out, and what strategies reported (the causes a
        # limit can be passed by, since the vault refuses any keeper move that would pass one).
        self._withdrawn_since_move = self._gains_since_move = 0
        self._replay = replay
        self._next_block = from_block  # the vault's deployment block, for nodes that limit log ranges
        self._lock = threading.Lock()
        self._latest: DashboardSnapshot | None = None

    # ------------------------------------------------------------------ reading the chain

    def refresh(self) -> DashboardSnapshot:
        now = chain.blocks.head.timestamp
        self._read_events()
        summary = self._with_earnings(_summary(self.vault, self._asset, self._unit, self._one_share,
                                               self._gas_in_asset()))
        self._append(self._history, SeriesPoint(t=now, value=summary.total_assets, share_price=summary.share_price))
        control = None
        if self.control is not None:
            control = self._with_earnings(_summary(self.control, self._asset, self._unit, self._one_share, 0.0))
            self._append(self._control_history,
                         SeriesPoint(t=now, value=control.total_assets, share_price=control.share_price))
        assets = {"idle": summary.idle}
        for address in self.vault.contract.withdrawQueue():
            label = self.vault.strategy_labels.get(address, address[:10])
            assets[label] = self.vault.contract.strategies(address).currentDebt / self._unit
        self._append(self._allocation, AllocationPoint(t=now, assets=assets))
        unsent = self._unsent() if self._unsent else []
        decisions = sorted([*self._decisions.values(), *unsent], key=lambda d: d.t)
        snapshot = DashboardSnapshot(
            generated_at=now,
            chain=self.chain_name,
            vault=summary,
            control=control,
            history=list(self._history),
            control_history=list(self._control_history),
            allocation=list(self._allocation),
            ranges=self._ranges() if self._ranges else [],
            risk=self._risk() if self._risk else [],
            guardrails=self._headroom(now),
            decisions=decisions,
            keeper_last_cycle=self._last_cycle() if self._last_cycle else (decisions[-1].t if decisions else None),
            keeper_interval=self._keeper_interval,
            replay=self._replay,
        )
        with self._lock:
            self._latest = snapshot
        return snapshot

    def snapshot(self) -> DashboardSnapshot:
        with self._lock:
            if self._latest is None:
                raise LookupError("no snapshot yet: the feed has not read the chain")
            return self._latest

    def _with_earnings(self, summary: VaultSummary) -> VaultSummary:
        if self._earnings is not None:
            summary.fees_earned, summary.impermanent_loss = self._earnings(summary.address)
        return summary

    @staticmethod
    def _append(series: list, point: Any) -> None:
        if series and series[-1].t == point.t:
            series[-1] = point  # same block as last time: replace, do not duplicate
        else:
            series.append(point)

    def _read_events(self) -> None:
        head = chain.blocks.head.number
        if head < self._next_block:
            return
        vault = self.vault.contract
        symbol = self._asset.symbol()
        logs = sorted([*(("rebalance", log) for log in vault.Rebalanced.range(self._next_block, head + 1)),
                       *(("re-range", log) for log in self._range_updates(head)),
                       *(("harvest", log) for log in vault.Harvested.range(self._next_block, head + 1)),
                       *(("deposit", log) for log in vault.Deposit.range(self._next_block, head + 1)),
                       *(("withdrawal", log) for log in vault.Withdraw.range(self._next_block, head + 1))],
                      key=lambda item: (item[1].block_number, item[1].log_index))
        total = vault.totalAssets()
        unlock_hours = vault.profitUnlockTime() / 3_600
        for kind, log in logs:
            if kind == "rebalance":
                self._last_turnover, self._last_value = log.turnover, self._total_before(log)
                self._withdrawn_since_move = self._gains_since_move = 0
                self._record(log, "rebalance", [
                    f"turnover {log.turnover / self._unit:,.2f}",
                    f"value {log.valueBefore / self._unit:,.2f} -> {log.valueAfter / self._unit:,.2f}",
                ])
            elif kind == "re-range":
                label = self.vault.strategy_labels.get(log.contract_address, log.contract_address[:10])
                self._record(log, f"re-range {label}", [
                    f"range [{log.tickLower}, {log.tickUpper}) around spot tick {log.spotTick} (TWAP {log.twapTick})",
                ])
            elif kind == "harvest":
                self._gains_since_move += log.gain
                label = self.vault.strategy_labels.get(log.strategy, log.strategy[:10])
                self._record(log, f"harvest {label}", [
                    report_words(log, self.vault.strategy_labels, self._unit, symbol, unlock_hours),
                    self._price_move(log.block_number)])
            else:
                if kind == "withdrawal":
                    self._withdrawn_since_move += log.assets
                # Depositors' large flows move every chart: the log says so, without counting their gas as the
                # keeper's.
                if log.assets * BPS >= LARGE_FLOW_BPS * max(total, 1):
                    self._record(log, kind, [f"{log.owner[:10]}: {log.assets / self._unit:,.2f} {symbol} ({kind} "
                                             "by a depositor, not a keeper move)"], keeper_paid=False)
        self._next_block = head + 1

    def _price_move(self, block: int) -> str:
        """The share price across a block, from the vault's own view at the blocks either side."""
        vault = self.vault.contract
        try:
            before, after = (vault.convertToAssets(self._one_share, block_id=b) for b in (block - 1, block))
        except Exception:  # a node without those blocks' state
            return "share price across the report: not available from this node"
        return (f"share price {before / self._unit:,.6f} -> {after / self._unit:,.6f} "
                f"({(after - before) / max(before, 1):+.4%}) across this block")

    def _total_before(self, log: Any) -> int:
        """Total assets just before the block of `log`: what the vault measured the move's turnover against."""
        try:
            return self.vault.contract.totalAssets(block_id=log.block_number - 1)
        except Exception:  # a node without that block's state: the value the event itself carries is close
            return log.valueBefore

    def _range_updates(self, head: int) -> list[Any]:
        """RangeUpdated events of the vault's Uniswap strategies (the keeper's re-ranges), oldest first."""
        from keeper import contracts

        if self._univ3 is None:  # which strategies are ranges is asked once: a raw call answers it quietly
            self._univ3 = [contracts.at("UniswapV3Strategy", a) for a in self.vault.contract.withdrawQueue()
                           if strategy_pool(chain.provider.web3, a) is not None]
        logs = [log for s in self._univ3 for log in s.RangeUpdated.range(self._next_block, head + 1)]
        return sorted(logs, key=lambda log: (log.block_number, log.log_index))

    def _record(self, log: Any, action: str, facts: list[str], keeper_paid: bool = True) -> None:
        tx_hash = log.transaction_hash if isinstance(log.transaction_hash, str) else log.transaction_hash.hex()
        if keeper_paid:
            receipt = chain.provider.get_receipt(tx_hash)
            self._gas_wei += receipt.gas_used * (receipt.gas_price or 0)
        reasons = (self._reasons(tx_hash) if self._reasons else []) + facts
        self._decisions[tx_hash] = DecisionRow(
            id=tx_hash, t=chain.blocks[log.block_number].timestamp, action=action, status="confirmed",
            reasons=reasons, tx_hash=tx_hash,
        )

    def _gas_in_asset(self) -> float:
        # Gas is paid in ETH; without a price feed the dashboard shows it in ETH units of the chain's native coin.
        return self._gas_wei / 10**18

    def _headroom(self, now: int) -> list[Headroom]:
        vault = self.vault.contract
        total = vault.totalAssets()
        idle_pct = vault.totalIdle() * BPS / total / 100 if total else 0.0
        rows = [
            Headroom(name="idle buffer (held / minimum)", used=idle_pct, limit=vault.minIdleBps() / 100,
                     unit="% of assets", floor=True, past_level="warning",
                     note=self._cause("the idle buffer") + " Until then, withdrawals beyond idle must unwind "
                                                           "strategies (a depositor may need to accept a max loss)."),
            # The last move's turnover against the bound it met (on total assets then, as the vault checked it).
            Headroom(name="turnover of the last rebalance (max)", used=self._last_turnover / self._unit,
                     limit=self._last_value * vault.maxTurnoverBps() / BPS / self._unit, unit=self._asset.symbol()),
        ]
        limit = vault.depositLimit()
        if limit < vault.UNLIMITED():
            rows.append(Headroom(name="deposit limit", used=total / self._unit, limit=limit / self._unit,
                                 unit=self._asset.symbol(), past_level="info",
                                 note="Reported gains grew the vault past its limit, or the curator lowered the "
                                      "limit: new deposits wait until it is back under."))
        for address in vault.withdrawQueue():
            config = vault.strategies(address)
            cap = min(config.maxDebt, total * config.maxDebtBps // BPS)
            label = self.vault.strategy_labels.get(address, address[:10])
            # Within the cap the last rebalance met (its own debt no higher, on the total assets then): the vault
            # shrank under it. Before any rebalance there is no such cap to compare with.
            shrank = (self._last_value > 0 and config.currentDebt <= config.maxDebt
                      and config.currentDebt * BPS <= self._last_value * config.maxDebtBps)
            rows.append(Headroom(
                name=f"cap {label}", used=config.currentDebt / self._unit, limit=cap / self._unit,
                unit=self._asset.symbol(), past_level="info" if shrank else "warning",
                note=self._cause(f"the cap of {label}") if shrank else
                f"Not a keeper move (the vault refuses those past a cap): a reported gain, or a cap lowered since, "
                f"put {label} above it. The keeper can add nothing there and brings it under at its next rebalance."))
        return rows

    def _cause(self, what: str) -> str:
        """Why a limit measured on total assets is passed though the keeper's last move met it."""
        symbol = self._asset.symbol()
        causes = []
        if self._withdrawn_since_move:
            causes.append(f"depositors withdrew {self._withdrawn_since_move / self._unit:,.2f} {symbol}")
        if self._gains_since_move:
            causes.append(f"strategies reported {self._gains_since_move / self._unit:,.2f} {symbol} of gains")
        since = "since the keeper's last rebalance" if self._last_value else "before the keeper's first rebalance"
        told = " and ".join(causes) if causes else "the vault's value moved (a loss or a price move)"
        return (f"{told[0].upper()}{told[1:]} {since}, which moved {what}: not a keeper breach (the vault refuses "
                "keeper moves past a limit). The keeper restores it at its next rebalance.")
