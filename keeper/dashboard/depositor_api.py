"""The depositor page's data: the vault in a depositor's words, one address's position, and the transaction a
deposit or withdrawal would send (prepared and simulated here; signed by the depositor's own wallet in the browser).

Called from the web server's threads; every chain read goes through `chain_lock` when one is given, so it never
interleaves with the command's own refreshes.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from keeper import names
from keeper.amounts import AmountError, parse_amount
from keeper.depositor.actions import prepare_deposit, prepare_exit
from keeper.depositor.position import position
from keeper.depositor.price_history import SharePriceReader


class RequestError(ValueError):
    """A request the page made that cannot be answered as asked (the message says what to change): HTTP 400."""


def _address(text: Any) -> str:
    from eth_utils import is_address, to_checksum_address

    if not isinstance(text, str) or not is_address(text.strip()):
        raise RequestError(f"{text!r} is not an address: give a 0x… address of 40 hex digits")
    return to_checksum_address(text.strip())


def _raw(amount: Any, decimals: int, what: str) -> int:
    try:
        return parse_amount(amount, decimals, what)
    except AmountError as error:
        raise RequestError(str(error)) from None


class DepositorApi:
    def __init__(self, vault: Any, *, control: Any = None, labels: dict[str, str] | None = None,
                 chain_name: str = "local", from_block: int = 0, chain_lock: threading.Lock | None = None,
                 replay_offset: int | None = None, replay_series: str | None = None) -> None:
        self.vault, self.control, self.chain_name, self.from_block = vault, control, chain_name, from_block
        self._lock = chain_lock or contextlib.nullcontext()
        self._labels = labels if labels is not None else {a: names.strategy(a) for a in vault.withdrawQueue()}
        self._prices = SharePriceReader()
        self._memo: dict = {}  # what past blocks said, for the position's ledger
        self._first_deposit: int | None = None  # where the share price chart starts
        # Chain time minus replayed market time, when the chain replays market history (the demo).
        self._replay_offset, self._replay_series = replay_offset, replay_series
        self._symbol, self._decimals = names.token(vault.asset())

    def vault_info(self) -> dict[str, Any]:
        from ape import chain

        with self._lock:
            head = chain.blocks.head
            vault = self.vault
            if self._first_deposit is None:  # found once: the past does not change, and polls come every 2 s
                first = next(iter(vault.Deposit.range(self.from_block, head.number + 1)), None)
                self._first_deposit = first.block_number if first is not None else None
            start = self._first_deposit if self._first_deposit is not None else head.number
            lines = [("ALP vault", vault)] + ([("static control", self.control)] if self.control is not None else [])
            strategies = [{"address": a, "name": self._labels.get(a, a), "kind": _kind(a)}
                          for a in vault.withdrawQueue()]
            return {
                "address": vault.address, "name": vault.name(), "chain": self.chain_name, "chain_id": chain.chain_id,
                "asset": {"address": vault.asset(), "symbol": self._symbol, "decimals": self._decimals},
                "share_decimals": vault.decimals(), "share_symbol": vault.symbol(),
                "share_price": vault.convertToAssets(10 ** vault.decimals()) / 10**self._decimals,
                "total_assets": vault.totalAssets() / 10**self._decimals,
                "paused": bool(vault.paused()), "shutdown": bool(vault.isShutdown()),
                "fees": {"performance_bps": vault.performanceFeeBps(), "management_bps": vault.managementFeeBps(),
                         "profit_unlock_hours": vault.profitUnlockTime() / 3_600},
                "strategies": strategies,
                "price_history": [line.model_dump() for line in self._prices.lines(lines, start, head.number)],
                "chain_time": head.timestamp, "block": head.number,
                "replay": None if self._replay_offset is None else {
                    "series": self._replay_series, "market_time": head.timestamp - self._replay_offset},
            }

    def position(self, owner: Any) -> dict[str, Any]:
        owner = _address(owner)
        with self._lock:
            return position(self.vault, owner, self.from_block, labels=self._labels, memo=self._memo)

    def prepare(self, body: dict[str, Any]) -> dict[str, Any]:
        action = body.get("action")
        if action not in ("deposit", "withdraw", "redeem"):
            raise RequestError(f"action {action!r}: deposit, withdraw or redeem")
        owner = _address(body.get("owner"))
        amount = body.get("amount")
        max_loss = body.get("max_loss_bps")
        if max_loss in (None, ""):
            max_loss_bps = None
        else:
            try:
                max_loss_bps = int(max_loss)
            except (TypeError, ValueError):
                raise RequestError(f"max loss {max_loss!r}: a whole number of basis points (100 = 1 %)") from None
        with self._lock:
            try:
                if action == "deposit":
                    prepared = prepare_deposit(self.vault, owner, _raw(amount, self._decimals, self._symbol))
                else:
                    decimals = self._decimals if action == "withdraw" else self.vault.decimals()
                    raw = "all" if str(amount).strip().lower() == "all" else _raw(amount, decimals, self._symbol
                                                                                 if action == "withdraw" else "shares")
                    prepared = prepare_exit(self.vault, owner, action, raw, max_loss_bps)
            except AmountError as exc:
                raise RequestError(str(exc)) from None
        return prepared.model_dump() | {"ready": prepared.ready}


def _kind(address: str) -> str:
    from ape import chain

    from keeper.market.chain import strategy_pool

    return "Uniswap V3 range" if strategy_pool(chain.provider.web3, address) else "lending"
