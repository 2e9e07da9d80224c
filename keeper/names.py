"""What operators read: token amounts with decimals and symbols, times as dates and durations, strategies and roles
by name. Formatting is pure; `Labels` remembers the chain lookups for one keeper (an address names one thing only
within one chain's history, so nothing is cached process-wide)."""

from __future__ import annotations

from datetime import datetime, timezone
from keeper import contracts

ROLE_NAMES = ("DEFAULT_ADMIN_ROLE", "CURATOR_ROLE", "GUARDIAN_ROLE", "KEEPER_ROLE")


def amount(raw: int | float, decimals: int, symbol: str, places: int = 2) -> str:
    """`1234567890, 6, "USDC"` -> `1,234.57 USDC`."""
    return f"{raw / 10 ** decimals:,.{places}f} {symbol}"


def duration(seconds: float) -> str:
    """`93784` -> `1 d 2 h 3 min`; under a minute in seconds."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(p for p in parts if p)


def when(timestamp: float) -> str:
    """A unix time as `2026-12-03 16:20 UTC`."""
    return f"{datetime.fromtimestamp(timestamp, timezone.utc):%Y-%m-%d %H:%M} UTC"


def day(timestamp: float) -> str:
    """A unix time as its UTC date, `2026-12-03`."""
    return f"{datetime.fromtimestamp(timestamp, timezone.utc):%Y-%m-%d}"


def token(address: str) -> tuple[str, int]:
    """(symbol, decimals) of an ERC-20."""
    erc20 = contracts.erc20(address)
    return erc20.symbol(), erc20.decimals()


def fee_tier(fee: int) -> str:
    """A pool fee in hundredths of a bip as a percentage: 500 -> `0.05 %`."""
    return f"{fee / 10_000:g} %"


def strategy(address: str) -> str:
    """A strategy by what it holds: `WETH/USDC 0.05 %` for a range, the yield source's name for a lending one."""
    from ape import chain

    from keeper.market.chain import strategy_pool

    pool = strategy_pool(chain.provider.web3, address)
    if pool is not None:
        contract = contracts.at("UniswapV3Pool", pool)
        sym0, sym1 = token(contract.token0())[0], token(contract.token1())[0]
        return f"{sym0}/{sym1} {fee_tier(contract.fee())}"
    try:
        return contracts.erc20(contracts.at("ERC4626Adapter", address).target()).name()
    except Exception:  # another kind of strategy: its own ERC-20 name, else its address
        try:
            return contracts.erc20(address).name()
        except Exception:
            return address


class Labels:
    """`token` and `strategy` remembered for the life of one keeper."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, int]] = {}
        self._strategies: dict[str, str] = {}

    def token(self, address: str) -> tuple[str, int]:
        if address not in self._tokens:
            self._tokens[address] = token(address)
        return self._tokens[address]

    def strategy(self, address: str) -> str:
        if address not in self._strategies:
            self._strategies[address] = strategy(address)
        return self._strategies[address]


def _role_label(constant: str) -> str:
    """`DEFAULT_ADMIN_ROLE` -> `admin`, `CURATOR_ROLE` -> `curator`."""
    return constant.removesuffix("_ROLE").lower().replace("default_admin", "admin")


def roles_of(vault, account: str) -> list[str]:
    """The vault roles `account` holds, by name."""
    return [_role_label(name) for name in ROLE_NAMES if vault.hasRole(getattr(vault, name)(), account)]


def role_holders(vault, from_block: int = 0) -> dict[str, list[str]]:
    """Who holds each vault role now, by name: every account granted it since `from_block` that still holds it,
    in the order of their latest grant (the most recent last)."""
    roles = {_role_label(name): getattr(vault, name)() for name in ROLE_NAMES}
    granted: dict[str, dict[str, None]] = {label: {} for label in roles}
    for log in vault.RoleGranted.range(from_block, vault.chain_manager.blocks.head.number + 1):
        for label, role in roles.items():
            if log.role == role:
                granted[label].pop(log.account, None)
                granted[label][log.account] = None
    return {label: [a for a in accounts if vault.hasRole(roles[label], a)] for label, accounts in granted.items()}
