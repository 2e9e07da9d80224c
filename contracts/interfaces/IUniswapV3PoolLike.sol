// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IUniswapV3PoolLike
/// @notice The part of a Uniswap V3 pool the ALP strategy uses, declared here so that it compiles with our 0.8 compiler
///         (the official interfaces are pinned to older pragmas). Signatures match the deployed pool exactly.
interface IUniswapV3PoolLike {
    /// @notice The pool's first token (lower address).
    function token0() external view returns (address);
    /// @notice The pool's second token.
    function token1() external view returns (address);
    /// @notice Fee in hundredths of a bip (500 = 0.05 %).
    function fee() external view returns (uint24);
    /// @notice Positions' ticks must be multiples of this.
    function tickSpacing() external view returns (int24);
    /// @notice Current price, tick and oracle state.
    function slot0()
        external
        view
        returns (
            uint160 sqrtPriceX96,
            int24 tick,
            uint16 observationIndex,
            uint16 observationCardinality,
            uint16 observationCardinalityNext,
            uint8 feeProtocol,
            bool unlocked
        );
    /// @notice Token0 fees earned per unit of liquidity over the pool's life (Q128, wraps).
    function feeGrowthGlobal0X128() external view returns (uint256);
    /// @notice Token1 fees earned per unit of liquidity over the pool's life (Q128, wraps).
    function feeGrowthGlobal1X128() external view returns (uint256);
    /// @notice State of an initialised tick.
    function ticks(int24 tick)
        external
        view
        returns (
            uint128 liquidityGross,
            int128 liquidityNet,
            uint256 feeGrowthOutside0X128,
            uint256 feeGrowthOutside1X128,
            int56 tickCumulativeOutside,
            uint160 secondsPerLiquidityOutsideX128,
            uint32 secondsOutside,
            bool initialized
        );
    /// @notice A position, keyed by keccak256(owner, tickLower, tickUpper).
    function positions(bytes32 key)
        external
        view
        returns (
            uint128 liquidity,
            uint256 feeGrowthInside0LastX128,
            uint256 feeGrowthInside1LastX128,
            uint128 tokensOwed0,
            uint128 tokensOwed1
        );
    /// @notice Tick cumulatives `secondsAgos` seconds ago (for TWAPs).
    function observe(uint32[] calldata secondsAgos)
        external
        view
        returns (int56[] memory tickCumulatives, uint160[] memory secondsPerLiquidityCumulativeX128s);
    /// @notice Adds liquidity; the pool calls back `uniswapV3MintCallback` for payment.
    function mint(address recipient, int24 tickLower, int24 tickUpper, uint128 amount, bytes calldata data)
        external
        returns (uint256 amount0, uint256 amount1);
    /// @notice Removes liquidity; the amounts become owed to the position.
    function burn(int24 tickLower, int24 tickUpper, uint128 amount) external returns (uint256 amount0, uint256 amount1);
    /// @notice Sends owed tokens (removed liquidity and fees) to `recipient`.
    function collect(
        address recipient,
        int24 tickLower,
        int24 tickUpper,
        uint128 amount0Requested,
        uint128 amount1Requested
    ) external returns (uint128 amount0, uint128 amount1);
    /// @notice Swaps; the pool calls back `uniswapV3SwapCallback` for payment.
    function swap(
        address recipient,
        bool zeroForOne,
        int256 amountSpecified,
        uint160 sqrtPriceLimitX96,
        bytes calldata data
    ) external returns (int256 amount0, int256 amount1);
}
