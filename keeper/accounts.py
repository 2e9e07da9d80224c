"""Which account signs: an Ape account alias (keys stay in Ape's encrypted store), or a test account on a local
chain or a development node only (anvil started with any chain id)."""

from __future__ import annotations

from typing import Any

LOCAL_CHAIN_IDS = {1337, 31337}


class AccountError(ValueError):
    pass


def resolve(name: str) -> Any:
    from ape import accounts, chain

    if name.startswith("test:"):
        from keeper.connect import is_dev_node

        if chain.chain_id not in LOCAL_CHAIN_IDS and not chain.provider.network.name.endswith("-fork") \
                and not is_dev_node():
            raise AccountError(f"account {name}: test accounts are for local chains only; use an Ape account alias")
        try:
            return accounts.test_accounts[int(name.removeprefix("test:"))]
        except (ValueError, IndexError):
            raise AccountError(f"account {name}: use test:N with N a test account index (0-9)") from None
    try:
        return accounts.load(name)
    except Exception:
        raise AccountError(f"account {name!r} not found: create or import it with `ape accounts import {name}`") from None
