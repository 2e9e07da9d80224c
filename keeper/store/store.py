"""Reads and writes the keeper's records. Every plan state change is committed before the action it announces, so
a keeper that dies at any point finds, on restart, exactly where it was."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import ArgumentError, OperationalError

from keeper.store.migrations import NewerStore, migrate

# A plan moves forward through these states; `reconcile` resumes anything left in flight.
IN_FLIGHT = ("signed", "sent")
FINAL = ("confirmed", "reverted", "skipped", "rejected", "failed")


class StoreError(RuntimeError):
    """The store cannot be opened: one line naming it (never its password) and what to do."""


def shown(url: str) -> str:
    """A store URL fit for a message or a log: its password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable store URL)"


class Store:
    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine = create_engine(url, pool_pre_ping=True)
            migrate(self.engine)
        except ArgumentError:
            raise StoreError(f"store {shown(url)} is not a database URL: use a SQLite path, or "
                             "postgresql+psycopg://USER@HOST:PORT/DB") from None
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            raise StoreError(f"cannot open the keeper store {shown(url)}: {reason}: start the database or fix "
                             "store: in the config") from None
        except NewerStore as exc:
            raise StoreError(f"keeper store {shown(url)}: {exc}") from None

    def _run(self, sql: str, **params: Any):
        with self.engine.begin() as conn:
            return conn.execute(text(sql), params)

    # ------------------------------------------------------------------ observations and decisions

    def record_observation(self, cycle_id: str, t: int, kind: str, address: str, data: dict,
                           chain_id: int | None = None) -> None:
        self._run("INSERT INTO observations (cycle_id, t, kind, address, data, chain_id) "
                  "VALUES (:c, :t, :k, :a, :d, :chain)", c=cycle_id, t=t, k=kind, a=address, d=json.dumps(data),
                  chain=chain_id)

    def observations(self, address: str, limit: int = 500, chain_id: int | None = None) -> list[dict]:
        """The latest observations of `address`, oldest first; with chain_id, that chain's only (an address can
        exist on several chains; one recorded without its chain counts for every chain)."""
        scope = " AND (chain_id = :chain OR chain_id IS NULL)" if chain_id is not None else ""
        rows = self._run(f"SELECT t, data FROM observations WHERE address = :a{scope} ORDER BY t DESC, id DESC "
                         "LIMIT :n", a=address, n=limit, chain=chain_id).all()
        return [{"t": t, **json.loads(d)} for t, d in reversed(rows)]

    def record_decision(self, cycle_id: str, t: int, vault: str, inputs: dict, scores: dict, plan_id: str | None,
                        outcome: str, reasons: list[str]) -> None:
        self._run("INSERT INTO decisions (cycle_id, t, vault, inputs, scores, plan_id, outcome, reasons) "
                  "VALUES (:c, :t, :v, :i, :s, :p, :o, :r)", c=cycle_id, t=t, v=vault, i=json.dumps(inputs),
                  s=json.dumps(scores), p=plan_id, o=outcome, r=json.dumps(reasons))

    def decisions(self, limit: int = 20) -> list[dict]:
        rows = self._run("SELECT t, vault, plan_id, outcome, reasons, scores FROM decisions ORDER BY id DESC LIMIT :n",
                         n=limit).all()
        return [{"t": t, "vault": v, "plan_id": p, "outcome": o, "reasons": json.loads(r), "scores": json.loads(s)}
                for t, v, p, o, r, s in rows]

    # ------------------------------------------------------------------ plans

    def add_plan(self, plan_id: str, vault: str, kind: str, body: dict, state: str, reasons: list[str],
                 expected_gain: float, cost: float, chain_id: int | None = None) -> None:
        now = int(time.time())
        self._run("INSERT INTO plans (id, created_at, vault, kind, body, state, reasons, expected_gain, cost, "
                  "updated_at, chain_id) VALUES (:id, :now, :v, :k, :b, :s, :r, :g, :c, :now, :chain)", id=plan_id,
                  now=now, v=vault, k=kind, b=json.dumps(body), s=state, r=json.dumps(reasons), g=expected_gain,
                  c=cost, chain=chain_id)

    def update_plan(self, plan_id: str, **fields: Any) -> None:
        allowed = {"state", "nonce", "tx_hash", "raw_tx", "error", "approved_by"}
        if not set(fields) <= allowed:
            raise ValueError(f"cannot update plan fields {set(fields) - allowed}")
        sets = ", ".join(f"{k} = :{k}" for k in fields)
        self._run(f"UPDATE plans SET {sets}, updated_at = :now WHERE id = :id", id=plan_id, now=int(time.time()),
                  **fields)

    def plan(self, plan_id: str) -> dict | None:
        row = self._run("SELECT * FROM plans WHERE id = :id", id=plan_id).mappings().first()
        return _plan(row) if row else None

    def plans(self, states: tuple[str, ...] | None = None, limit: int = 50, *, vault: str | None = None,
              chain_id: int | None = None) -> list[dict]:
        """Plans in `states` (oldest first), or the latest `limit`; with vault and chain_id, only that keeper's
        (a plan recorded without its chain counts for every chain)."""
        if states:
            marks = ", ".join(f":s{i}" for i in range(len(states)))
            scope = ""
            if vault is not None:
                scope += " AND vault = :vault"
            if chain_id is not None:
                scope += " AND (chain_id = :chain OR chain_id IS NULL)"
            rows = self._run(f"SELECT * FROM plans WHERE state IN ({marks}){scope} ORDER BY created_at, id",
                             vault=vault, chain=chain_id, **{f"s{i}": s for i, s in enumerate(states)}
                             ).mappings().all()
        else:
            rows = self._run("SELECT * FROM plans ORDER BY created_at DESC, id DESC LIMIT :n", n=limit).mappings().all()
        return [_plan(r) for r in rows]

    def plan_counts(self) -> dict[str, int]:
        """How many plans the store holds in each state."""
        return {state: n for state, n in self._run("SELECT state, COUNT(*) FROM plans GROUP BY state").all()}

    def gas_used_total(self) -> int:
        """Gas used by every mined keeper transaction this store recorded."""
        return int(self._run("SELECT COALESCE(SUM(gas_used), 0) FROM transactions").scalar())

    # ------------------------------------------------------------------ transactions

    def record_transaction(self, plan_id: str, tx_hash: str, nonce: int, max_fee: int, status: str) -> None:
        self._run("INSERT INTO transactions (plan_id, tx_hash, nonce, max_fee, sent_at, status) "
                  "VALUES (:p, :h, :n, :f, :t, :s)", p=plan_id, h=tx_hash, n=nonce, f=max_fee, t=int(time.time()),
                  s=status)

    def update_transaction(self, tx_hash: str, status: str, block: int | None = None, gas_used: int | None = None,
                           revert_reason: str | None = None) -> None:
        self._run("UPDATE transactions SET status = :s, block = :b, gas_used = :g, revert_reason = :r "
                  "WHERE tx_hash = :h", s=status, b=block, g=gas_used, r=revert_reason, h=tx_hash)

    def reasons_for_transaction(self, tx_hash: str) -> list[str]:
        """The reasons of the plan a transaction carried out (empty for transactions the keeper did not send)."""
        row = self._run("SELECT p.reasons FROM transactions t JOIN plans p ON p.id = t.plan_id "
                        "WHERE lower(t.tx_hash) = lower(:h)", h=tx_hash).first()
        return json.loads(row[0]) if row else []

    def plan_for_transaction(self, tx_hash: str) -> dict | None:
        """The plan a transaction carried out, or None for a transaction this store did not send."""
        row = self._run("SELECT p.* FROM transactions t JOIN plans p ON p.id = t.plan_id "
                        "WHERE lower(t.tx_hash) = lower(:h)", h=tx_hash).mappings().first()
        return _plan(row) if row else None

    def transactions(self, plan_id: str) -> list[dict]:
        rows = self._run("SELECT * FROM transactions WHERE plan_id = :p ORDER BY id", p=plan_id).mappings().all()
        return [dict(r) for r in rows]


def _plan(row: Any) -> dict:
    out = dict(row)
    out["body"] = json.loads(out["body"])
    out["reasons"] = json.loads(out["reasons"])
    return out
