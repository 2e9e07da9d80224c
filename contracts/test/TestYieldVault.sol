// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/interfaces/IERC20.sol";

/// @title TestYieldVault
/// @notice OpenZeppelin's own ERC-4626, unmodified, used as an external yield source on local chains. Its yield
///         arrives the way interest really shows up: a transfer of the asset into the vault raises its share price.
///         It is also the "bare OpenZeppelin ERC-4626" that the gas benchmark compares our vault against.
contract TestYieldVault is ERC4626 {
    /// @param asset_ The underlying asset.
    /// @param name_ Share token name.
    /// @param symbol_ Share token symbol.
    constructor(IERC20 asset_, string memory name_, string memory symbol_) ERC20(name_, symbol_) ERC4626(asset_) {}
}
