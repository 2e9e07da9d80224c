"""The Ape settings every `alp` command runs with, wherever it is started.

Ape reads its configuration from the current folder's project. Started outside the ALP checkout, `alp demo` would
otherwise get ape-foundry's defaults (connect to whatever listens on 127.0.0.1:8545, a user's own node included),
and a chain given by RPC URL (Ape's `custom` network) would send transactions with the node's bare gas estimate,
which anvil gets wrong for calls with callbacks (`EVM error ReentrancySentryOOG` on a position mint).
The checkout's `ape-config.yaml` carries the same values (a test keeps the two equal).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# Gas estimates are raised by this factor for chains given by RPC URL: a little gas, against a failed transaction.
URL_NETWORK_GAS_MULTIPLIER = 1.3

# Base-fee multiplier on the L2s ALP deploys to: their base fee can jump within a few blocks, and a transaction
# priced at Ape's default (1.4x the current base fee) waits; elsewhere Ape's default stands.
L2_BASE_FEE_MULTIPLIER = 2.0

RUNTIME_SETTINGS: dict[str, Any] = {
    "foundry": {
        # A free port of our own: never attach to (and deploy onto) a node the user runs on the default port.
        "host": "auto",
        "evm_version": "cancun",
        # Keeper and demo tests advance time by days; anvil's default block gas limit is fine for our deployments.
        "gas_limit": 30_000_000,
    },
    "ethereum": {
        # Ape's defaults for a chain given by URL, except the gas: a named network entry would otherwise also
        # wait for 2 confirmations, which a node mining on demand (anvil) never gives.
        "custom": {"gas_limit": {"auto": {"multiplier": URL_NETWORK_GAS_MULTIPLIER}}, "required_confirmations": 0},
    },
    **{l2: {"mainnet": {"base_fee_multiplier": L2_BASE_FEE_MULTIPLIER}} for l2 in ("base", "arbitrum", "optimism")},
}
CONFIG_FILES = ("ape-config.yaml", "ape-config.yml")


def _user_config(folder: Path) -> dict[str, Any]:
    for name in CONFIG_FILES:
        path = folder / name
        if path.is_file():
            return yaml.safe_load(path.read_text()) or {}
    return {}


def missing_settings(folder: Path) -> dict[str, Any]:
    """ALP's runtime settings that the Ape project in `folder` does not set itself (a user's own choices win)."""
    own = _user_config(folder)
    return {key: value for key, value in RUNTIME_SETTINGS.items() if key not in own}


def apply() -> None:
    """Gives the current Ape project ALP's runtime settings where it has none of its own."""
    from ape import project

    extra = missing_settings(Path(project.path))
    if extra:
        project.reconfigure(**extra)
