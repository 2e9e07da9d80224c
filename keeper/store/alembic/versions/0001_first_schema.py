"""The first keeper release's schema: observations, decisions, plans and their transactions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Row ids grow for ever and a max fee in wei passes 2**31: both are 64-bit on every backend.
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements only an INTEGER primary key


def upgrade() -> None:
    op.create_table(
        "observations",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("cycle_id", sa.Text, nullable=False), sa.Column("t", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.Text, nullable=False), sa.Column("address", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False))
    op.create_index("observations_address_t", "observations", ["address", "t"])
    op.create_table(
        "decisions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("cycle_id", sa.Text, nullable=False), sa.Column("t", sa.BigInteger, nullable=False),
        sa.Column("vault", sa.Text, nullable=False), sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("scores", sa.Text, nullable=False), sa.Column("plan_id", sa.Text),
        sa.Column("outcome", sa.Text, nullable=False), sa.Column("reasons", sa.Text, nullable=False))
    op.create_table(
        "plans",
        sa.Column("id", sa.Text, primary_key=True), sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("vault", sa.Text, nullable=False), sa.Column("kind", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False), sa.Column("state", sa.Text, nullable=False),
        sa.Column("reasons", sa.Text, nullable=False), sa.Column("expected_gain", sa.Float, nullable=False),
        sa.Column("cost", sa.Float, nullable=False), sa.Column("nonce", sa.BigInteger),
        sa.Column("tx_hash", sa.Text), sa.Column("raw_tx", sa.Text), sa.Column("error", sa.Text),
        sa.Column("updated_at", sa.BigInteger, nullable=False))
    op.create_table(
        "transactions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.Text, nullable=False), sa.Column("tx_hash", sa.Text, nullable=False),
        sa.Column("nonce", sa.BigInteger, nullable=False), sa.Column("max_fee", sa.BigInteger, nullable=False),
        sa.Column("sent_at", sa.BigInteger, nullable=False), sa.Column("status", sa.Text, nullable=False),
        sa.Column("block", sa.BigInteger), sa.Column("gas_used", sa.BigInteger),
        sa.Column("revert_reason", sa.Text))


def downgrade() -> None:
    for table in ("transactions", "plans", "decisions", "observations"):
        op.drop_table(table)
