"""The keeper's memory: observations, decisions, plans and transactions in SQLite (or any SQLAlchemy URL)."""

from keeper.store.store import Store

__all__ = ["Store"]
