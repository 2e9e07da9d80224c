"""The keeper's memory: observations, decisions, plans and transactions in SQLite by default or PostgreSQL by URL, one
schema kept by Alembic migrations on both."""

from keeper.store.store import Store

__all__ = ["Store"]
