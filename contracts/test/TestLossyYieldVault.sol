// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/interfaces/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {TestYieldVault} from "./TestYieldVault.sol";

/// @title TestLossyYieldVault
/// @notice Test double of a yield source that can take a loss (bad debt, an exploit), charge an exit fee or break:
///         OpenZeppelin's ERC-4626 plus an owner-only `slash` that sends assets away, an owner-set fixed fee taken
///         from each withdrawal, and an owner-set `broken` flag under which every valuation reverts. No real protocol
///         can be made to lose money or fail on demand on a local chain, so tests of the vault's loss and failure
///         handling use this.
contract TestLossyYieldVault is TestYieldVault, Ownable {
    using SafeERC20 for IERC20;

    /// @notice Fixed fee, in the asset, kept from every withdrawal and sent to the owner.
    uint256 public exitFee;
    /// @notice While set, `totalAssets` (and so every conversion and preview) reverts.
    bool public broken;

    /// @notice Thrown by every valuation while the source is broken.
    error SourceBroken();

    /// @param asset_ The underlying asset.
    constructor(IERC20 asset_) TestYieldVault(asset_, "Lossy Yield", "lyUSD") Ownable(msg.sender) {}

    /// @notice Sends `amount` of the asset to `to`, lowering every share's value: a realised loss.
    /// @param to Where the lost assets go.
    /// @param amount Assets lost.
    function slash(address to, uint256 amount) external onlyOwner {
        IERC20(asset()).safeTransfer(to, amount);
    }

    /// @notice Sets the fixed fee kept from each withdrawal.
    /// @param fee Fee in the asset's smallest unit.
    function setExitFee(uint256 fee) external onlyOwner {
        exitFee = fee;
    }

    /// @notice Breaks or mends the source: while broken, every valuation reverts.
    /// @param value Whether the source is broken.
    function setBroken(bool value) external onlyOwner {
        broken = value;
    }

    /// @notice The OpenZeppelin valuation, unless the source is broken.
    function totalAssets() public view override returns (uint256) {
        if (broken) revert SourceBroken();
        return super.totalAssets();
    }

    function _withdraw(address caller, address receiver, address owner_, uint256 assets, uint256 shares)
        internal
        override
    {
        uint256 fee = exitFee < assets ? exitFee : assets;
        super._withdraw(caller, receiver, owner_, assets - fee, shares);
        if (fee > 0) IERC20(asset()).safeTransfer(owner(), fee);
    }
}
