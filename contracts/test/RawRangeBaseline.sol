// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/interfaces/IERC20.sol";

import {IUniswapV3PoolLike} from "../interfaces/IUniswapV3PoolLike.sol";

/// @title RawRangeBaseline
/// @notice Benchmark baseline, not part of the product: moves a range with nothing but the raw pool calls
///         (burn, collect, swap, mint) and the callbacks that pay for them, with every amount precomputed off-chain.
///         What ALP's strategy spends above this is the cost of its checks.
contract RawRangeBaseline {
    IUniswapV3PoolLike public immutable pool;

    constructor(IUniswapV3PoolLike pool_) {
        pool = pool_;
    }

    /// @notice Mints `liquidity` in [lower, upper) from this contract's balances.
    function mint(int24 lower, int24 upper, uint128 liquidity) external {
        pool.mint(address(this), lower, upper, liquidity, "");
    }

    /// @notice The raw equivalent of one ALP re-range.
    function rerange(
        int24 oldLower,
        int24 oldUpper,
        uint128 oldLiquidity,
        bool zeroForOne,
        int256 amountIn,
        uint160 sqrtPriceLimitX96,
        int24 newLower,
        int24 newUpper,
        uint128 newLiquidity
    ) external {
        pool.burn(oldLower, oldUpper, oldLiquidity);
        pool.collect(address(this), oldLower, oldUpper, type(uint128).max, type(uint128).max);
        if (amountIn > 0) pool.swap(address(this), zeroForOne, amountIn, sqrtPriceLimitX96, "");
        pool.mint(address(this), newLower, newUpper, newLiquidity, "");
    }

    /// @notice Pays the pool for a mint.
    function uniswapV3MintCallback(uint256 amount0, uint256 amount1, bytes calldata) external {
        _pay(amount0, amount1);
    }

    /// @notice Pays the pool for a swap.
    function uniswapV3SwapCallback(int256 amount0, int256 amount1, bytes calldata) external {
        _pay(amount0 > 0 ? uint256(amount0) : 0, amount1 > 0 ? uint256(amount1) : 0);
    }

    function _pay(uint256 amount0, uint256 amount1) private {
        if (amount0 > 0) IERC20(pool.token0()).transfer(msg.sender, amount0);
        if (amount1 > 0) IERC20(pool.token1()).transfer(msg.sender, amount1);
    }
}
