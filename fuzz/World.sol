// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Vault} from "../contracts/Vault.sol";
import {UniswapV3Strategy} from "../contracts/strategies/UniswapV3Strategy.sol";
import {ERC4626Adapter} from "../contracts/strategies/ERC4626Adapter.sol";
import {IUniswapV3PoolLike} from "../contracts/interfaces/IUniswapV3PoolLike.sol";
import {TestLossyYieldVault} from "../contracts/test/TestLossyYieldVault.sol";
import {TestToken} from "../contracts/test/TestToken.sol";
import {Handler} from "./Handler.sol";
import {Trader, UniswapWorld} from "./UniswapWorld.sol";
import {VM} from "./Vm.sol";

/// @title World
/// @notice The campaign's world: the real Vault, UniswapV3Strategy and ERC4626Adapter on the real Uniswap V3 pool
///         bytecode, the handler that acts on it, and the properties every state must have. The campaign checks them
///         after every random call; the regressions after each pinned counterexample.
abstract contract World {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant USDC = 1e6;
    /// @dev Rounding the books may lose per operation across the three ERC-4626 layers.
    uint256 internal constant DUST = 10;

    Handler internal handler;
    Vault internal vault;
    UniswapV3Strategy internal uni;
    ERC4626Adapter internal lend;
    TestToken internal usdc;
    uint256 internal lossBudgetBps;

    function setUp() public virtual {
        VM.warp(1_700_000_000);
        usdc = new TestToken("USD Coin", "USDC", 6);
        TestToken weth = new TestToken("Wrapped Ether", "WETH", 18);
        IUniswapV3PoolLike pool = UniswapWorld.deployPool(usdc, weth);

        Trader lp = new Trader(pool);
        Trader trader = new Trader(pool);
        Trader partner = new Trader(pool);
        for (uint256 i; i < 3; ++i) {
            address who = [address(lp), address(trader), address(partner)][i];
            usdc.mint(who, 1e15 * USDC);
            weth.mint(who, 1e12 * 1e18);
        }
        // Other LPs: a full-range position and a +-10 % band, so the pool is deep enough to trade against.
        (, int24 tick,,,,,) = pool.slot0();
        int24 spacing = pool.tickSpacing();
        lp.mint(-887_270, 887_270, 2e14);
        lp.mint((tick - 1_000) / spacing * spacing, (tick + 1_000) / spacing * spacing, 2e15);
        // A day of oracle history before anything is valued at the TWAP.
        for (uint256 i; i < 24; ++i) {
            VM.warp(block.timestamp + 1 hours);
            bool sellToken0 = i % 2 == 0;
            trader.swap(sellToken0, _small(sellToken0 == (pool.token0() == address(usdc))));
        }

        vault = new Vault(usdc, "ALP USDC", "alpUSDC", address(this), address(0xBEEF02), address(0xBEEF03),
            address(0xBEEF01), address(0xFEE));
        uni = new UniswapV3Strategy(pool, usdc, address(vault), "ALP WETH/USDC", "alpU");
        TestLossyYieldVault source = new TestLossyYieldVault(usdc);
        lend = new ERC4626Adapter(source, usdc, address(vault), "ALP lend", "alpL");
        vault.addStrategy(address(uni), type(uint128).max, 6_000);
        vault.addStrategy(address(lend), type(uint128).max, 6_000);
        vault.setFees(2_000, 100);
        vault.setMaxRebalanceLossBps(30);
        lossBudgetBps = vault.lossBudgetBps();

        // Other lenders' money in the lending market, so its share price is not the vault's alone.
        usdc.mint(address(this), 1_000_000 * USDC);
        usdc.approve(address(source), type(uint256).max);
        source.deposit(1_000_000 * USDC, address(this));

        handler = new Handler(vault, uni, lend, source, usdc, weth, trader, partner, address(this));
        usdc.transferOwnership(address(handler));
        source.transferOwnership(address(handler));
        // Someone is in the vault from the start.
        handler.deposit(0, 100_000 * USDC);
    }

    // ------------------------------------------------------------------ properties

    /// @notice The books balance to the wei: idle is held, debts add up, total assets follow their definition.
    function _booksBalance() internal view {
        uint256 idle = vault.totalIdle();
        uint256 debt = vault.totalDebt();
        require(usdc.balanceOf(address(vault)) >= idle, "idle not backed by tokens held");
        require(vault.strategies(address(uni)).currentDebt + vault.strategies(address(lend)).currentDebt == debt,
            "strategy debts do not add up to total debt");
        uint256 held = vault.lockedProfit() + vault.unrealisedLoss();
        require(vault.totalAssets() == (idle + debt > held ? idle + debt - held : 0), "total assets off its definition");
    }

    /// @notice A depositor in and out within one block takes nothing from the others.
    function _sameBlockAttackerTakesNothing() internal view {
        require(handler.worstSandwichExcess() == 0, "a same-block deposit and redeem made a profit");
    }

    /// @notice Whatever the keeper does, what its moves lose in any day stays within the rolling budget (a bucket:
    ///         at most its capacity plus what leaks back during the day).
    function _keeperDamageWithinBudget() internal view {
        uint256 budget = lossBudgetBps * handler.maxGross() / BPS;
        require(handler.lossesWithin(1 days) <= 2 * budget + DUST, "keeper moves lost more than the daily budget");
    }

    /// @notice The keeper's partner can take no more than the keeper's moves gave away.
    function _partnerTakesNoMoreThanTheKeeperLost() internal view {
        require(handler.partnerProfit() <= int256(handler.keeperLossTotal()) + int256(DUST),
            "the partner made more than the strategy lost");
    }

    /// @notice The ERC-4626 views tell the truth: withdraw(maxWithdraw) and redeem(maxRedeem) go through for every
    ///         depositor, paused or not, whatever the curator tightened.
    function _maxExitsSucceed() internal {
        for (uint256 i; i < 3; ++i) {
            address user = handler.users(i);
            uint256 assets = vault.maxWithdraw(user);
            uint256 shares = vault.maxRedeem(user);
            uint256 snapshot = VM.snapshotState();
            if (assets > 0) {
                VM.prank(user);
                try vault.withdraw(assets, user, user) {} catch {
                    revert("withdraw(maxWithdraw) reverted");
                }
            }
            VM.revertToState(snapshot);
            if (shares > 0) {
                VM.prank(user);
                try vault.redeem(shares, user, user) {} catch {
                    revert("redeem(maxRedeem) reverted");
                }
            }
            VM.revertToState(snapshot);
        }
    }

    function _allProperties() internal {
        _booksBalance();
        _sameBlockAttackerTakesNothing();
        _keeperDamageWithinBudget();
        _partnerTakesNoMoreThanTheKeeperLost();
        _maxExitsSucceed();
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A small swap that keeps the oracle written while history builds up.
    function _small(bool sellsUsdc) internal pure returns (uint256) {
        return sellsUsdc ? 10_000 * USDC : 5e18;
    }
}
