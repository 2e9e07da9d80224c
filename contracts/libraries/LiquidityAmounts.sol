// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title LiquidityAmounts
/// @notice Liquidity <-> token amounts for a Uniswap V3 range, rounding down (what a position can fund or holds).
library LiquidityAmounts {
    uint256 internal constant Q96 = 1 << 96;

    /// @notice Token0 held between two prices by `liquidity`: L * (sqrtB - sqrtA) / (sqrtA * sqrtB).
    function amount0Between(uint160 sqrtA, uint160 sqrtB, uint128 liquidity) internal pure returns (uint256) {
        return Math.mulDiv(uint256(liquidity) << 96, sqrtB - sqrtA, sqrtB) / sqrtA;
    }

    /// @notice Token1 held between two prices by `liquidity`: L * (sqrtB - sqrtA).
    function amount1Between(uint160 sqrtA, uint160 sqrtB, uint128 liquidity) internal pure returns (uint256) {
        return Math.mulDiv(liquidity, sqrtB - sqrtA, Q96);
    }

    /// @notice Amounts a position of `liquidity` in [sqrtLower, sqrtUpper) holds at `sqrtPrice`.
    function amountsForLiquidity(uint160 sqrtPrice, uint160 sqrtLower, uint160 sqrtUpper, uint128 liquidity)
        internal
        pure
        returns (uint256 amount0, uint256 amount1)
    {
        if (sqrtPrice <= sqrtLower) {
            amount0 = amount0Between(sqrtLower, sqrtUpper, liquidity);
        } else if (sqrtPrice >= sqrtUpper) {
            amount1 = amount1Between(sqrtLower, sqrtUpper, liquidity);
        } else {
            amount0 = amount0Between(sqrtPrice, sqrtUpper, liquidity);
            amount1 = amount1Between(sqrtLower, sqrtPrice, liquidity);
        }
    }

    /// @notice The most liquidity `amount0` and `amount1` can fund in [sqrtLower, sqrtUpper) at `sqrtPrice`.
    function liquidityForAmounts(
        uint160 sqrtPrice,
        uint160 sqrtLower,
        uint160 sqrtUpper,
        uint256 amount0,
        uint256 amount1
    ) internal pure returns (uint128) {
        uint256 liquidity;
        if (sqrtPrice <= sqrtLower) {
            liquidity = _from0(sqrtLower, sqrtUpper, amount0);
        } else if (sqrtPrice >= sqrtUpper) {
            liquidity = _from1(sqrtLower, sqrtUpper, amount1);
        } else {
            liquidity = Math.min(_from0(sqrtPrice, sqrtUpper, amount0), _from1(sqrtLower, sqrtPrice, amount1));
        }
        // More than a pool can hold in one position is unreachable with real balances; cap rather than revert.
        return liquidity > type(uint128).max ? type(uint128).max : uint128(liquidity);
    }

    function _from0(uint160 sqrtA, uint160 sqrtB, uint256 amount0) private pure returns (uint256) {
        return Math.mulDiv(amount0, Math.mulDiv(sqrtA, sqrtB, Q96), sqrtB - sqrtA);
    }

    function _from1(uint160 sqrtA, uint160 sqrtB, uint256 amount1) private pure returns (uint256) {
        return Math.mulDiv(amount1, Q96, sqrtB - sqrtA);
    }
}
