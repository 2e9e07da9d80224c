// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {World} from "./World.sol";

/// @title Campaign
/// @notice Foundry's invariant campaign: random sequences of the handler's actions (`make fuzz`: 10,000 sequences of
///         depth 50; `make test`: a short run), every property of the world checked after every call.
contract Campaign is World {
    /// @notice Forge fuzzes the handler's actions only.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice One campaign, every property after every call (one invariant function per property would run one
    ///         campaign each); the failure message names the property that broke.
    function invariant_everyProperty() public {
        _allProperties();
    }
}
