"""Approval mode records who approved each plan, for the audit trail; plans are looked up by state.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plans", sa.Column("approved_by", sa.Text))
    op.create_index("plans_state", "plans", ["state"])


def downgrade() -> None:
    op.drop_index("plans_state", "plans")
    op.drop_column("plans", "approved_by")
