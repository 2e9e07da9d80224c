"""Builds a local Uniswap V3 market from the real npm bytecode: tokens, factory, router, position manager, pools in
three fee tiers at realistic prices, oracle cardinality for TWAPs, and liquidity from other LPs in several ranges.

Used by the tests, the benchmarks, the replay and the demo: `deploy_market(deployer)` on any connected chain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from ape import chain
from ape.api import AccountAPI
from ape.contracts import ContractInstance

from keeper import contracts
from keeper.univ3.ticks import full_range, nearest_usable_tick, price_at_tick, sqrt_price_x96_at_tick, tick_at_price

TOKENS: dict[str, tuple[str, int]] = {"WETH": ("Wrapped Ether", 18), "USDC": ("USD Coin", 6), "WBTC": ("Wrapped BTC", 8)}
TICK_SPACING = {500: 10, 3000: 60, 10000: 200}
MAX_UINT = 2**256 - 1
# Enough oracle slots that a 1-hour TWAP stays readable with one pool-touching block every 18 s; each slot costs
# ~22k gas once, so 200 keeps every deployment transaction well under Osaka's per-transaction cap.
OBSERVATION_CARDINALITY = 200
# Other LPs' book per pool: (half-width of the range as a fraction of price, None = full range; share of the pool's
# depth). Wide and narrow ranges together give depth that thins out away from the price, as in real pools.
LP_LADDER: tuple[tuple[float | None, float], ...] = ((None, 0.2), (0.5, 0.2), (0.15, 0.3), (0.03, 0.3))


@dataclass(frozen=True)
class PoolSpec:
    """A pool to create: `base` priced in `quote` (e.g. WETH at 2,000 USDC), with `depth_usd` of other LPs' money."""

    base: str
    quote: str
    fee: int
    price: float
    depth_usd: float


DEFAULT_POOLS: tuple[PoolSpec, ...] = (
    PoolSpec("WETH", "USDC", 500, 2_000.0, 20_000_000),
    PoolSpec("WETH", "USDC", 3000, 2_000.0, 8_000_000),
    PoolSpec("WETH", "USDC", 10000, 2_000.0, 2_000_000),
    PoolSpec("WBTC", "USDC", 3000, 40_000.0, 6_000_000),
)


def pools_at(prices: dict[str, float], pools: tuple[PoolSpec, ...] = DEFAULT_POOLS) -> tuple[PoolSpec, ...]:
    """The default pools with some base tokens re-priced, e.g. {"WETH": 1538.0} to start where a series starts."""
    return tuple(replace(p, price=prices.get(p.base, p.price)) for p in pools)


def series_start_price(history: Any, base: str) -> float:
    """Price of `base` in the other token at the first row of a pool history (see keeper.market.history)."""
    info = history.info
    price0_in_1 = float(price_at_tick(float(history.close_tick[0]), info.token0.decimals, info.token1.decimals))
    if info.token0.symbol == base:
        return price0_in_1
    if info.token1.symbol == base:
        return 1 / price0_in_1
    raise ValueError(f"series {history.name} does not trade {base}")


def pool_key(sym_a: str, sym_b: str, fee: int) -> str:
    """Order-insensitive name of a pool, e.g. 'WETH/USDC/500'."""
    a, b = sorted((sym_a, sym_b), key=lambda s: (s != "WETH" and s != "WBTC", s))
    return f"{a}/{b}/{fee}"


@dataclass
class LocalMarket:
    tokens: dict[str, ContractInstance]
    factory: ContractInstance
    router: ContractInstance
    position_manager: ContractInstance
    pools: dict[str, ContractInstance] = field(default_factory=dict)
    deployer: AccountAPI | None = None

    # ------------------------------------------------------------------ lookups

    def pool(self, sym_a: str, sym_b: str, fee: int) -> ContractInstance:
        key = pool_key(sym_a, sym_b, fee)
        if key not in self.pools:
            raise KeyError(f"no local pool {key}; have {', '.join(self.pools)}")
        return self.pools[key]

    def symbol_of(self, address: str) -> str:
        for symbol, token in self.tokens.items():
            if token.address.lower() == str(address).lower():
                return symbol
        raise KeyError(f"{address} is not one of the market's tokens")

    def decimals(self, symbol: str) -> int:
        return TOKENS[symbol][1]

    # ------------------------------------------------------------------ actions

    def fund(self, account: Any, symbol: str, amount_raw: int) -> None:
        """Mints `amount_raw` of a market token to `account` (the deployer owns the test tokens)."""
        self.tokens[symbol].mint(account, amount_raw, sender=self.deployer)

    def _ensure(self, trader: Any, symbol: str, amount: int, spender: str) -> None:
        token = self.tokens[symbol]
        if token.balanceOf(trader) < amount:
            self.fund(trader, symbol, amount)
        if token.allowance(trader, spender) < amount:
            token.approve(spender, MAX_UINT, sender=trader)

    def swap_exact_in(self, trader: Any, sym_in: str, sym_out: str, fee: int, amount_in: int,
                      sqrt_price_limit_x96: int = 0) -> Any:
        """A real swap through the SwapRouter; the trader is funded and approves as needed."""
        self._ensure(trader, sym_in, amount_in, self.router.address)
        params = (self.tokens[sym_in].address, self.tokens[sym_out].address, fee, trader.address,
                  chain.pending_timestamp + 3_600, amount_in, 0, sqrt_price_limit_x96)
        return self.router.exactInputSingle(params, sender=trader)

    def move_to_tick(self, trader: Any, pool: ContractInstance, target_tick: int) -> Any | None:
        """Swaps until the pool's price reaches `target_tick` (the swap stops at the price limit)."""
        current = pool.slot0().tick
        if current == target_tick:
            return None
        token0, token1 = self.symbol_of(pool.token0()), self.symbol_of(pool.token1())
        # Adding token1 raises the tick, adding token0 lowers it; the limit makes the router take only what it needs.
        sym_in, sym_out = (token1, token0) if target_tick > current else (token0, token1)
        limit = sqrt_price_x96_at_tick(target_tick)
        budget = 10 ** (self.decimals(sym_in) + 12)
        return self.swap_exact_in(trader, sym_in, sym_out, pool.fee(), budget, limit)


def _deploy_tokens(deployer: AccountAPI) -> dict[str, ContractInstance]:
    return {sym: deployer.deploy(contracts.container("TestToken"), name, sym, dec) for sym, (name, dec) in TOKENS.items()}


def _initial_sqrt_price(spec: PoolSpec, token0: str, market: LocalMarket) -> int:
    base_is_0 = token0 == spec.base
    d0, d1 = (market.decimals(spec.base), market.decimals(spec.quote))
    price0_in_1 = spec.price if base_is_0 else 1 / spec.price
    if not base_is_0:
        d0, d1 = d1, d0
    return sqrt_price_x96_at_tick(int(round(float(tick_at_price(price0_in_1, d0, d1)))))


def _seed_liquidity(market: LocalMarket, pool: ContractInstance, spec: PoolSpec, lp: AccountAPI) -> None:
    """Other LPs' positions along LP_LADDER, minted through the real NonfungiblePositionManager."""
    token0, token1 = market.symbol_of(pool.token0()), market.symbol_of(pool.token1())
    spacing = TICK_SPACING[spec.fee]
    tick = pool.slot0().tick
    sqrt_p = pool.slot0().sqrtPriceX96 / 2**96
    usd_per_raw1 = (1 / 10 ** market.decimals(token1)) * (1.0 if token1 == spec.quote else spec.price)
    for half_width, share in LP_LADDER:
        if half_width is None:
            lower, upper = full_range(spacing)
        else:
            ticks_away = math.log(1 + half_width) / math.log(1.0001)
            lower = nearest_usable_tick(tick - ticks_away, spacing)
            upper = nearest_usable_tick(tick + ticks_away, spacing)
        sa, sb = 1.0001 ** (lower / 2), 1.0001 ** (upper / 2)
        per_l0, per_l1 = (1 / sqrt_p - 1 / sb), (sqrt_p - sa)  # raw amounts per unit of liquidity
        value_raw1 = spec.depth_usd * share / usd_per_raw1
        liquidity = value_raw1 / (per_l0 * sqrt_p**2 + per_l1)
        amount0, amount1 = int(liquidity * per_l0 * 1.001), int(liquidity * per_l1 * 1.001)
        market._ensure(lp, token0, amount0, market.position_manager.address)
        market._ensure(lp, token1, amount1, market.position_manager.address)
        market.position_manager.mint(
            (pool.token0(), pool.token1(), spec.fee, lower, upper, amount0, amount1, 0, 0, lp.address,
             chain.pending_timestamp + 3_600),
            sender=lp,
        )


def deploy_market(deployer: AccountAPI, *, lp: AccountAPI | None = None,
                  pools: tuple[PoolSpec, ...] = DEFAULT_POOLS) -> LocalMarket:
    """Deploys Multicall3 (at its usual address), tokens, the Uniswap V3 factory, SwapRouter and
    NonfungiblePositionManager, and seeded pools.

    The router and position manager take our 18-decimal WETH test token as their WETH9: nothing here wraps ETH,
    and both only use that address for ETH-paying paths.
    """
    from ape import chain

    from keeper.market import multicall

    lp = lp or deployer
    # Every major chain has Multicall3 at the same address; the keeper reads pools through it here too.
    multicall.install_on_dev_chain(chain.provider.web3)
    tokens = _deploy_tokens(deployer)
    factory = deployer.deploy(contracts.container("UniswapV3Factory"))
    weth = tokens["WETH"].address
    router = deployer.deploy(contracts.container("SwapRouter"), factory.address, weth)
    manager = deployer.deploy(contracts.container("NonfungiblePositionManager"), factory.address, weth,
                              "0x" + "00" * 20)
    market = LocalMarket(tokens=tokens, factory=factory, router=router, position_manager=manager, deployer=deployer)
    pool_type = contracts.container("UniswapV3Pool")
    for spec in pools:
        receipt = factory.createPool(tokens[spec.base].address, tokens[spec.quote].address, spec.fee, sender=deployer)
        address = receipt.decode_logs(factory.PoolCreated)[0].pool
        pool = pool_type.at(address)
        pool.initialize(_initial_sqrt_price(spec, market.symbol_of(pool.token0()), market), sender=deployer)
        pool.increaseObservationCardinalityNext(OBSERVATION_CARDINALITY, sender=deployer)
        market.pools[pool_key(spec.base, spec.quote, spec.fee)] = pool
        _seed_liquidity(market, pool, spec, lp)
    return market
