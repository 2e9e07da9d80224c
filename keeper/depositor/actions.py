"""What a depositor's deposit, withdrawal or redemption will send, decided once for the CLI and the page: the vault
call and its arguments, the approval it needs first, the contract's preview, whether it is loss-free, and — from an
`eth_call` as the depositor — the contract's decoded reason when it would fail.

The exit rule: an exit the vault can pay from idle and liquid strategy balances uses ERC-4626's loss-free call; one
that must unwind a strategy (or where the depositor gave a max loss) uses the vault's overload with `maxLossBps`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from keeper import contracts, names
from keeper.amounts import AmountError
from keeper.execute.transact import Refused, simulate

Action = Literal["deposit", "withdraw", "redeem"]
# Exits call strategies inside try/catch: a node's gas estimate can be the least gas at which the caught inner call
# runs out and the exit then fails, so the wallet is handed the estimate with this margin (in percent).
GAS_MARGIN_PERCENT = 30


class TxRequest(BaseModel):
    """A transaction for the depositor's wallet to sign: sent as `{from, to, data}`."""

    to: str
    data: str
    what: str
    gas: str | None = Field(None, description="gas limit (hex) for the wallet: the node's estimate plus a margin")


class Prepared(BaseModel):
    action: Action
    owner: str
    method: str
    args: list[str | int]
    amount_raw: str = "0"
    preview_raw: str = "0"
    preview: str = ""
    loss_free: bool = True
    max_loss_bps: int | None = None
    approve: TxRequest | None = None
    tx: TxRequest | None = None
    refused: str | None = None

    @property
    def ready(self) -> bool:
        """Nothing stands between the depositor and sending `tx`."""
        return self.refused is None and self.approve is None


def _request(contract: Any, method: str, args: list, what: str) -> TxRequest:
    data = getattr(contract, method).encode_input(*args)
    return TxRequest(to=contract.address, data="0x" + bytes(data).hex(), what=what)


# The vault's refusals a depositor can meet, in their words: (error name) -> sentence over its arguments in the asset.
_WORDS = {
    "WithdrawLossExceeded": "the exit would lose {0} to the swaps that unwind a range, more than your max loss allows "
                            "({1}): accept a higher max loss, or take out only what is liquid now",
    "InsufficientLiquidity": "the vault cannot reach {0} of it now (strategies that cannot be unwound at the current "
                             "price guard): take out less, or wait for the pool's price average to catch up",
    "ERC4626ExceededMaxWithdraw": "you can withdraw at most {2}",
    "ERC4626ExceededMaxRedeem": "you hold fewer shares than that",
    "ERC4626ExceededMaxDeposit": "the vault takes at most {2} now (its deposit limit)",
    "VaultPaused": "the vault is paused: deposits are stopped (exits stay open)",
    "VaultShutdown": "the vault is shut down: it takes no deposits (exits stay open)",
    "ERC20InsufficientBalance": "your balance is too small",
    "ERC20InsufficientAllowance": "the vault may not take that much of your asset yet: approve it first",
}


def explain(reason: str, decimals: int, symbol: str) -> str:
    """`WithdrawLossExceeded(1234, 0)` -> the same, followed by what it means for the depositor."""
    name, _, rest = reason.partition("(")
    words = _WORDS.get(name.strip())
    if words is None:
        return reason
    args = [a.strip() for a in rest.rstrip(")").split(",") if a.strip()]
    shown = [names.amount(int(a), decimals, symbol) if a.isdigit() else a for a in args]
    try:
        return f"{words.format(*shown)} ({reason})"
    except IndexError:  # an argument list other than the one expected: the bare reason is still true
        return reason


def _simulated(prepared: Prepared, owner: str, decimals: int, symbol: str) -> Prepared:
    from ape import chain

    request = prepared.approve or prepared.tx
    try:
        simulate(owner, request.to, request.data, request.what)
    except Refused as exc:
        head, _, reason = str(exc).partition(" would revert: ")
        prepared.refused = f"{head} would fail: {explain(reason, decimals, symbol)}" if reason else str(exc)
        return prepared
    estimate = chain.provider.web3.eth.estimate_gas({"from": owner, "to": request.to, "data": request.data})
    request.gas = hex(estimate * (100 + GAS_MARGIN_PERCENT) // 100)
    return prepared


def prepare_deposit(vault: Any, owner: str, raw: int) -> Prepared:
    """Deposit `raw` units of the asset for `owner`: the approval first when the allowance is short (the deposit
    itself is simulated once the approval is mined), else the deposit, simulated."""
    symbol, decimals = names.token(vault.asset())
    token = contracts.erc20(vault.asset())
    amount = names.amount(raw, decimals, symbol)
    prepared = Prepared(action="deposit", owner=owner, method="deposit", args=[raw, owner], amount_raw=str(raw))
    if raw <= 0:
        raise AmountError("a deposit must be more than zero")
    room = vault.maxDeposit(owner)
    if raw > room:
        prepared.refused = (f"the vault takes at most {names.amount(room, decimals, symbol)} now (deposit limit, pause "
                            "or shutdown): deposit less")
        return prepared
    balance = token.balanceOf(owner)
    if balance < raw:
        prepared.refused = f"{owner} holds {names.amount(balance, decimals, symbol)}, less than {amount}"
        return prepared
    shares = vault.previewDeposit(raw)
    prepared.preview_raw = str(shares)
    prepared.preview = f"{amount} buys {shares / 10**vault.decimals():,.6f} shares (the vault's preview)"
    prepared.tx = _request(vault, "deposit", [raw, owner], f"depositing {amount}")
    if token.allowance(owner, vault.address) < raw:
        prepared.approve = _request(token, "approve", [vault.address, raw], f"approving {amount} for the vault")
    return _simulated(prepared, owner, decimals, symbol)


def prepare_exit(vault: Any, owner: str, action: Action, amount: int | Literal["all"],
                 max_loss_bps: int | None = None) -> Prepared:
    """Withdraw `amount` of the asset, or redeem `amount` shares (`"all"`: everything the owner has, or everything
    loss-free when no max loss is given for a withdrawal). Loss-free ERC-4626 call when the vault can pay it from
    liquid balances and no max loss was given; else the overload that may unwind strategies within `max_loss_bps`."""
    if action not in ("withdraw", "redeem"):
        raise AmountError(f"{action!r} is not an exit: withdraw or redeem")
    if max_loss_bps is not None and not 0 <= max_loss_bps <= 10_000:
        raise AmountError(f"max loss {max_loss_bps} bps is outside 0..10000")
    if action == "withdraw" and amount == "all" and max_loss_bps is not None:
        action = "redeem"  # every share: a withdrawal of their value could leave a rounding's worth behind
    symbol, decimals = names.token(vault.asset())
    share_decimals = vault.decimals()
    if action == "redeem":
        raw = vault.balanceOf(owner) if amount == "all" else amount
        preview = vault.previewRedeem(raw)
        loss_free = raw <= vault.maxRedeem(owner)
        words = f"{raw / 10**share_decimals:,.6f} shares pay {names.amount(preview, decimals, symbol)}"
    else:
        if amount == "all":
            raw = vault.maxWithdraw(owner) if max_loss_bps is None else vault.previewRedeem(vault.balanceOf(owner))
        else:
            raw = amount
        preview = vault.previewWithdraw(raw)
        loss_free = raw <= vault.maxWithdraw(owner)
        words = f"{names.amount(raw, decimals, symbol)} burns {preview / 10**share_decimals:,.6f} shares"
    if raw <= 0:
        raise AmountError(f"nothing to {action}: the amount is zero (no shares, or nothing liquid without a max loss)")
    with_loss = not (loss_free and max_loss_bps is None)
    args: list = [raw, owner, owner] + ([max_loss_bps or 0] if with_loss else [])
    if with_loss:
        words += f"; unwinding strategies, at most {(max_loss_bps or 0) / 100:g} % lost to the exit's swaps"
    elif loss_free:
        words += "; paid from idle and liquid balances, no loss"
    prepared = Prepared(action=action, owner=owner, method=action, args=args, amount_raw=str(raw),
                        preview_raw=str(preview), preview=words, loss_free=not with_loss,
                        max_loss_bps=args[3] if with_loss else None,
                        tx=_request(vault, action, args, f"{action} of {words.split(';')[0]}"))
    return _simulated(prepared, owner, decimals, symbol)
