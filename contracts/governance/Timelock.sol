// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title Timelock
/// @notice The vault's admin: OpenZeppelin's TimelockController, unmodified. Everything that loosens risk (new
///         strategies, higher caps, looser guardrails, fees, roles) waits `minDelay` here, so depositors can leave
///         before a change they disagree with takes effect.
contract Timelock is TimelockController {
    /// @param minDelay Seconds between scheduling and executing an operation (1 day minimum in production).
    /// @param proposers Accounts that may schedule (and cancel) operations.
    /// @param executors Accounts that may execute ready operations (`address(0)` lets anyone execute).
    /// @param admin Optional bootstrap admin of the timelock itself (`address(0)` for none).
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
