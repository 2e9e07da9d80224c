// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {World} from "./World.sol";

/// @title Regressions
/// @notice Every counterexample the campaign found, pinned: the shrunk sequence replayed, then every property.
contract Regressions is World {
    /// @notice Found by the first campaign run: an adversarial re-range, an adversarial exit, then a deposit-exit-
    ///         redeem sandwich that made a profit. The cause was the harness: the keeper's exit waited an hour inside
    ///         the sandwich, so profit unlocked to the attacker legitimately. The sandwich now waits first. Reading
    ///         it showed a real hole beside it, fixed in the vault: an exit that realises more than a strategy's
    ///         valuation (a range unwound above its TWAP while worth less than its debt) moved the price at once;
    ///         a strategy is now reported before a full exit or a revoke, and what the exit realises is locked.
    function test_fullExitAboveValuation_sandwich() public {
        handler.rebalance(315036417055227926814667741, type(uint256).max);
        handler.adversarialRerange(false, 11478534690677496749357559152041318267460837281780732756129483558974);
        handler.adversarialExit(true);
        handler.sandwich(139661216742374692790017375031201633350, 5, type(uint256).max - 1);
        _allProperties();
    }
}
