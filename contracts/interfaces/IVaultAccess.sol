// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IVaultAccess
/// @notice The slice of the vault a strategy reads to authorise keeper calls: roles live in one place, the vault.
interface IVaultAccess {
    /// @notice Role identifier of the keeper (allocator).
    function KEEPER_ROLE() external view returns (bytes32);

    /// @notice Role identifier of the curator, who may tighten a strategy's guardrails at once.
    function CURATOR_ROLE() external view returns (bytes32);

    /// @notice Role identifier of the admin (the timelock), the only one who may loosen them.
    function DEFAULT_ADMIN_ROLE() external view returns (bytes32);

    /// @notice Whether `account` holds `role` on the vault (OpenZeppelin AccessControl).
    function hasRole(bytes32 role, address account) external view returns (bool);

    /// @notice Whether the vault is paused; strategies refuse keeper moves while it is.
    function paused() external view returns (bool);

    /// @notice Whether the vault was shut down; strategies refuse keeper moves after it is.
    function isShutdown() external view returns (bool);

    /// @notice Draws a keeper move's loss and turnover on the vault's rolling budget (reverts when it is spent).
    function spendBudget(uint256 loss, uint256 turnover) external;
}
