"""Schema migrations, applied in order at open: a store written by an older keeper is upgraded in place, and a
store written by a newer one is refused rather than misread."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, text


def _v1(conn: Connection) -> None:
    conn.execute(text("""CREATE TABLE observations (
        id INTEGER PRIMARY KEY AUTOINCREMENT, cycle_id TEXT NOT NULL, t INTEGER NOT NULL, kind TEXT NOT NULL,
        address TEXT NOT NULL, data TEXT NOT NULL)"""))
    conn.execute(text("CREATE INDEX observations_address_t ON observations (address, t)"))
    conn.execute(text("""CREATE TABLE decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, cycle_id TEXT NOT NULL, t INTEGER NOT NULL, vault TEXT NOT NULL,
        inputs TEXT NOT NULL, scores TEXT NOT NULL, plan_id TEXT, outcome TEXT NOT NULL, reasons TEXT NOT NULL)"""))
    conn.execute(text("""CREATE TABLE plans (
        id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, vault TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,
        state TEXT NOT NULL, reasons TEXT NOT NULL, expected_gain REAL NOT NULL, cost REAL NOT NULL,
        nonce INTEGER, tx_hash TEXT, raw_tx TEXT, error TEXT, updated_at INTEGER NOT NULL)"""))
    conn.execute(text("""CREATE TABLE transactions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, plan_id TEXT NOT NULL, tx_hash TEXT NOT NULL, nonce INTEGER NOT NULL,
        max_fee INTEGER NOT NULL, sent_at INTEGER NOT NULL, status TEXT NOT NULL, block INTEGER, gas_used INTEGER,
        revert_reason TEXT)"""))


def _v2(conn: Connection) -> None:
    # Approval mode records who approved each plan, for the audit trail.
    conn.execute(text("ALTER TABLE plans ADD COLUMN approved_by TEXT"))
    conn.execute(text("CREATE INDEX plans_state ON plans (state)"))


MIGRATIONS: list[Callable[[Connection], None]] = [_v1, _v2]
LATEST = len(MIGRATIONS)


def migrate(conn: Connection, target: int = LATEST) -> int:
    """Brings the schema to `target`; returns the version it was at."""
    conn.execute(text("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
    row = conn.execute(text("SELECT version FROM schema_version")).first()
    current = row[0] if row else 0
    if current > LATEST:
        raise RuntimeError(f"store schema v{current} is newer than this keeper (v{LATEST}): upgrade the keeper")
    for version in range(current + 1, target + 1):
        MIGRATIONS[version - 1](conn)
    if row is None:
        conn.execute(text("INSERT INTO schema_version (version) VALUES (:v)"), {"v": target})
    elif target > current:
        conn.execute(text("UPDATE schema_version SET version = :v"), {"v": target})
    return current
