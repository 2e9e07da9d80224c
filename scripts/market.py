"""`ape run market --network ethereum:local:foundry`: deploy the local Uniswap V3 market and print its addresses."""

from __future__ import annotations

import click
from ape import accounts
from ape.cli import ConnectedProviderCommand

from keeper.localnet.market import deploy_market
from keeper.univ3.ticks import price_at_tick


@click.command(cls=ConnectedProviderCommand)
def cli() -> None:
    people = accounts.test_accounts
    market = deploy_market(people[0], lp=people[1])
    click.echo(f"factory {market.factory.address}\nrouter {market.router.address}\n"
               f"position manager {market.position_manager.address}")
    for symbol, token in market.tokens.items():
        click.echo(f"{symbol} {token.address}")
    for key, pool in market.pools.items():
        sym0, sym1 = market.symbol_of(pool.token0()), market.symbol_of(pool.token1())
        price = float(price_at_tick(pool.slot0().tick, market.decimals(sym0), market.decimals(sym1)))
        click.echo(f"{key} {pool.address} 1 {sym0} = {price:,.6g} {sym1}, liquidity {pool.liquidity():,}")
