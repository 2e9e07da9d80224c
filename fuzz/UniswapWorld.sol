// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/interfaces/IERC20.sol";

import {IUniswapV3PoolLike} from "../contracts/interfaces/IUniswapV3PoolLike.sol";
import {TickMath} from "../contracts/libraries/TickMath.sol";
import {TestToken} from "../contracts/test/TestToken.sol";
import {VM} from "./Vm.sol";

interface IUniswapV3FactoryLike {
    function createPool(address tokenA, address tokenB, uint24 fee) external returns (address pool);
}

interface IPoolAdmin {
    function initialize(uint160 sqrtPriceX96) external;
    function increaseObservationCardinalityNext(uint16 observationCardinalityNext) external;
}

/// @title Trader
/// @notice A market participant on the real pool: mints liquidity and swaps through the pool's own callbacks, paying
///         with tokens it holds (minted to it by the token owner). Used for the LP, the trader and the partner.
contract Trader {
    IUniswapV3PoolLike public immutable pool;
    IERC20 public immutable token0;
    IERC20 public immutable token1;

    constructor(IUniswapV3PoolLike pool_) {
        pool = pool_;
        token0 = IERC20(pool_.token0());
        token1 = IERC20(pool_.token1());
    }

    /// @notice Adds `liquidity` in [lower, upper).
    function mint(int24 lower, int24 upper, uint128 liquidity) external {
        pool.mint(address(this), lower, upper, liquidity, "");
    }

    /// @notice Swaps until `targetTick` is reached or `maxIn` is spent; returns the pool's deltas.
    function moveTo(int24 targetTick, uint256 maxIn) external returns (int256 amount0, int256 amount1) {
        (, int24 tick,,,,,) = pool.slot0();
        if (targetTick == tick || maxIn == 0) return (0, 0);
        bool zeroForOne = targetTick < tick;
        uint160 limit = TickMath.sqrtPriceAtTick(targetTick);
        return pool.swap(address(this), zeroForOne, int256(maxIn), limit, "");
    }

    /// @notice Sells `amountIn` of token0 (`zeroForOne`) or token1 at any price.
    function swap(bool zeroForOne, uint256 amountIn) external returns (int256 amount0, int256 amount1) {
        uint160 limit = zeroForOne ? TickMath.MIN_SQRT_PRICE + 1 : TickMath.MAX_SQRT_PRICE - 1;
        return pool.swap(address(this), zeroForOne, int256(amountIn), limit, "");
    }

    function uniswapV3MintCallback(uint256 owed0, uint256 owed1, bytes calldata) external {
        require(msg.sender == address(pool), "pool");
        if (owed0 > 0) token0.transfer(msg.sender, owed0);
        if (owed1 > 0) token1.transfer(msg.sender, owed1);
    }

    function uniswapV3SwapCallback(int256 delta0, int256 delta1, bytes calldata) external {
        require(msg.sender == address(pool), "pool");
        if (delta0 > 0) token0.transfer(msg.sender, uint256(delta0));
        if (delta1 > 0) token1.transfer(msg.sender, uint256(delta1));
    }
}

/// @title UniswapWorld
/// @notice Deploys the real Uniswap V3 factory from its npm artifact (the audited bytecode) and one WETH/USDC
///         0.05 % pool with other LPs' liquidity and an oracle long enough for the strategy's TWAP.
library UniswapWorld {
    string internal constant FACTORY_ARTIFACT =
        "node_modules/@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json";
    uint24 internal constant FEE = 500;
    /// @dev |tick| of ~2,000 USDC per WETH in raw units (WETH 18 decimals, USDC 6): positive when USDC is token0.
    int24 internal constant TICK_USDC_PER_WETH_2000 = 200_311;

    function deployFactory() internal returns (IUniswapV3FactoryLike factory) {
        bytes memory code = VM.parseJsonBytes(VM.readFile(FACTORY_ARTIFACT), ".bytecode");
        address deployed;
        assembly {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        require(deployed != address(0), "factory deploy failed");
        factory = IUniswapV3FactoryLike(deployed);
    }

    /// @notice The pool at ~2,000 USDC/WETH with cardinality for a day of observations.
    function deployPool(TestToken usdc, TestToken weth) internal returns (IUniswapV3PoolLike pool) {
        IUniswapV3FactoryLike factory = deployFactory();
        pool = IUniswapV3PoolLike(factory.createPool(address(usdc), address(weth), FEE));
        // tick = log_1.0001(token1 per token0 in raw units)
        int24 tick = pool.token0() == address(usdc) ? TICK_USDC_PER_WETH_2000 : -TICK_USDC_PER_WETH_2000;
        IPoolAdmin(address(pool)).initialize(TickMath.sqrtPriceAtTick(tick));
        IPoolAdmin(address(pool)).increaseObservationCardinalityNext(200);
    }
}
