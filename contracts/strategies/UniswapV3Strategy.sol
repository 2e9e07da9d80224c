// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/interfaces/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IUniswapV3PoolLike} from "../interfaces/IUniswapV3PoolLike.sol";
import {IVaultAccess} from "../interfaces/IVaultAccess.sol";
import {LiquidityAmounts} from "../libraries/LiquidityAmounts.sol";
import {TickMath} from "../libraries/TickMath.sol";
import {BaseStrategy} from "./BaseStrategy.sol";

/// @title UniswapV3Strategy
/// @notice Holds one concentrated-liquidity range in one Uniswap V3 pool, pairing the vault's asset with the pool's
///         other token. The keeper chooses the range and the swap that funds it; this contract bounds both, assuming
///         the keeper may be compromised and a partner may move the pool: the spot price must sit within
///         `maxDeviationTicks` of the TWAP before the move and again at the mint; the range must contain the TWAP tick
///         (or lie within `maxTwapDistanceTicks` of it) and its width within bounds; the swap must return at least the
///         stricter of the keeper's minimum and the TWAP quote less `maxSlippageBps`; the strategy's value at the TWAP
///         may fall by at most `maxRangeLossBps` over the move; moves are `minRangeInterval` apart; and the loss and
///         the swap are drawn on the vault's rolling budget, which bounds all keeper moves together.
/// @dev Valuation uses the TWAP, never the spot price: a flash move of the pool cannot change `totalAssets()`.
///      Deposits from the vault stay idle until the keeper places them in a range (no swap without keeper-supplied,
///      checked parameters). Fees are collected at harvest; the vault turns them into profit that unlocks over time.
///
///      [CAUTION] The pool's oracle must hold at least `twapWindow` seconds of observations (raise its cardinality
///      before adding the strategy): until it does, valuation and every move revert with the pool's "OLD" error.
contract UniswapV3Strategy is BaseStrategy {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    // ================================================================== constants

    uint256 public constant BPS = 10_000;
    /// @notice A TWAP over less than this is cheap to move within a few blocks.
    uint32 public constant MIN_TWAP_WINDOW = 60 seconds;
    /// @notice Longest TWAP window any setting may use.
    uint32 public constant MAX_TWAP_WINDOW = 1 days;
    /// @notice Widest spot-vs-TWAP gap any setting may allow (~22 % in price).
    uint24 public constant MAX_DEVIATION_TICKS_CAP = 2_000;
    /// @notice Largest swap slippage any setting may allow.
    uint16 public constant MAX_SLIPPAGE_BPS_CAP = 1_000;

    uint32 public constant DEFAULT_TWAP_WINDOW = 30 minutes;
    uint24 public constant DEFAULT_MAX_DEVIATION_TICKS = 100;
    uint16 public constant DEFAULT_MAX_SLIPPAGE_BPS = 50;
    /// @notice Narrowest default range, in tick spacings (too narrow a range is out of range at the first move).
    int24 public constant DEFAULT_MIN_WIDTH_SPACINGS = 2;
    /// @notice Largest loss of TWAP value one re-range may take, by default (pool fee and impact of its swap).
    uint16 public constant DEFAULT_MAX_RANGE_LOSS_BPS = 50;
    /// @notice Largest per-move loss bound any setting may allow.
    uint16 public constant MAX_RANGE_LOSS_BPS_CAP = 500;
    /// @notice Least time between two re-ranges, by default.
    uint32 public constant DEFAULT_MIN_RANGE_INTERVAL = 1 hours;
    /// @notice Longest re-range interval any setting may ask.
    uint32 public constant MAX_RANGE_INTERVAL = 7 days;
    /// @notice How far beyond the TWAP an exit's sale of the paired token may push the price (~22 %): past it the
    ///         sale stops and the rest stays in the strategy, so no manipulation can take an exit anywhere it likes.
    int24 public constant EXIT_PRICE_LIMIT_TICKS = 2_000;

    uint256 private constant Q96 = 1 << 96;
    uint256 private constant Q128 = 1 << 128;

    // ================================================================== immutables

    /// @notice The pool the position lives in.
    IUniswapV3PoolLike public immutable pool;
    /// @notice The pool's other token (not the vault asset).
    IERC20 public immutable pairedToken;
    /// @notice Whether the vault asset is the pool's token0.
    bool public immutable assetIsToken0;
    /// @notice The pool's tick spacing.
    int24 public immutable tickSpacing;

    // ================================================================== storage

    /// @notice TWAP window in seconds for valuation and the deviation check.
    uint32 public twapWindow;
    /// @notice Largest allowed |spot tick - TWAP tick| for a keeper move.
    uint24 public maxDeviationTicks;
    /// @notice Largest allowed shortfall of a swap's output against its TWAP quote, in bps.
    uint16 public maxSlippageBps;
    /// @notice Narrowest range the keeper may choose, in ticks.
    int24 public minWidthTicks;
    /// @notice Widest range the keeper may choose, in ticks.
    int24 public maxWidthTicks;
    /// @notice Lower tick of the current position (meaningless while `liquidity` is zero).
    int24 public tickLower;
    /// @notice Upper tick of the current position.
    int24 public tickUpper;
    /// @notice Liquidity of the current position.
    uint128 public liquidity;
    /// @notice Largest loss of the strategy's TWAP value one re-range may take, in bps of that value.
    uint16 public maxRangeLossBps;
    /// @notice How far the range may sit from the TWAP tick, in ticks (0: it must contain the TWAP tick).
    uint24 public maxTwapDistanceTicks;
    /// @notice Least time between two re-ranges, in seconds.
    uint32 public minRangeInterval;
    /// @notice Timestamp of the last re-range.
    uint40 public lastRangeUpdate;

    // ================================================================== types, events and errors

    /// @notice A re-range the keeper asks for.
    /// @param tickLower Lower tick of the new range (a multiple of the pool's tick spacing).
    /// @param tickUpper Upper tick.
    /// @param zeroForOne Whether the funding swap sells token0 for token1.
    /// @param amountIn Amount the swap sells (0 for no swap).
    /// @param minAmountOut The keeper's own floor on the swap's output (the TWAP floor applies too).
    struct RangeMove {
        int24 tickLower;
        int24 tickUpper;
        bool zeroForOne;
        uint256 amountIn;
        uint256 minAmountOut;
    }

    /// @notice The position moved to a new range. Values are the strategy's total at the TWAP before and after;
    ///         `rationale` is the keeper's hash of the inputs and model version behind the move.
    event RangeUpdated(
        int24 tickLower,
        int24 tickUpper,
        uint128 liquidity,
        int24 spotTick,
        int24 twapTick,
        uint256 valueBefore,
        uint256 valueAfter,
        bytes32 rationale
    );
    /// @notice The strategy swapped `amountIn` for `amountOut` (zeroForOne: token0 in).
    event Swapped(bool zeroForOne, uint256 amountIn, uint256 amountOut, uint256 minAmountOut);
    /// @notice Fees (and any removed liquidity) collected from the pool.
    event Collected(uint256 amount0, uint256 amount1);
    /// @notice A guardrail changed; `name` is the parameter's name as bytes32.
    event GuardrailUpdated(bytes32 indexed name, uint256 oldValue, uint256 newValue);

    /// @notice The pool's spot tick is further from its TWAP than allowed: it may be under manipulation.
    error PriceDeviationExceeded(int24 spotTick, int24 twapTick, uint24 maxDeviationTicks);
    /// @notice A swap returned less than the TWAP quote minus the slippage bound.
    error SlippageExceeded(uint256 amountOut, uint256 minAmountOut);
    /// @notice The range is inverted, off the tick spacing, or outside the pool's ticks.
    error InvalidRange(int24 tickLower, int24 tickUpper);
    /// @notice The range is narrower or wider than the bounds allow.
    error RangeWidthOutOfBounds(int24 width, int24 minWidth, int24 maxWidth);
    /// @notice The new range neither contains the TWAP tick nor lies within `maxTwapDistanceTicks` of it.
    error RangeAwayFromTwap(int24 tickLower, int24 tickUpper, int24 twapTick, uint24 maxTwapDistanceTicks);
    /// @notice A re-range would lose more of the strategy's TWAP value than `maxRangeLossBps` allows.
    error RangeLossExceeded(uint256 loss, uint256 maxLoss);
    /// @notice A re-range came sooner than `minRangeInterval` after the previous one.
    error RangeTooSoon(uint256 nextAllowed);
    /// @notice The pool's oracle cannot serve a TWAP over this window yet (raise its cardinality, or wait).
    error OracleTooShort(uint32 window);
    /// @notice A keeper call arrived after its own deadline.
    error DeadlineExpired(uint256 deadline, uint256 timestamp);
    /// @notice Caller may not change this guardrail in this direction.
    error Unauthorized(address account);
    /// @notice A guardrail value outside its hard bounds.
    error ValueOutOfBounds(bytes32 name, uint256 value, uint256 bound);
    /// @notice A callback came from somewhere other than the pool.
    error NotPool(address caller);
    /// @notice The pool does not trade the vault's asset.
    error PoolAssetMismatch(address pool, address asset);

    // ================================================================== construction

    /// @param pool_ The Uniswap V3 pool; one of its tokens must be `asset_`.
    /// @param asset_ The vault's asset.
    /// @param vault_ The ALP vault (the only shareholder; its roles govern this strategy).
    /// @param name_ Share token name.
    /// @param symbol_ Share token symbol.
    constructor(IUniswapV3PoolLike pool_, IERC20 asset_, address vault_, string memory name_, string memory symbol_)
        BaseStrategy(asset_, vault_, name_, symbol_)
    {
        address token0 = pool_.token0();
        address token1 = pool_.token1();
        if (token0 != address(asset_) && token1 != address(asset_)) revert PoolAssetMismatch(address(pool_), address(asset_));
        pool = pool_;
        assetIsToken0 = token0 == address(asset_);
        pairedToken = IERC20(assetIsToken0 ? token1 : token0);
        int24 spacing = pool_.tickSpacing();
        tickSpacing = spacing;
        twapWindow = DEFAULT_TWAP_WINDOW;
        maxDeviationTicks = DEFAULT_MAX_DEVIATION_TICKS;
        maxSlippageBps = DEFAULT_MAX_SLIPPAGE_BPS;
        minWidthTicks = DEFAULT_MIN_WIDTH_SPACINGS * spacing;
        maxWidthTicks = 2 * (TickMath.MAX_TICK / spacing) * spacing;
        maxRangeLossBps = DEFAULT_MAX_RANGE_LOSS_BPS;
        minRangeInterval = DEFAULT_MIN_RANGE_INTERVAL;
    }

    // ================================================================== keeper

    /// @notice Moves the position to [move.tickLower, move.tickUpper): removes the current range, swaps
    ///         `move.amountIn` of token0 (`zeroForOne`) or token1 to fund the new one, and adds as much liquidity as
    ///         the balances allow.
    /// @dev Every bound holds against a compromised keeper with a partner moving the pool: spot within
    ///      `maxDeviationTicks` of the TWAP before the move and at the mint, the range at the TWAP, the swap's output
    ///      at least the stricter floor, at most `maxRangeLossBps` of TWAP value lost, one move per
    ///      `minRangeInterval`, the loss and the swap drawn on the vault's rolling budget; never paused or shut down.
    /// @param move The new range and the swap that funds it.
    /// @param deadline Latest block timestamp at which the call may execute.
    /// @param rationale The keeper's hash of the recorded inputs and model version behind the move (emitted).
    function rebalanceRange(RangeMove calldata move, uint256 deadline, bytes32 rationale)
        external
        onlyKeeper
        nonReentrant
    {
        if (block.timestamp > deadline) revert DeadlineExpired(deadline, block.timestamp);
        _checkRange(move.tickLower, move.tickUpper);
        (, int24 spot,,,,,) = pool.slot0();
        int24 twap = _twapTick();
        _checkDeviation(spot, twap);
        _checkNearTwap(move.tickLower, move.tickUpper, twap);
        _checkInterval();
        uint256 valueBefore = _valueAt(twap, true);

        _removeLiquidity(liquidity);
        uint256 valueAfter;
        {
            uint256 turnover = move.amountIn == 0 ? 0 : _fund(move.zeroForOne, move.amountIn, twap, move.minAmountOut);
            _mint(move.tickLower, move.tickUpper, twap);
            valueAfter = _checkLoss(valueBefore, _valueAt(twap, false), turnover);
        }
        emit RangeUpdated(move.tickLower, move.tickUpper, liquidity, spot, twap, valueBefore, valueAfter, rationale);
    }

    function _checkInterval() internal view {
        uint256 nextAllowed = uint256(lastRangeUpdate) + minRangeInterval;
        if (lastRangeUpdate != 0 && block.timestamp < nextAllowed) revert RangeTooSoon(nextAllowed);
    }

    /// @dev The funding swap; returns its size in the asset at the TWAP (what the turnover budget counts).
    function _fund(bool zeroForOne, uint256 amountIn, int24 twap, uint256 keeperMinOut) internal returns (uint256) {
        _swap(zeroForOne, amountIn, twap, keeperMinOut);
        return zeroForOne == assetIsToken0 ? amountIn : _quote(zeroForOne, amountIn, TickMath.sqrtPriceAtTick(twap));
    }

    /// @dev Adds as much liquidity as the balances allow, at the pool's price after the swap, which must still be
    ///      the fair one.
    function _mint(int24 newLower, int24 newUpper, int24 twap) internal {
        (uint160 sqrtSpot, int24 spot,,,,,) = pool.slot0();
        _checkDeviation(spot, twap);
        (uint256 balance0, uint256 balance1) = _balances();
        uint128 added = LiquidityAmounts.liquidityForAmounts(
            sqrtSpot, TickMath.sqrtPriceAtTick(newLower), TickMath.sqrtPriceAtTick(newUpper), balance0, balance1
        );
        tickLower = newLower;
        tickUpper = newUpper;
        liquidity = added;
        lastRangeUpdate = uint40(block.timestamp);
        if (added > 0) pool.mint(address(this), newLower, newUpper, added, "");
    }

    /// @dev Bounds the move's loss of TWAP value and draws it, with the swap, on the vault's rolling budget.
    function _checkLoss(uint256 valueBefore, uint256 valueAfter, uint256 turnover) internal returns (uint256) {
        uint256 loss = valueAfter < valueBefore ? valueBefore - valueAfter : 0;
        uint256 maxLoss = Math.mulDiv(valueBefore, maxRangeLossBps, BPS);
        if (loss > maxLoss) revert RangeLossExceeded(loss, maxLoss);
        IVaultAccess(vault).spendBudget(loss, turnover);
        return valueAfter;
    }

    // ================================================================== pool callbacks

    /// @notice Pays the pool what a mint owes. Only the pool may call.
    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        if (msg.sender != address(pool)) revert NotPool(msg.sender);
        _pay(amount0Owed, amount1Owed);
    }

    /// @notice Pays the pool the input side of a swap. Only the pool may call.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        if (msg.sender != address(pool)) revert NotPool(msg.sender);
        _pay(amount0Delta > 0 ? uint256(amount0Delta) : 0, amount1Delta > 0 ? uint256(amount1Delta) : 0);
    }

    // ================================================================== guardrails

    /// @notice Sets the TWAP window. Longer tightens (curator); shorter loosens (admin, i.e. the timelock).
    ///         Refused when the pool's oracle cannot serve the new window now: valuation would revert.
    function setTwapWindow(uint32 value) external onlyCuratorIf(value >= twapWindow) {
        if (value < MIN_TWAP_WINDOW) revert ValueOutOfBounds("twapWindow", value, MIN_TWAP_WINDOW);
        if (value > MAX_TWAP_WINDOW) revert ValueOutOfBounds("twapWindow", value, MAX_TWAP_WINDOW);
        uint32[] memory secondsAgo = new uint32[](2);
        secondsAgo[0] = value;
        try pool.observe(secondsAgo) returns (int56[] memory, uint160[] memory) {}
        catch {
            revert OracleTooShort(value);
        }
        emit GuardrailUpdated("twapWindow", twapWindow, value);
        twapWindow = value;
    }

    /// @notice Sets the largest spot-vs-TWAP gap for keeper moves. Lower tightens (curator); higher loosens (admin).
    function setMaxDeviationTicks(uint24 value) external onlyCuratorIf(value <= maxDeviationTicks) {
        if (value > MAX_DEVIATION_TICKS_CAP) revert ValueOutOfBounds("maxDeviationTicks", value, MAX_DEVIATION_TICKS_CAP);
        emit GuardrailUpdated("maxDeviationTicks", maxDeviationTicks, value);
        maxDeviationTicks = value;
    }

    /// @notice Sets the swap slippage bound. Lower tightens (curator); higher loosens (admin).
    function setMaxSlippageBps(uint16 value) external onlyCuratorIf(value <= maxSlippageBps) {
        if (value > MAX_SLIPPAGE_BPS_CAP) revert ValueOutOfBounds("maxSlippageBps", value, MAX_SLIPPAGE_BPS_CAP);
        emit GuardrailUpdated("maxSlippageBps", maxSlippageBps, value);
        maxSlippageBps = value;
    }

    /// @notice Sets the largest loss of TWAP value one re-range may take. Lower tightens (curator); higher loosens
    ///         (admin).
    function setMaxRangeLossBps(uint16 value) external onlyCuratorIf(value <= maxRangeLossBps) {
        if (value > MAX_RANGE_LOSS_BPS_CAP) revert ValueOutOfBounds("maxRangeLossBps", value, MAX_RANGE_LOSS_BPS_CAP);
        emit GuardrailUpdated("maxRangeLossBps", maxRangeLossBps, value);
        maxRangeLossBps = value;
    }

    /// @notice Sets how far a new range may sit from the TWAP tick. Lower tightens (curator); higher loosens (admin).
    function setMaxTwapDistanceTicks(uint24 value) external onlyCuratorIf(value <= maxTwapDistanceTicks) {
        if (value > MAX_DEVIATION_TICKS_CAP) {
            revert ValueOutOfBounds("maxTwapDistanceTicks", value, MAX_DEVIATION_TICKS_CAP);
        }
        emit GuardrailUpdated("maxTwapDistanceTicks", maxTwapDistanceTicks, value);
        maxTwapDistanceTicks = value;
    }

    /// @notice Sets the least time between re-ranges. Longer tightens (curator); shorter loosens (admin).
    function setMinRangeInterval(uint32 value) external onlyCuratorIf(value >= minRangeInterval) {
        if (value > MAX_RANGE_INTERVAL) revert ValueOutOfBounds("minRangeInterval", value, MAX_RANGE_INTERVAL);
        emit GuardrailUpdated("minRangeInterval", minRangeInterval, value);
        minRangeInterval = value;
    }

    /// @notice Sets the range width bounds in ticks. Narrowing the allowed band tightens (curator); widening it
    ///         loosens (admin).
    function setRangeWidthBounds(int24 minWidth, int24 maxWidth)
        external
        onlyCuratorIf(minWidth >= minWidthTicks && maxWidth <= maxWidthTicks)
    {
        if (minWidth < tickSpacing || minWidth > maxWidth) revert InvalidRange(minWidth, maxWidth);
        emit GuardrailUpdated("minWidthTicks", uint256(int256(minWidthTicks)), uint256(int256(minWidth)));
        emit GuardrailUpdated("maxWidthTicks", uint256(int256(maxWidthTicks)), uint256(int256(maxWidth)));
        minWidthTicks = minWidth;
        maxWidthTicks = maxWidth;
    }

    // ================================================================== views

    /// @notice The pool's arithmetic-mean tick over `twapWindow`, rounded towards negative infinity.
    function twapTick() external view returns (int24) {
        return _twapTick();
    }

    /// @notice Token amounts in the position at the TWAP price, and fees earned but not yet collected.
    function positionAmounts()
        external
        view
        returns (uint256 amount0, uint256 amount1, uint256 fees0, uint256 fees1)
    {
        (amount0, amount1) = _positionAmounts(TickMath.sqrtPriceAtTick(_twapTick()));
        (fees0, fees1) = _uncollectedFees();
    }

    // ================================================================== BaseStrategy hooks

    /// @dev Deposits stay idle: only the keeper, through `rebalanceRange`'s checks, puts money into the pool.
    function _deployFunds(uint256) internal override {}

    /// @dev Removes a pro-rata share of the position and sells the paired token at the market, stopping
    ///      `EXIT_PRICE_LIMIT_TICKS` beyond the TWAP. No slippage bound here: an exit in a fast market returns what
    ///      it can, and the vault lets the exiting depositor's own max loss decide (no keeper setting can block it).
    function _freeFunds(uint256 assets) internal override {
        uint128 held = liquidity;
        int24 twap = _twapTick();
        if (held > 0) {
            uint256 deployed = _deployedAssets();
            uint128 share = deployed <= assets ? held : Math.mulDiv(held, assets, deployed, Math.Rounding.Ceil).toUint128();
            _removeLiquidity(share);
        }
        uint256 paired = pairedToken.balanceOf(address(this));
        if (paired == 0) return;
        bool zeroForOne = !assetIsToken0;
        int24 limitTick = zeroForOne ? twap - EXIT_PRICE_LIMIT_TICKS : twap + EXIT_PRICE_LIMIT_TICKS;
        if (limitTick < TickMath.MIN_TICK) limitTick = TickMath.MIN_TICK;
        if (limitTick > TickMath.MAX_TICK) limitTick = TickMath.MAX_TICK;
        uint160 limit = TickMath.sqrtPriceAtTick(limitTick);
        (uint160 sqrtSpot,,,,,,) = pool.slot0();
        // Already past the limit: nothing to sell at a price the TWAP can vouch for; the paired token stays.
        if (zeroForOne ? sqrtSpot <= limit : sqrtSpot >= limit) return;
        (int256 amount0, int256 amount1) = pool.swap(address(this), zeroForOne, paired.toInt256(), limit, "");
        emit Swapped(zeroForOne, uint256(zeroForOne ? amount0 : amount1), uint256(-(zeroForOne ? amount1 : amount0)), 0);
    }

    /// @notice Only the asset the strategy holds idle: anything in the range must be sold to be paid out.
    function liquidAssets() public view override returns (uint256) {
        return Math.min(IERC20(asset()).balanceOf(address(this)), _convertToAssets(balanceOf(vault), Math.Rounding.Floor));
    }

    /// @dev Position, uncollected fees and paired-token balance, all valued at the TWAP price.
    function _deployedAssets() internal view override returns (uint256) {
        return _deployedAt(_twapTick(), true);
    }

    /// @dev What is deployed, valued at `twap`; `withFees = false` skips the fee maths where none can be owed (right
    ///      after a mint that followed a full collect).
    function _deployedAt(int24 twap, bool withFees) internal view returns (uint256) {
        uint160 sqrtTwap = TickMath.sqrtPriceAtTick(twap);
        (uint256 amount0, uint256 amount1) = _positionAmounts(sqrtTwap);
        if (withFees) {
            (uint256 fees0, uint256 fees1) = _uncollectedFees();
            amount0 += fees0;
            amount1 += fees1;
        }
        uint256 paired = pairedToken.balanceOf(address(this));
        if (assetIsToken0) return amount0 + _quote(false, amount1 + paired, sqrtTwap);
        return amount1 + _quote(true, amount0 + paired, sqrtTwap);
    }

    function _valueAt(int24 twap, bool withFees) internal view returns (uint256) {
        return IERC20(asset()).balanceOf(address(this)) + _deployedAt(twap, withFees);
    }

    /// @dev Pokes the position so its fees are counted as owed, then collects them (liquidity stays in place).
    function _harvest() internal override {
        if (liquidity == 0) return;
        pool.burn(tickLower, tickUpper, 0);
        (uint128 amount0, uint128 amount1) =
            pool.collect(address(this), tickLower, tickUpper, type(uint128).max, type(uint128).max);
        emit Collected(amount0, amount1);
    }

    // ================================================================== internals

    /// @dev Tightening a guardrail needs the vault's curator or admin; loosening it needs the admin (the timelock).
    modifier onlyCuratorIf(bool tightens) {
        _authorise(tightens);
        _;
    }

    // One body for every setter: a modifier's code is copied into each function that uses it.
    function _authorise(bool tightens) internal view {
        IVaultAccess access = IVaultAccess(vault);
        bool admin = access.hasRole(access.DEFAULT_ADMIN_ROLE(), msg.sender);
        if (!(admin || (tightens && access.hasRole(access.CURATOR_ROLE(), msg.sender)))) revert Unauthorized(msg.sender);
    }

    function _checkRange(int24 lower, int24 upper) internal view {
        int24 spacing = tickSpacing;
        if (lower >= upper || lower % spacing != 0 || upper % spacing != 0 || lower < TickMath.MIN_TICK
                || upper > TickMath.MAX_TICK) revert InvalidRange(lower, upper);
        int24 width = upper - lower;
        if (width < minWidthTicks || width > maxWidthTicks) {
            revert RangeWidthOutOfBounds(width, minWidthTicks, maxWidthTicks);
        }
    }

    /// @dev The range must contain the TWAP tick, or sit at most `maxTwapDistanceTicks` beside it (Charm's rule):
    ///      a range placed just beyond a pushed spot is the drain a compromised keeper would use.
    function _checkNearTwap(int24 lower, int24 upper, int24 twap) internal view {
        int256 distance;
        if (twap < lower) distance = int256(lower) - int256(twap);
        else if (twap >= upper) distance = int256(twap) - int256(upper) + 1;
        if (uint256(distance) > maxTwapDistanceTicks) revert RangeAwayFromTwap(lower, upper, twap, maxTwapDistanceTicks);
    }

    function _checkDeviation(int24 spot, int24 twap) internal view {
        int256 gap = int256(spot) - int256(twap);
        if (gap < 0) gap = -gap;
        if (uint256(gap) > maxDeviationTicks) revert PriceDeviationExceeded(spot, twap, maxDeviationTicks);
    }

    function _twapTick() internal view returns (int24) {
        uint32 window = twapWindow;
        uint32[] memory secondsAgo = new uint32[](2);
        secondsAgo[0] = window;
        (int56[] memory cumulatives,) = pool.observe(secondsAgo);
        int56 delta = cumulatives[1] - cumulatives[0];
        int56 tick = delta / int56(uint56(window));
        // Solidity rounds towards zero; a mean tick rounds towards negative infinity, as the pool's own ticks do.
        if (delta < 0 && delta % int56(uint56(window)) != 0) tick--;
        return int24(tick);
    }

    /// @dev Swaps and checks the output against the stricter of the keeper's floor and the TWAP quote less the
    ///      slippage bound.
    function _swap(bool zeroForOne, uint256 amountIn, int24 twap, uint256 keeperMinOut) internal {
        uint256 minOut = Math.max(
            keeperMinOut, Math.mulDiv(_quote(zeroForOne, amountIn, TickMath.sqrtPriceAtTick(twap)), BPS - maxSlippageBps, BPS)
        );
        (int256 amount0, int256 amount1) = pool.swap(
            address(this),
            zeroForOne,
            amountIn.toInt256(),
            zeroForOne ? TickMath.MIN_SQRT_PRICE + 1 : TickMath.MAX_SQRT_PRICE - 1,
            ""
        );
        uint256 amountOut = uint256(-(zeroForOne ? amount1 : amount0));
        if (amountOut < minOut) revert SlippageExceeded(amountOut, minOut);
        emit Swapped(zeroForOne, amountIn, amountOut, minOut);
    }

    /// @dev What `amountIn` of token0 (`zeroForOne`) or token1 is worth in the other token at `sqrtPrice`.
    function _quote(bool zeroForOne, uint256 amountIn, uint160 sqrtPrice) internal pure returns (uint256) {
        if (amountIn == 0) return 0;
        return zeroForOne
            ? Math.mulDiv(Math.mulDiv(amountIn, sqrtPrice, Q96), sqrtPrice, Q96)
            : Math.mulDiv(Math.mulDiv(amountIn, Q96, sqrtPrice), Q96, sqrtPrice);
    }

    function _removeLiquidity(uint128 amount) internal {
        if (amount == 0) return;
        int24 lower = tickLower;
        int24 upper = tickUpper;
        liquidity -= amount;
        pool.burn(lower, upper, amount);
        (uint128 amount0, uint128 amount1) = pool.collect(address(this), lower, upper, type(uint128).max, type(uint128).max);
        emit Collected(amount0, amount1);
    }

    function _positionAmounts(uint160 sqrtPrice) internal view returns (uint256, uint256) {
        uint128 held = liquidity;
        if (held == 0) return (0, 0);
        return LiquidityAmounts.amountsForLiquidity(
            sqrtPrice, TickMath.sqrtPriceAtTick(tickLower), TickMath.sqrtPriceAtTick(tickUpper), held
        );
    }

    /// @dev Fees the position has earned and not collected: owed amounts plus growth since its last update.
    function _uncollectedFees() internal view returns (uint256 fees0, uint256 fees1) {
        int24 lower = tickLower;
        int24 upper = tickUpper;
        (uint128 held, uint256 last0, uint256 last1, uint128 owed0, uint128 owed1) =
            pool.positions(keccak256(abi.encodePacked(address(this), lower, upper)));
        fees0 = owed0;
        fees1 = owed1;
        if (held == 0) return (fees0, fees1);
        (uint256 inside0, uint256 inside1) = _feeGrowthInside(lower, upper);
        // Fee growth counters wrap by design (as in the pool): differences are taken modulo 2^256.
        unchecked {
            fees0 += Math.mulDiv(inside0 - last0, held, Q128);
            fees1 += Math.mulDiv(inside1 - last1, held, Q128);
        }
    }

    function _feeGrowthInside(int24 lower, int24 upper) internal view returns (uint256 inside0, uint256 inside1) {
        (, int24 tick,,,,,) = pool.slot0();
        (,, uint256 lower0, uint256 lower1,,,,) = pool.ticks(lower);
        (,, uint256 upper0, uint256 upper1,,,,) = pool.ticks(upper);
        uint256 global0 = pool.feeGrowthGlobal0X128();
        uint256 global1 = pool.feeGrowthGlobal1X128();
        unchecked {
            uint256 below0 = tick >= lower ? lower0 : global0 - lower0;
            uint256 below1 = tick >= lower ? lower1 : global1 - lower1;
            uint256 above0 = tick < upper ? upper0 : global0 - upper0;
            uint256 above1 = tick < upper ? upper1 : global1 - upper1;
            inside0 = global0 - below0 - above0;
            inside1 = global1 - below1 - above1;
        }
    }

    function _balances() internal view returns (uint256 balance0, uint256 balance1) {
        uint256 own = IERC20(asset()).balanceOf(address(this));
        uint256 paired = pairedToken.balanceOf(address(this));
        (balance0, balance1) = assetIsToken0 ? (own, paired) : (paired, own);
    }

    function _pay(uint256 amount0, uint256 amount1) internal {
        IERC20 token0 = assetIsToken0 ? IERC20(asset()) : pairedToken;
        IERC20 token1 = assetIsToken0 ? pairedToken : IERC20(asset());
        if (amount0 > 0) token0.safeTransfer(msg.sender, amount0);
        if (amount1 > 0) token1.safeTransfer(msg.sender, amount1);
    }
}
