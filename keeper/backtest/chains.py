"""What gas costs on each chain the data comes from: the native token it is paid in, and the assumptions used where
the data holds no history.

A chain's gas price comes from a gas history in the data where one covers the hour (`data/gas/<chain>-*.csv`),
else from the assumption below. The native token's price in the numéraire comes from the pool itself when it
trades the wrapped native token, else from the assumption below (in USD, for a stablecoin numéraire). The report
prints which was used for every run: an assumption is never silent.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Chain(BaseModel):
    name: str
    native: str = Field(description="the token gas is paid in")
    wrapped: str = Field(description="its ERC-20 form, as pools trade it")
    assumed_gas_gwei: float = Field(description="gas price where the data has no gas history for the hour")
    assumed_native_usd: float | None = Field(
        default=None, description="the native token's USD price where no pool in the run prices it")


# Assumptions, not data: order-of-magnitude figures for the periods the shipped data covers.
CHAINS: dict[str, Chain] = {
    "ethereum": Chain(name="ethereum", native="ETH", wrapped="WETH", assumed_gas_gwei=30.0),
    "polygon": Chain(name="polygon", native="MATIC", wrapped="WMATIC", assumed_gas_gwei=100.0,
                     assumed_native_usd=0.80),
}


def chain(name: str) -> Chain:
    try:
        return CHAINS[name]
    except KeyError:
        raise ValueError(f"chain {name!r}: no gas assumptions for it in keeper/backtest/chains.py (have "
                         f"{', '.join(CHAINS)}): add its native token and an assumed gas price there") from None
