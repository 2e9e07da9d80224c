"""Plans and observations name their chain: one store serves keepers of several chains, where one address (a vault,
a pool) can exist on two.

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
    op.add_column("observations", sa.Column("chain_id", sa.BigInteger))
    op.create_index("observations_chain_address_t", "observations", ["chain_id", "address", "t"])


def downgrade() -> None:
    op.drop_index("observations_chain_address_t", "observations")
    op.drop_column("observations", "chain_id")
    op.drop_index("plans_chain_vault", "plans")
    op.drop_column("plans", "chain_id")
