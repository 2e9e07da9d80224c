"""Where the market data lives: the repository's own `data/` folder (real history with its licences; see
`data/README.md`) unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHIPPED_DATA = REPO / "data"
DATA_ENV = "ALP_DATA"
REPLAY_POOL = "polygon-usdc-weth-500"


def data_root(explicit: str | Path | None = None) -> Path:
    """The data folder: an explicit path, else $ALP_DATA, else the repository's `data/`."""
    root = Path(explicit or os.environ.get(DATA_ENV) or SHIPPED_DATA)
    if not (root / "uniswap-v3").is_dir():
        raise FileNotFoundError(
            f"no market data at {root}: pass --data PATH or set {DATA_ENV} to a folder laid out like the "
            f"repository's data/ (uniswap-v3/<pool>/pool.json and day files)"
        )
    return root
