// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/interfaces/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IStrategy} from "../interfaces/IStrategy.sol";
import {IVaultAccess} from "../interfaces/IVaultAccess.sol";

/// @title BaseStrategy
/// @notice The generic half of every ALP strategy: an ERC-4626 whose only shareholder is the vault. A strategy author
///         writes four small hooks for the yield source (deploy funds, free funds, value what is deployed, harvest),
///         in the spirit of Yearn V3's tokenized strategies.
/// @dev Idle asset held by the strategy counts in `totalAssets()`. A donation to the strategy is therefore a gift to
///      the vault that reaches depositors only through the vault's harvest and its profit unlocking, so it cannot be
///      used to move the vault's share price within a block.
abstract contract BaseStrategy is ERC4626, ReentrancyGuardTransient, IStrategy {
    using SafeERC20 for IERC20;

    /// @inheritdoc IStrategy
    address public immutable vault;

    /// @param asset_ The asset the vault deposits (must be the vault's asset).
    /// @param vault_ The ALP vault allowed to hold shares.
    /// @param name_ Share token name.
    /// @param symbol_ Share token symbol.
    constructor(IERC20 asset_, address vault_, string memory name_, string memory symbol_)
        ERC20(name_, symbol_)
        ERC4626(asset_)
    {
        vault = vault_;
    }

    // ---------------------------------------------------------------- access

    modifier onlyVault() {
        if (msg.sender != vault) revert OnlyVault();
        _;
    }

    /// @dev Keeper moves on a strategy (e.g. re-ranging a position) need the vault's keeper role and a vault neither
    ///      paused nor shut down.
    modifier onlyKeeper() {
        _checkKeeper();
        _;
    }

    function _checkKeeper() internal view {
        IVaultAccess access = IVaultAccess(vault);
        if (!access.hasRole(access.KEEPER_ROLE(), msg.sender)) revert OnlyKeeper();
        if (access.paused()) revert VaultPaused();
        if (access.isShutdown()) revert VaultShutdown();
    }

    // ---------------------------------------------------------------- hooks for strategy authors

    /// @dev Puts `assets` (already held by the strategy) to work. May leave some idle.
    function _deployFunds(uint256 assets) internal virtual;

    /// @dev Tries to make `assets` more of the asset liquid in the strategy. Returning with less is allowed: the
    ///      shortfall is passed to the vault as a realised loss, which the vault bounds.
    function _freeFunds(uint256 assets) internal virtual;

    /// @dev Value, in the asset, of everything deployed (not counting idle asset). Must resist flash manipulation.
    function _deployedAssets() internal view virtual returns (uint256);

    /// @dev Collects fees or rewards. Default: nothing to collect (e.g. interest that accrues in a share price).
    function _harvest() internal virtual {}

    /// @dev How much of the deployed value can be freed right now. Default: all of it.
    function _freeableAssets() internal view virtual returns (uint256) {
        return _deployedAssets();
    }

    // ---------------------------------------------------------------- ERC-4626

    /// @notice Idle asset plus the value of what is deployed.
    function totalAssets() public view virtual override(ERC4626, IERC4626) returns (uint256) {
        return IERC20(asset()).balanceOf(address(this)) + _deployedAssets();
    }

    /// @notice Unlimited for the vault, zero for everyone else: only the vault may hold shares.
    function maxDeposit(address receiver) public view virtual override(ERC4626, IERC4626) returns (uint256) {
        return receiver == vault ? type(uint256).max : 0;
    }

    /// @notice Unlimited for the vault, zero for everyone else.
    function maxMint(address receiver) public view virtual override(ERC4626, IERC4626) returns (uint256) {
        return receiver == vault ? type(uint256).max : 0;
    }

    /// @notice The owner's assets, limited by what can be made liquid now.
    function maxWithdraw(address owner) public view virtual override(ERC4626, IERC4626) returns (uint256) {
        uint256 liquid = IERC20(asset()).balanceOf(address(this)) + _freeableAssets();
        return Math.min(_convertToAssets(balanceOf(owner), Math.Rounding.Floor), liquid);
    }

    /// @notice The owner's shares, limited by what can be made liquid now.
    /// @dev All shares when everything they are worth is liquid: converting assets back to shares rounds down and
    ///      would otherwise leave one share the vault could never redeem, blocking a full exit.
    function maxRedeem(address owner) public view virtual override(ERC4626, IERC4626) returns (uint256) {
        uint256 shares = balanceOf(owner);
        uint256 liquid = IERC20(asset()).balanceOf(address(this)) + _freeableAssets();
        if (_convertToAssets(shares, Math.Rounding.Floor) <= liquid) return shares;
        return _convertToShares(liquid, Math.Rounding.Floor);
    }

    /// @inheritdoc IStrategy
    /// @dev Default: whatever {maxWithdraw} allows, for sources that pay out exactly (e.g. an ERC-4626 lender).
    function liquidAssets() public view virtual returns (uint256) {
        return maxWithdraw(vault);
    }

    /// @inheritdoc IStrategy
    function harvest() external onlyVault nonReentrant returns (uint256 assets) {
        _harvest();
        assets = totalAssets();
        emit Harvested(assets);
    }

    function _deposit(address caller, address receiver, uint256 assets, uint256 shares)
        internal
        virtual
        override
        nonReentrant
    {
        if (caller != vault) revert OnlyVault();
        // A donation made before the first deposit could round the vault's shares to zero and strand its assets.
        if (shares == 0) revert ZeroShares();
        super._deposit(caller, receiver, assets, shares);
        _deployFunds(assets);
    }

    /// @dev Frees what is missing, then pays out what actually became liquid, which may be less than `assets`: the
    ///      vault measures what arrived and treats the difference as a realised loss under its own bounds.
    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        virtual
        override
        nonReentrant
    {
        if (caller != vault) revert OnlyVault();
        _burn(owner, shares);
        IERC20 token = IERC20(asset());
        uint256 liquid = token.balanceOf(address(this));
        if (liquid < assets) {
            _freeFunds(assets - liquid);
            liquid = token.balanceOf(address(this));
        }
        uint256 paid = Math.min(assets, liquid);
        token.safeTransfer(receiver, paid);
        emit Withdraw(caller, receiver, owner, paid, shares);
    }
}
