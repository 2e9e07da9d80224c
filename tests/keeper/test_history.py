"""Data loaders: every malformed file fails with one line naming the file, the line and the fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from keeper.localnet.data import data_root
from keeper.market.history import DataError, load_market, load_pool, resample

HEADER = "timestamp,netAmount0,netAmount1,closeTick,openTick,lowestTick,highestTick,inAmount0,inAmount1,currentLiquidity"
ROW = "{t},0,0,100,100,100,100,5,7,1000"
POOL_JSON = ('{"chain": "test", "pool": "0x0", "token0": {"symbol": "USDC", "decimals": 6}, '
             '"token1": {"symbol": "WETH", "decimals": 18}, "fee": 500}')


def _pool(tmp_path: Path, rows: list[str], header: str = HEADER, meta: str | None = POOL_JSON) -> Path:
    folder = tmp_path / "uniswap-v3" / "test-pool"
    folder.mkdir(parents=True)
    if meta is not None:
        (folder / "pool.json").write_text(meta)
    (folder / "2024-01-01.csv").write_text("\n".join([header, *rows]) + "\n")
    return folder


def test_shipped_data__loads_and_resamples():
    market = load_market(data_root())
    pool = market.pools["polygon-usdc-weth-500"]
    hourly = resample(pool.window(*pool.segments()[0]))
    assert len(hourly) == 35 * 24 and hourly.step == 3_600
    assert hourly.volume0.sum() == pytest.approx(pool.window(*pool.segments()[0]).volume0.sum())


@pytest.mark.parametrize("rows, header, meta, message", [
    (["2024-01-01 00:01:00,0,0,1,1,1,1,0,0,1", "2024-01-01 00:00:00,0,0,1,1,1,1,0,0,1"], HEADER, POOL_JSON,
     ":3: timestamps go backwards"),
    ([ROW.format(t="2024-01-01 00:00:00"), ROW.format(t="2024-01-01 00:00:00")], HEADER, POOL_JSON, ":3: duplicate minute"),
    (["2024-01-01 00:00:00,0,0,abc,1,1,1,0,0,1"], HEADER, POOL_JSON, ":2: closeTick = 'abc' is not a number"),
    (["2024-01-01 00:00:00,0,0"], "timestamp,netAmount0,netAmount1", POOL_JSON, ":1: missing column"),
    (["01/01/2024,0,0,1,1,1,1,0,0,1"], HEADER, POOL_JSON, ":2: timestamp '01/01/2024'"),
    ([ROW.format(t="2024-01-01 00:00:00")], HEADER, None, "pool.json: missing"),
])
def test_malformed_data__one_clear_line(tmp_path, rows, header, meta, message):
    folder = _pool(tmp_path, rows, header, meta)
    with pytest.raises(DataError) as error:
        load_pool(folder)
    text = str(error.value)
    assert message in text and "\n" not in text


def test_gaps__reported_not_filled(tmp_path):
    folder = _pool(tmp_path, [ROW.format(t="2024-01-01 00:00:00"), ROW.format(t="2024-01-01 03:00:00")])
    history = load_pool(folder)
    assert history.gaps == [(1704067200, 1704078000)]
    hourly = resample(history)
    assert len(hourly) == 4 and len(hourly.gaps) == 2  # hours 1 and 2 had no rows: zero volume, price carried
    assert hourly.volume0[1] == 0 and hourly.close_tick[1] == 100
