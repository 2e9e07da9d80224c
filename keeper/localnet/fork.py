"""Which market a fork test forks: the local market deployed on an "upstream" anvil, or real Ethereum mainnet.

The same fork tests run against either; this module tells them where the factory, router, tokens and pools are and
how to get tokens on the fork (mint on the local market; wrap ETH into WETH on mainnet).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel

FORK_MARKET_ENV = "ALP_FORK_MARKET"  # path of the JSON the local upstream's deployment wrote


class ForkMarket(BaseModel):
    name: str
    factory: str
    router: str
    tokens: dict[str, str]
    decimals: dict[str, int]
    pools: dict[str, str]  # "WETH/USDC/500" -> address
    token_owner: str | None = None  # who can mint the tokens (local market only)


# Canonical Uniswap V3 deployment and tokens on Ethereum mainnet.
MAINNET = ForkMarket(
    name="ethereum mainnet",
    factory="0x1F98431c8aD98523631AE4a59f267346ea31F984",
    router="0xE592427A0AEce92De3Edee1F18E0157C05861564",
    tokens={"WETH": "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", "USDC": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},
    decimals={"WETH": 18, "USDC": 6},
    pools={"WETH/USDC/500": "0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640",
           "WETH/USDC/3000": "0x8ad599c3A0ff1De082011EFDDc58f1908eb6e6D8"},
)


def describe(market) -> ForkMarket:
    """The description of a LocalMarket, written by the upstream's deployment for the fork tests to read."""
    return ForkMarket(
        name="local upstream",
        factory=market.factory.address,
        router=market.router.address,
        tokens={s: t.address for s, t in market.tokens.items()},
        decimals={s: market.decimals(s) for s in market.tokens},
        pools={k: p.address for k, p in market.pools.items()},
        token_owner=market.deployer.address,
    )


def fork_market() -> ForkMarket:
    """The local upstream's market when its description file is named in the environment, else mainnet."""
    path = os.environ.get(FORK_MARKET_ENV)
    if not path:
        return MAINNET
    return ForkMarket.model_validate_json(Path(path).read_text())
