// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/interfaces/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {BaseStrategy} from "./BaseStrategy.sol";

/// @title ERC4626Adapter
/// @notice Lends the vault's asset to any ERC-4626 vault (a lending market, a yield aggregator). Interest accrues in
///         the target's share price, so there is nothing to harvest: the ALP vault's report reads the new value.
/// @dev [CAUTION] The adapter values its position at the target's own `convertToAssets`. A target whose share price
///      can be pushed up within a block (e.g. by a donation) would let that gain be reported; the ALP vault only
///      unlocks reported profit over time, which removes the incentive to do so.
contract ERC4626Adapter is BaseStrategy {
    using SafeERC20 for IERC20;

    /// @notice The ERC-4626 vault the asset is lent to.
    IERC4626 public immutable target;

    /// @notice Thrown when the target vault's asset is not the strategy's asset.
    error AssetMismatch(address expected, address actual);

    /// @param target_ The ERC-4626 yield source; its asset must equal `asset_`.
    /// @param asset_ The ALP vault's asset.
    /// @param vault_ The ALP vault.
    /// @param name_ Share token name.
    /// @param symbol_ Share token symbol.
    constructor(IERC4626 target_, IERC20 asset_, address vault_, string memory name_, string memory symbol_)
        BaseStrategy(asset_, vault_, name_, symbol_)
    {
        if (target_.asset() != address(asset_)) revert AssetMismatch(address(asset_), target_.asset());
        target = target_;
        // One approval for the adapter's life instead of one per deposit: the target is fixed and trusted by the
        // admin who added this strategy through the timelock.
        asset_.forceApprove(address(target_), type(uint256).max);
    }

    function _deployFunds(uint256 assets) internal override {
        target.deposit(assets, address(this));
    }

    function _freeFunds(uint256 assets) internal override {
        uint256 available = target.maxWithdraw(address(this));
        uint256 amount = Math.min(assets, available);
        if (amount > 0) target.withdraw(amount, address(this), address(this));
    }

    function _deployedAssets() internal view override returns (uint256) {
        return target.convertToAssets(target.balanceOf(address(this)));
    }

    function _freeableAssets() internal view override returns (uint256) {
        return Math.min(target.maxWithdraw(address(this)), _deployedAssets());
    }
}
