"""The keeper's store on SQLite and on PostgreSQL: the same Alembic migrations, the same answers."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

from keeper.store import Store
from keeper.store.migrations import LEGACY_REVISIONS, current, head
from keeper.store.store import IN_FLIGHT, StoreError

BIG_FEE = 3 * 10**12  # a max fee in wei: past 2**31, as every real one is
GAS = 2_500_000_000  # past 2**31 summed over a few transactions


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    with engine.connect() as conn:
        revision = current(conn)
    engine.dispose()
    return revision


def test_store__new__migrated_to_head_and_reopened_unchanged(store_url):
    Store(store_url)
    assert _revision(store_url) == head() == "0003"
    engine = create_engine(store_url)
    assert {"observations", "decisions", "plans", "transactions"} <= set(inspect(engine).get_table_names())
    assert {"approved_by", "chain_id"} <= {c["name"] for c in inspect(engine).get_columns("plans")}
    engine.dispose()
    Store(store_url).add_plan("p", "0xv", "rebalance", {}, "planned", [], 0.0, 0.0)
    assert Store(store_url).plan("p")["state"] == "planned"


def test_store__plan_lifecycle__states_counts_transactions_and_gas(store_url):
    store = Store(store_url)
    store.add_plan("a", "0xVault", "rebalance", {"targets": [1, 2]}, "planned", ["why"], 12.5, 1.25)
    store.add_plan("b", "0xVault", "rerange", {}, "awaiting_approval", ["wait"], 3.0, 0.5)
    store.add_plan("c", "0xVault", "rebalance", {}, "signed", [], 1.0, 0.1, chain_id=10)
    store.add_plan("d", "0xVault", "rebalance", {}, "signed", [], 1.0, 0.1, chain_id=42161)
    # One vault address on two chains: each chain's keeper resumes only its own in-flight plans.
    assert [p["id"] for p in store.plans(IN_FLIGHT, vault="0xVault", chain_id=10)] == ["c"]
    store.update_plan("c", state="failed")
    store.update_plan("d", state="failed")
    store.update_plan("a", state="signed", nonce=7, raw_tx="0xraw", approved_by="carol")
    assert [p["id"] for p in store.plans(IN_FLIGHT)] == ["a"]
    store.record_transaction("a", "0xABCdef", 7, BIG_FEE, "sent")
    store.update_plan("a", state="sent", tx_hash="0xABCdef")
    store.update_transaction("0xABCdef", "confirmed", block=10, gas_used=GAS)
    store.update_plan("a", state="confirmed")
    store.record_transaction("b", "0x0101", 8, BIG_FEE, "sent")
    store.update_transaction("0x0101", "reverted", block=11, gas_used=GAS, revert_reason="TurnoverExceeded(1, 0)")
    plan = store.plan("a")
    assert plan["body"] == {"targets": [1, 2]} and plan["reasons"] == ["why"] and plan["approved_by"] == "carol"
    assert plan["expected_gain"] == pytest.approx(12.5) and plan["nonce"] == 7
    assert store.plan_counts() == {"confirmed": 1, "awaiting_approval": 1, "failed": 2}
    assert store.gas_used_total() == 2 * GAS
    [tx] = store.transactions("a")
    assert tx["max_fee"] == BIG_FEE and tx["status"] == "confirmed" and tx["block"] == 10
    assert store.reasons_for_transaction("0xabcDEF") == ["why"], "transaction hashes match whatever their case"
    assert store.plan_for_transaction("0xabcdef")["id"] == "a"
    assert store.plan_for_transaction("0xffff") is None
    with pytest.raises(ValueError, match="cannot update plan fields"):
        store.update_plan("a", vault="0xother")


def test_store__observations_and_decisions__newest_last_and_limited(store_url):
    store = Store(store_url)
    for t in (30, 10, 20):
        store.record_observation("c1", t, "pool", "0xPool", {"tick": t})
    store.record_observation("c1", 5, "pool", "0xOther", {"tick": 0})
    store.record_observation("c2", 40, "pool", "0xPool", {"tick": 99}, chain_id=42161)
    store.record_observation("c3", 50, "pool", "0xPool", {"tick": 7}, chain_id=10)
    # The same pool address on two chains: each chain's keeper reads its own history (and the chainless rows).
    assert [o["t"] for o in store.observations("0xPool", chain_id=10)] == [10, 20, 30, 50]
    assert [o["t"] for o in store.observations("0xPool", chain_id=42161)] == [10, 20, 30, 40]
    store.record_observation("c4", 60, "pool", "0xPool3", {"tick": 1})
    store.record_observation("c4", 60, "pool", "0xPool3", {"tick": 2})
    assert [o["tick"] for o in store.observations("0xPool3")] == [1, 2]
    assert store.observations("0xPool", limit=2) == [{"t": 40, "tick": 99}, {"t": 50, "tick": 7}]
    store.record_decision("c1", 1, "0xv", {"x": 1}, {"s": 0.5}, None, "no-action", ["calm"])
    store.record_decision("c2", 2, "0xv", {}, {}, "a", "planned", ["move"])
    assert [d["outcome"] for d in store.decisions()] == ["planned", "no-action"]
    assert store.decisions(limit=1)[0]["scores"] == {}


def test_store__written_by_a_newer_keeper__refused_in_one_line(store_url):
    Store(store_url)
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    with pytest.raises(StoreError, match="revision 0099 is newer than this keeper") as refused:
        Store(store_url)
    assert "\n" not in str(refused.value)


# The first keeper release's hand-rolled schema (v1), as an old store holds it on disk (SQLite only: no release
# before Alembic could write PostgreSQL).
_V1 = ["""CREATE TABLE observations (id INTEGER PRIMARY KEY AUTOINCREMENT, cycle_id TEXT NOT NULL, t INTEGER NOT NULL,
          kind TEXT NOT NULL, address TEXT NOT NULL, data TEXT NOT NULL)""",
       "CREATE INDEX observations_address_t ON observations (address, t)",
       """CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, cycle_id TEXT NOT NULL, t INTEGER NOT NULL,
          vault TEXT NOT NULL, inputs TEXT NOT NULL, scores TEXT NOT NULL, plan_id TEXT, outcome TEXT NOT NULL,
          reasons TEXT NOT NULL)""",
       """CREATE TABLE plans (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, vault TEXT NOT NULL, kind TEXT NOT NULL,
          body TEXT NOT NULL, state TEXT NOT NULL, reasons TEXT NOT NULL, expected_gain REAL NOT NULL,
          cost REAL NOT NULL, nonce INTEGER, tx_hash TEXT, raw_tx TEXT, error TEXT, updated_at INTEGER NOT NULL)""",
       """CREATE TABLE transactions (id INTEGER PRIMARY KEY AUTOINCREMENT, plan_id TEXT NOT NULL, tx_hash TEXT NOT NULL,
          nonce INTEGER NOT NULL, max_fee INTEGER NOT NULL, sent_at INTEGER NOT NULL, status TEXT NOT NULL,
          block INTEGER, gas_used INTEGER, revert_reason TEXT)""",
       "CREATE TABLE schema_version (version INTEGER NOT NULL)", "INSERT INTO schema_version (version) VALUES (1)"]


def test_store__hand_rolled_v1_sqlite_store__stamped_and_upgraded_keeping_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in _V1:
            conn.execute(text(statement))
        conn.execute(text("INSERT INTO plans (id, created_at, vault, kind, body, state, reasons, expected_gain, cost, "
                          "updated_at) VALUES ('p', 0, 'v', 'rebalance', '{}', 'confirmed', '[]', 0, 0, 0)"))
    engine.dispose()
    store = Store(url)
    assert store.plan("p")["state"] == "confirmed"
    store.update_plan("p", approved_by="alice")  # a column of revision 0002
    assert store.plan("p")["approved_by"] == "alice"
    assert _revision(url) == head()
    assert "schema_version" not in inspect(create_engine(url)).get_table_names()
    assert LEGACY_REVISIONS[1] == "0001"


def test_store__unreachable_or_malformed_url__one_line_without_the_password(tmp_path):
    with pytest.raises(StoreError) as unreachable:
        Store("postgresql+psycopg://keeper:s3cret-pass@127.0.0.1:1/alp")
    message = str(unreachable.value)
    assert "cannot open the keeper store" in message and "s3cret-pass" not in message and "\n" not in message
    with pytest.raises(StoreError, match="not a database URL"):
        Store("not a url at all")
