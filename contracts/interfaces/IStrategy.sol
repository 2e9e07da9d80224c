// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @title IStrategy
/// @notice What the ALP vault needs from a strategy: an ERC-4626 whose only depositor is the vault, plus a harvest
///         hook. Any yield source plugs in through this one shape; the Uniswap V3 strategy is not a special case.
/// @dev The vault values its position as `convertToAssets(balanceOf(vault))`, so `totalAssets()` must be honest and
///      must not be movable by a flash manipulation (value at a TWAP, not at spot, where a pool price is involved).
interface IStrategy is IERC4626 {
    /// @notice Emitted when the strategy realised rewards or fees and re-stated its assets.
    /// @param totalAssets The strategy's total assets after the harvest.
    event Harvested(uint256 totalAssets);

    /// @notice Thrown when anyone but the vault deposits, mints, withdraws or redeems.
    error OnlyVault();
    /// @notice Thrown when a keeper-only strategy function is called by an account without the vault's keeper role.
    error OnlyKeeper();
    /// @notice Thrown when keeper moves are attempted while the vault is paused.
    error VaultPaused();
    /// @notice Thrown when keeper moves are attempted after the vault was shut down.
    error VaultShutdown();
    /// @notice Thrown when a deposit would mint zero shares (a donation made the first deposit round to nothing).
    error ZeroShares();

    /// @notice The ALP vault this strategy serves; the only account allowed to hold its shares.
    function vault() external view returns (address);

    /// @notice Asset the strategy can pay the vault right now at no loss against its valuation: no swap, no unwinding
    ///         at a market price. The vault's loss-free exits (the ERC-4626 `withdraw`/`redeem`) pull only this much.
    function liquidAssets() external view returns (uint256);

    /// @notice Collects fees or rewards and re-states the strategy's assets. Only the vault calls it, from its own
    ///         `harvest`, so that profit is reported and then unlocked to depositors over time.
    /// @return totalAssets The strategy's total assets after the harvest.
    function harvest() external returns (uint256 totalAssets);
}
