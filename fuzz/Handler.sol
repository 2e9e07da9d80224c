// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/interfaces/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IVault} from "../contracts/interfaces/IVault.sol";
import {IUniswapV3PoolLike} from "../contracts/interfaces/IUniswapV3PoolLike.sol";
import {Vault} from "../contracts/Vault.sol";
import {UniswapV3Strategy} from "../contracts/strategies/UniswapV3Strategy.sol";
import {ERC4626Adapter} from "../contracts/strategies/ERC4626Adapter.sol";
import {TestLossyYieldVault} from "../contracts/test/TestLossyYieldVault.sol";
import {TestToken} from "../contracts/test/TestToken.sol";
import {TickMath} from "../contracts/libraries/TickMath.sol";
import {Trader} from "./UniswapWorld.sol";
import {VM} from "./Vm.sol";

/// @title Handler
/// @notice The actions of the campaign: depositors (two honest, one attacker), an honest keeper, an adversarial keeper
///         with a partner who moves the pool, a trader, the curator, the guardian, the admin and time. Every action
///         bounds its inputs and swallows the vault's refusals (a guardrail saying no is the point); the promises the
///         contracts make are recorded as ghost variables the invariants read.
contract Handler {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant USDC = 1e6;
    uint256 internal constant MAX_DEPOSIT = 2_000_000 * USDC;
    int24 internal constant PUSH_TICKS = 95; // just inside the default deviation bound

    Vault public immutable vault;
    UniswapV3Strategy public immutable uni;
    ERC4626Adapter public immutable lend;
    TestLossyYieldVault public immutable source;
    TestToken public immutable usdc;
    TestToken public immutable weth;
    IUniswapV3PoolLike public immutable pool;
    Trader public immutable trader;
    Trader public immutable partner;
    address public immutable admin;

    address public constant KEEPER = address(0xBEEF01);
    address public constant CURATOR = address(0xBEEF02);
    address public constant GUARDIAN = address(0xBEEF03);
    address[3] public users = [address(0xA11CE), address(0xB0B), address(0xBAD)];
    uint256 internal constant ATTACKER = 2;

    // ------------------------------------------------------------------ ghosts

    /// @notice Calls that went through, by action name.
    mapping(bytes32 => uint256) public succeeded;
    /// @notice The same-block attacker's largest profit, and what it would be allowed (fees it could share).
    uint256 public worstSandwichExcess;
    /// @notice The loss of strategy value (at the TWAP) each keeper move caused, with its time.
    uint64[] public lossTimes;
    uint256[] public losses;
    /// @notice The largest gross assets seen: the budget's base is at most this.
    uint256 public maxGross;
    /// @notice What the partner made across all attacks, valued at each attack's TWAP (negative: it lost).
    int256 public partnerProfit;
    /// @notice Sum of keeper-move losses the partner could have captured.
    uint256 public keeperLossTotal;

    constructor(
        Vault vault_,
        UniswapV3Strategy uni_,
        ERC4626Adapter lend_,
        TestLossyYieldVault source_,
        TestToken usdc_,
        TestToken weth_,
        Trader trader_,
        Trader partner_,
        address admin_
    ) {
        vault = vault_;
        uni = uni_;
        lend = lend_;
        source = source_;
        usdc = usdc_;
        weth = weth_;
        pool = uni_.pool();
        trader = trader_;
        partner = partner_;
        admin = admin_;
    }

    // ------------------------------------------------------------------ depositors

    function deposit(uint8 who, uint256 amount) external {
        address user = users[who % 3];
        amount = bound(amount, 1, MAX_DEPOSIT);
        if (amount > vault.maxDeposit(user)) return;
        usdc.mint(user, amount);
        VM.startPrank(user);
        usdc.approve(address(vault), amount);
        vault.deposit(amount, user);
        VM.stopPrank();
        _count("deposit");
    }

    /// @notice The loss-free ERC-4626 exits, up to what the vault says they can take: they must succeed.
    function withdrawUpToMax(uint8 who, uint256 fraction, bool byShares) external {
        address user = users[who % 3];
        fraction = bound(fraction, 1, 100);
        VM.startPrank(user);
        if (byShares) {
            uint256 shares = vault.maxRedeem(user) * fraction / 100;
            if (shares > 0) vault.redeem(shares, user, user);
        } else {
            uint256 assets = vault.maxWithdraw(user) * fraction / 100;
            if (assets > 0) vault.withdraw(assets, user, user);
        }
        VM.stopPrank();
        _count("withdrawUpToMax");
    }

    /// @notice An exit that may unwind the range, at the depositor's own max loss.
    function redeemUnwinding(uint8 who, uint256 fraction, uint256 maxLossBps) external {
        address user = users[who % 3];
        uint256 shares = vault.balanceOf(user) * bound(fraction, 1, 100) / 100;
        if (shares == 0) return;
        VM.prank(user);
        try vault.redeem(shares, user, user, bound(maxLossBps, 0, BPS)) {
            _count("redeemUnwinding");
        } catch {}
    }

    /// @notice The attacker deposits, something happens in the same block, the attacker redeems everything.
    ///         In one block no profit unlocks and no interest accrues: anything it takes beyond rounding and its share
    ///         of what the strategies gained from outside in the middle was taken from the other depositors.
    function sandwich(uint256 amount, uint8 middle, uint256 seed) external {
        address attacker = users[ATTACKER];
        if (vault.balanceOf(attacker) > 0 || vault.paused() || vault.isShutdown()) return;
        amount = bound(amount, 1_000 * USDC, MAX_DEPOSIT);
        // Time passes before, never between: the keeper's intervals are met first, so the middle needs no warp.
        VM.warp(block.timestamp + Math.max(vault.minRebalanceInterval(), uni.minRangeInterval()));
        usdc.mint(attacker, amount);
        uint256 start = usdc.balanceOf(attacker);
        VM.startPrank(attacker);
        usdc.approve(address(vault), amount);
        vault.deposit(amount, attacker);
        VM.stopPrank();
        uint256 allowed = 10; // wei of rounding
        uint256 valueBefore = _value();
        middle = middle % 4;
        if (middle == 0) {
            _harvest(seed % 2 == 0);
        } else if (middle == 1) {
            _keeperFullExit(false);
        } else if (middle == 2) {
            allowed += _trade(seed % 2 == 0, seed);
        } else {
            _adversarialRerange(seed % 2 == 0, seed, false);
        }
        // What the strategies gained from outside in the middle (traders or the partner trading through the range
        // at prices away from the TWAP) is a real gain; while it only shrinks an unrealised loss it counts at once,
        // and the attacker, a shareholder at that moment, may keep its share of it. Nothing more.
        uint256 valueAfter = _value();
        if (valueAfter > valueBefore) {
            allowed += Math.mulDiv(valueAfter - valueBefore, vault.balanceOf(attacker), vault.totalSupply()) + 1;
        }
        VM.startPrank(attacker);
        uint256 shares = vault.balanceOf(attacker);
        try vault.redeem(shares, attacker, attacker, BPS) {} catch {
            // Stuck in the vault this block (e.g. nothing liquid at no loss): value the shares at the price instead.
            uint256 value = vault.previewRedeem(shares);
            VM.stopPrank();
            _recordSandwich(start, usdc.balanceOf(attacker) + value, allowed);
            return;
        }
        VM.stopPrank();
        _recordSandwich(start, usdc.balanceOf(attacker), allowed);
        _count("sandwich");
    }

    function _recordSandwich(uint256 start, uint256 end, uint256 allowed) internal {
        if (end > start + allowed && end - start - allowed > worstSandwichExcess) {
            worstSandwichExcess = end - start - allowed;
        }
    }

    // ------------------------------------------------------------------ keeper (honest)

    function rebalance(uint256 uniPercent, uint256 lendPercent) external {
        VM.warp(block.timestamp + vault.minRebalanceInterval());
        uint256 total = vault.totalAssets();
        IVault.Allocation[] memory targets = _targets(
            total * bound(uniPercent, 0, 60) / 100, total * bound(lendPercent, 0, 60) / 100
        );
        _keeperRebalance(targets);
    }

    function rerange(uint256 halfWidthSpacings, bool swapHalf) external {
        VM.warp(block.timestamp + uni.minRangeInterval());
        int24 spacing = pool.tickSpacing();
        int24 half = int24(int256(bound(halfWidthSpacings, 1, 200))) * spacing;
        int24 centre = (uni.twapTick() / spacing) * spacing;
        uint256 amount = swapHalf ? usdc.balanceOf(address(uni)) / 2 : 0;
        _keeperRerange(centre - half, centre + half, uni.assetIsToken0(), amount);
    }

    function harvest(bool ranged) external {
        _harvest(ranged);
    }

    // ------------------------------------------------------------------ keeper (adversarial) and its partner

    /// @notice Partner pushes the pool to the deviation bound; the keeper re-ranges into the narrowest range at the
    ///         TWAP, buying the paired token at the pushed price; the partner swaps back.
    function adversarialRerange(bool up, uint256 seed) external {
        _adversarialRerange(up, seed, true);
    }

    /// @notice Partner pushes the pool; the keeper unwinds the whole range into it; the partner swaps back.
    function adversarialExit(bool up) external {
        VM.warp(block.timestamp + vault.minRebalanceInterval());
        (, int24 home,,,,,) = pool.slot0();
        int24 twap = uni.twapTick();
        (int256 p0, int256 p1) = _push(twap + (up ? PUSH_TICKS : -PUSH_TICKS));
        _keeperFullExit(false);
        (int256 b0, int256 b1) = _push(home);
        _recordPartner(p0 + b0, p1 + b1, twap);
    }

    // ------------------------------------------------------------------ market, curator, guardian, admin, time

    function trade(bool zeroForOne, uint256 seed) external {
        _trade(zeroForOne, seed);
    }

    function interest(uint256 amount) external {
        usdc.mint(address(source), bound(amount, 1, 5_000 * USDC));
        _count("interest");
    }

    function badDebt(uint256 amount) external {
        uint256 held = usdc.balanceOf(address(source));
        if (held == 0) return;
        source.slash(address(0xDEAD), bound(amount, 1, held / 10 + 1));
        _count("badDebt");
    }

    function warp(uint256 seconds_) external {
        VM.warp(block.timestamp + bound(seconds_, 60, 2 days));
        _count("warp");
    }

    /// @notice The curator tightens a setting as far as it likes: exits must keep working.
    function curatorTightens(uint8 which, uint256 value) external {
        VM.startPrank(CURATOR);
        which = which % 6;
        if (which == 0) uni.setMaxSlippageBps(uint16(bound(value, 0, uni.maxSlippageBps())));
        else if (which == 1) uni.setMaxDeviationTicks(uint24(bound(value, 0, uni.maxDeviationTicks())));
        else if (which == 2) uni.setMaxRangeLossBps(uint16(bound(value, 0, uni.maxRangeLossBps())));
        else if (which == 3) vault.setLossBudgetBps(bound(value, 0, vault.lossBudgetBps()));
        else if (which == 4) vault.setMaxRebalanceLossBps(bound(value, 0, vault.maxRebalanceLossBps()));
        else vault.setMinIdleBps(bound(value, vault.minIdleBps(), BPS));
        VM.stopPrank();
        _count("curatorTightens");
    }

    function guardianPauses() external {
        VM.prank(GUARDIAN);
        vault.pause();
        _count("pause");
    }

    function adminUnpauses() external {
        VM.prank(admin);
        vault.unpause();
        _count("unpause");
    }

    // ------------------------------------------------------------------ views for the invariants

    function lossCount() external view returns (uint256) {
        return losses.length;
    }

    /// @notice Keeper-move losses within the last `window` seconds.
    function lossesWithin(uint256 window) external view returns (uint256 sum) {
        for (uint256 i = losses.length; i > 0; --i) {
            if (uint256(lossTimes[i - 1]) + window < block.timestamp) break;
            sum += losses[i - 1];
        }
    }

    // ------------------------------------------------------------------ internals

    function _adversarialRerange(bool up, uint256 seed, bool waitFirst) internal {
        if (waitFirst) VM.warp(block.timestamp + uni.minRangeInterval());
        (, int24 home,,,,,) = pool.slot0();
        int24 twap = uni.twapTick();
        (int256 p0, int256 p1) = _push(twap + (up ? PUSH_TICKS : -PUSH_TICKS));
        int24 spacing = pool.tickSpacing();
        int24 width = uni.minWidthTicks();
        int24 base = _floorTo(twap, spacing);
        (int24 lower, int24 upper) = up ? (base, base + width) : (base + spacing - width, base + spacing);
        // Buy the paired token dear: sell part of the idle asset at the pushed price.
        uint256 amount = usdc.balanceOf(address(uni)) * bound(seed, 0, 100) / 100;
        _keeperRerange(lower, upper, uni.assetIsToken0(), amount);
        (int256 b0, int256 b1) = _push(home);
        _recordPartner(p0 + b0, p1 + b1, twap);
    }

    function _keeperRerange(int24 lower, int24 upper, bool zeroForOne, uint256 amountIn) internal {
        uint256 before = _value();
        VM.prank(KEEPER);
        try uni.rebalanceRange(UniswapV3Strategy.RangeMove(lower, upper, zeroForOne, amountIn, 0), type(uint256).max, 0)
        {
            _recordLoss(before, _value());
            _count("rerange");
        } catch {}
    }

    function _keeperFullExit(bool waitFirst) internal {
        if (waitFirst) VM.warp(block.timestamp + vault.minRebalanceInterval());
        IVault.Allocation[] memory targets = new IVault.Allocation[](1);
        targets[0] = IVault.Allocation(address(uni), 0);
        _keeperRebalance(targets);
    }

    function _keeperRebalance(IVault.Allocation[] memory targets) internal {
        uint256 before = _value();
        VM.prank(KEEPER);
        try vault.rebalance(targets, type(uint256).max, 0) {
            _recordLoss(before, _value());
            _count("rebalance");
        } catch {}
    }

    function _harvest(bool ranged) internal {
        VM.prank(KEEPER);
        try vault.harvest(ranged ? address(uni) : address(lend), type(uint256).max) {
            _count("harvest");
        } catch {}
    }

    /// @return fee The pool fee the trade paid, in the asset at the TWAP: an upper bound on what any LP earned.
    function _trade(bool zeroForOne, uint256 seed) internal returns (uint256 fee) {
        bool inIsUsdc = zeroForOne == (pool.token0() == address(usdc));
        uint256 amount = inIsUsdc ? bound(seed, 1_000 * USDC, 500_000 * USDC) : bound(seed, 1e17, 250e18);
        try trader.swap(zeroForOne, amount) {
            _count("trade");
        } catch {}
        uint256 inUsdc = inIsUsdc ? amount : _wethToUsdc(amount, uni.twapTick());
        return inUsdc * pool.fee() / 1e6 + 1;
    }

    function _push(int24 target) internal returns (int256 amount0, int256 amount1) {
        try partner.moveTo(target, 1e30) returns (int256 a0, int256 a1) {
            return (a0, a1);
        } catch {}
    }

    /// @dev The partner's take over one attack: minus what it paid in, at the attack's TWAP.
    function _recordPartner(int256 delta0, int256 delta1, int24 twap) internal {
        (int256 dUsdc, int256 dWeth) = pool.token0() == address(usdc) ? (delta0, delta1) : (delta1, delta0);
        int256 wethValue = dWeth >= 0
            ? int256(_wethToUsdc(uint256(dWeth), twap))
            : -int256(_wethToUsdc(uint256(-dWeth), twap));
        partnerProfit -= dUsdc + wethValue;
    }

    function _recordLoss(uint256 before, uint256 afterMove) internal {
        if (afterMove >= before) return;
        losses.push(before - afterMove);
        lossTimes.push(uint64(block.timestamp));
        keeperLossTotal += before - afterMove;
    }

    /// @dev Everything the vault owns, valued as its strategies value it (TWAP for the range).
    function _value() internal returns (uint256) {
        uint256 gross = vault.totalIdle() + vault.totalDebt();
        if (gross > maxGross) maxGross = gross;
        return vault.totalIdle() + uni.convertToAssets(uni.balanceOf(address(vault)))
            + lend.convertToAssets(lend.balanceOf(address(vault)));
    }

    function _wethToUsdc(uint256 amount, int24 twap) internal view returns (uint256) {
        uint256 sqrtP = uint256(TickMath.sqrtPriceAtTick(twap));
        // price = token1 per token0 = (sqrtP / 2^96)^2
        if (pool.token0() == address(weth)) return Math.mulDiv(Math.mulDiv(amount, sqrtP, 1 << 96), sqrtP, 1 << 96);
        return Math.mulDiv(Math.mulDiv(amount, 1 << 96, sqrtP), 1 << 96, sqrtP);
    }

    function _targets(uint256 uniTarget, uint256 lendTarget) internal view returns (IVault.Allocation[] memory t) {
        t = new IVault.Allocation[](2);
        (address a, uint256 x, address b, uint256 y) = address(uni) < address(lend)
            ? (address(uni), uniTarget, address(lend), lendTarget)
            : (address(lend), lendTarget, address(uni), uniTarget);
        t[0] = IVault.Allocation(a, x);
        t[1] = IVault.Allocation(b, y);
    }

    function _floorTo(int24 tick, int24 spacing) internal pure returns (int24) {
        int24 q = tick / spacing;
        if (tick < 0 && tick % spacing != 0) q--;
        return q * spacing;
    }

    function _count(bytes32 name) internal {
        succeeded[name] += 1;
    }

    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (hi <= lo) return lo;
        return lo + x % (hi - lo + 1);
    }
}

