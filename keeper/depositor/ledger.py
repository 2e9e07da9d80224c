"""One depositor's history in a vault, from the chain's events alone: what they put in and took out, the fees their
shares paid, and the vault's reports explained in a depositor's words.

Fees are charged by minting shares to the fee recipient (at each report, and when the fees are changed); a holder of
`b` of the `S` shares outstanding before a mint pays `b / S` of the minted shares' value. Balances and supply at each
mint are rebuilt from the share token's `Transfer` events, so no historical state is needed but the minted shares'
price at their block.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from keeper import names

ZERO = "0x0000000000000000000000000000000000000000"


class Entry(BaseModel):
    """One line of a depositor's activity."""

    t: int = 0
    block: int
    kind: str  # deposit | withdrawal | report
    text: str
    tx_hash: str


class Ledger(BaseModel):
    deposited_raw: int = 0
    withdrawn_raw: int = 0
    fees_paid_raw: int = 0
    first_block: int | None = None
    activity: list[Entry] = []


def _ordered(*streams: Any) -> list[tuple[str, Any]]:
    tagged = [(name, log) for name, logs in streams for log in logs]
    return sorted(tagged, key=lambda item: (item[1].block_number, item[1].log_index))


def _hash(log: Any) -> str:
    tx = log.transaction_hash
    return tx if isinstance(tx, str) else "0x" + bytes(tx).hex().removeprefix("0x")


def report_words(log: Any, labels: dict[str, str], unit: int, symbol: str, unlock_hours: float) -> str:
    """What a strategy's report means for a share's price."""
    name = labels.get(log.strategy, log.strategy)
    fees = log.performanceFeeShares + log.managementFeeShares
    fee_note = " Fees were minted as new shares, which dilutes every holder a little." if fees else ""
    if log.loss:
        return (f"{name} reported a loss of {log.loss / unit:,.2f} {symbol}: it was worth less than the vault had "
                "lent it (for a range: the pool's price moved against its token mix by more than its fees earned). "
                "The share price had already counted that loss as it happened; the report only records it."
                + fee_note)
    if log.gain:
        return (f"{name} reported a gain of {log.gain / unit:,.2f} {symbol} (fees or interest earned). After the "
                f"performance fee it unlocks into the share price over {unlock_hours:g} h, so the price rises "
                "gradually, not at once (no one can buy in just before a report and take it)." + fee_note)
    return f"{name} reported no gain and no loss." + fee_note


# Blocks this close to the head may still be reorganised away: they are read again on every call, never kept.
REORG_DEPTH = 64


class _Fold(BaseModel):
    """The events of blocks before `next_block` added up, for one owner: kept so a page that polls reads only the
    blocks that are new since (a long-lived vault's whole history on every poll would not scale)."""

    next_block: int
    # The hash of block `next_block - 1` when this was settled: a chain that no longer has it was reorganised deeper
    # than REORG_DEPTH, or reset (a dev chain's snapshot reverted), and the fold is read again from the start.
    settled_hash: str | None = None
    balance: int = 0
    supply: int = 0
    # Who fees were minted to as of `next_block - 1`, once known: governance can change it (FeeRecipientUpdated).
    fee_recipient: str | None = None
    ledger: Ledger = Ledger()


def _block_hash(number: int) -> str | None:
    from ape import chain

    try:
        block_hash = chain.blocks[number].hash
    except Exception:  # past the node's head: the chain went backwards
        return None
    return block_hash.hex() if isinstance(block_hash, bytes) else str(block_hash)


def ledger(vault: Any, owner: str, labels: dict[str, str], from_block: int = 0, head: int | None = None,
           memo: dict | None = None) -> Ledger:
    """`owner`'s deposits, withdrawals and fees paid in `vault` up to block `head` (the chain's head by default),
    and the reports made while they held shares. `memo` keeps what past blocks said (timestamps, minted fees' value,
    the settled part of the history) for a caller that asks again and again."""
    from ape import chain

    memo = {} if memo is None else memo
    head = chain.blocks.head.number if head is None else head
    context = _Context(vault, owner, labels, memo)
    key = ("fold", vault.address, owner, from_block)
    stored = memo.get(key)
    if stored is not None and stored.next_block > from_block and \
            _block_hash(stored.next_block - 1) != stored.settled_hash:
        del memo[key]
        stored = None
    # A question about a block before the settled history is answered from the start, leaving the memo as it is.
    keep = stored is None or stored.next_block <= head + 1
    base = stored if stored is not None and keep else _Fold(next_block=from_block)
    settle_to = max(base.next_block, head + 1 - REORG_DEPTH)
    if settle_to > base.next_block:
        grown = base.model_copy(deep=True)  # the memo changes only once the new blocks are all read
        context.apply(grown, grown.next_block, settle_to - 1)
        grown.next_block, grown.settled_hash = settle_to, _block_hash(settle_to - 1)
        if keep:
            memo[key] = grown
        base = grown
    recent = base.model_copy(deep=True)
    context.apply(recent, recent.next_block, head)
    out = recent.ledger
    for entry in out.activity:
        if ("t", entry.block) not in memo:
            memo[("t", entry.block)] = chain.blocks[entry.block].timestamp
        entry.t = memo[("t", entry.block)]
    return out


class _Context:
    """What every block of one vault's history is read with."""

    def __init__(self, vault: Any, owner: str, labels: dict[str, str], memo: dict) -> None:
        self.vault, self.owner, self.labels, self.memo = vault, owner, labels, memo
        self.symbol, self.decimals = names.token(vault.asset())
        self.unit = 10**self.decimals
        self.share_unit = 10**vault.decimals()
        self.unlock_hours = vault.profitUnlockTime() / 3_600

    def apply(self, fold: _Fold, first: int, last: int) -> None:
        """Adds the events of blocks `first`..`last` to `fold`."""
        if last < first:
            return
        vault, owner, out = self.vault, self.owner, fold.ledger
        events = _ordered(("transfer", vault.Transfer.range(first, last + 1)),
                          ("deposit", vault.Deposit.range(first, last + 1)),
                          ("withdraw", vault.Withdraw.range(first, last + 1)),
                          ("report", vault.Harvested.range(first, last + 1)),
                          ("recipient", vault.FeeRecipientUpdated.range(first, last + 1)))
        for kind, log in events:
            args = log.event_arguments
            if kind == "recipient":
                fold.fee_recipient = args["feeRecipient"]
            elif kind == "transfer":
                sender, receiver, value = args["from"], args["to"], args["value"]
                if sender == ZERO and fold.fee_recipient is None:
                    fold.fee_recipient = _fee_recipient_before(vault, log.block_number)
                if (sender == ZERO and receiver == fold.fee_recipient and fold.balance and fold.supply
                        and owner != fold.fee_recipient):
                    memo_key = ("fee", log.block_number, log.log_index)
                    if memo_key not in self.memo:
                        self.memo[memo_key] = _assets_at(vault, value, log.block_number)
                    out.fees_paid_raw += self.memo[memo_key] * fold.balance // fold.supply
                fold.supply += value if sender == ZERO else 0
                fold.supply -= value if receiver == ZERO else 0
                fold.balance += value if receiver == owner else 0
                fold.balance -= value if sender == owner else 0
            elif kind == "deposit" and args["owner"] == owner:
                out.deposited_raw += args["assets"]
                out.first_block = log.block_number if out.first_block is None else out.first_block
                out.activity.append(Entry(block=log.block_number, kind="deposit", tx_hash=_hash(log),
                                          text=f"deposited {names.amount(args['assets'], self.decimals, self.symbol)}"
                                               f" for {args['shares'] / self.share_unit:,.6f} shares"))
            elif kind == "withdraw" and args["owner"] == owner:
                out.withdrawn_raw += args["assets"]
                out.activity.append(Entry(block=log.block_number, kind="withdrawal", tx_hash=_hash(log),
                                          text=f"withdrew {names.amount(args['assets'], self.decimals, self.symbol)}"
                                               f" for {args['shares'] / self.share_unit:,.6f} shares"))
            elif kind == "report" and fold.balance > 0:
                out.activity.append(Entry(block=log.block_number, kind="report", tx_hash=_hash(log),
                                          text=report_words(log, self.labels, self.unit, self.symbol,
                                                            self.unlock_hours)))


def _fee_recipient_before(vault: Any, block: int) -> str:
    """Who fees went to at the end of the block before `block` (today's recipient on a node without that state)."""
    try:
        return vault.feeRecipient(block_id=block - 1)
    except Exception:  # a pruned node, or the vault did not exist yet: the recipient now is the best it can say
        return vault.feeRecipient()


def _assets_at(vault: Any, shares: int, block: int) -> int:
    """What `shares` were worth at the end of `block` (today's price on a node without that block's state)."""
    try:
        return vault.convertToAssets(shares, block_id=block)
    except Exception:  # a pruned node: the price now is the closest figure it can give
        return vault.convertToAssets(shares)
