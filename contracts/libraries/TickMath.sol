// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title TickMath
/// @notice Tick -> Q64.96 square-root price, computed exactly as a Uniswap V3 pool computes it, so that amounts and
///         values derived here agree with the pool to the wei.
/// @dev sqrt(1.0001^tick) = prod over the set bits i of |tick| of sqrt(1.0001)^(2^i); each factor below is
///      2^128 / sqrt(1.0001)^(2^i) rounded to nearest, generated with 80-digit decimal arithmetic by
///      `keeper/univ3/ticks.py` (the same numbers the Python side uses; tests check both against the real pool).
library TickMath {
    /// @notice The lowest tick a pool can reach (the price 2^-128).
    int24 internal constant MIN_TICK = -887272;
    /// @notice The highest tick a pool can reach (the price 2^128).
    int24 internal constant MAX_TICK = 887272;
    /// @notice sqrtPriceAtTick(MIN_TICK): the lower bound for a swap's price limit.
    uint160 internal constant MIN_SQRT_PRICE = 4295128739;
    /// @notice sqrtPriceAtTick(MAX_TICK): the upper bound for a swap's price limit.
    uint160 internal constant MAX_SQRT_PRICE = 1461446703485210103287273052203988822378723970342;

    /// @notice Thrown for a tick outside [MIN_TICK, MAX_TICK].
    error TickOutOfRange(int24 tick);

    /// @notice sqrt(1.0001^tick) * 2^96, rounded up like the pool's own conversion.
    function sqrtPriceAtTick(int24 tick) internal pure returns (uint160) {
        uint256 absTick = tick < 0 ? uint256(-int256(tick)) : uint256(int256(tick));
        if (absTick > uint256(int256(MAX_TICK))) revert TickOutOfRange(tick);
        // Each product is of two numbers below 2^128, so it fits in 256 bits; the shifts keep the ratio below 2^128.
        unchecked {
            uint256 ratio = absTick & 0x1 != 0 ? 0xfffcb933bd6fad37aa2d162d1a594001 : 0x100000000000000000000000000000000;
            if (absTick & 0x2 != 0) ratio = (ratio * 0xfff97272373d413259a46990580e213a) >> 128;
            if (absTick & 0x4 != 0) ratio = (ratio * 0xfff2e50f5f656932ef12357cf3c7fdcc) >> 128;
            if (absTick & 0x8 != 0) ratio = (ratio * 0xffe5caca7e10e4e61c3624eaa0941cd0) >> 128;
            if (absTick & 0x10 != 0) ratio = (ratio * 0xffcb9843d60f6159c9db58835c926644) >> 128;
            if (absTick & 0x20 != 0) ratio = (ratio * 0xff973b41fa98c081472e6896dfb254c0) >> 128;
            if (absTick & 0x40 != 0) ratio = (ratio * 0xff2ea16466c96a3843ec78b326b52861) >> 128;
            if (absTick & 0x80 != 0) ratio = (ratio * 0xfe5dee046a99a2a811c461f1969c3053) >> 128;
            if (absTick & 0x100 != 0) ratio = (ratio * 0xfcbe86c7900a88aedcffc83b479aa3a4) >> 128;
            if (absTick & 0x200 != 0) ratio = (ratio * 0xf987a7253ac413176f2b074cf7815e54) >> 128;
            if (absTick & 0x400 != 0) ratio = (ratio * 0xf3392b0822b70005940c7a398e4b70f3) >> 128;
            if (absTick & 0x800 != 0) ratio = (ratio * 0xe7159475a2c29b7443b29c7fa6e889d9) >> 128;
            if (absTick & 0x1000 != 0) ratio = (ratio * 0xd097f3bdfd2022b8845ad8f792aa5825) >> 128;
            if (absTick & 0x2000 != 0) ratio = (ratio * 0xa9f746462d870fdf8a65dc1f90e061e5) >> 128;
            if (absTick & 0x4000 != 0) ratio = (ratio * 0x70d869a156d2a1b890bb3df62baf32f7) >> 128;
            if (absTick & 0x8000 != 0) ratio = (ratio * 0x31be135f97d08fd981231505542fcfa6) >> 128;
            if (absTick & 0x10000 != 0) ratio = (ratio * 0x9aa508b5b7a84e1c677de54f3e99bc9) >> 128;
            if (absTick & 0x20000 != 0) ratio = (ratio * 0x5d6af8dedb81196699c329225ee604) >> 128;
            if (absTick & 0x40000 != 0) ratio = (ratio * 0x2216e584f5fa1ea926041bedfe98) >> 128;
            if (absTick & 0x80000 != 0) ratio = (ratio * 0x48a170391f7dc42444e8fa2) >> 128;
            if (tick > 0) ratio = type(uint256).max / ratio;
            // Q128.128 -> Q64.96, rounding up so that the tick of the result is exactly `tick`.
            return uint160((ratio >> 32) + (ratio % (1 << 32) == 0 ? 0 : 1));
        }
    }
}
