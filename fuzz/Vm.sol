// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Vm
/// @notice The few Foundry cheatcodes the campaign uses, declared here (there is no forge-std on npm).
interface Vm {
    function warp(uint256 timestamp) external;
    function roll(uint256 blockNumber) external;
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function readFile(string calldata path) external view returns (string memory);
    function parseJsonBytes(string calldata json, string calldata key) external pure returns (bytes memory);
    function snapshotState() external returns (uint256 id);
    function revertToState(uint256 id) external returns (bool ok);
    function label(address account, string calldata name) external;
}

/// @dev The cheatcode address every Foundry tool answers at.
Vm constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
