"""Plans name their chain: one store serves keepers of several chains, where one vault address can exist on two.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plans", sa.Column("chain_id", sa.BigInteger))
    op.create_index("plans_chain_vault", "plans", ["chain_id", "vault"])


def downgrade() -> None:
    op.drop_index("plans_chain_vault", "plans")
    op.drop_column("plans", "chain_id")
