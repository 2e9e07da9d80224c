"""Where the shipped market data lives: `../shared/data` beside the checkout unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA_ENV = "ALP_DATA"
REPLAY_POOL = "polygon-usdc-weth-500"


def data_root(explicit: str | Path | None = None) -> Path:
    """The data folder: an explicit path, else $ALP_DATA, else ../shared/data next to the repository."""
    root = Path(explicit or os.environ.get(DATA_ENV) or REPO.parent / "shared" / "data")
    if not (root / "uniswap-v3").is_dir():
        raise FileNotFoundError(
            f"no market data at {root}: pass --data PATH or set {DATA_ENV} to a folder laid out like shared/data"
        )
    return root
