"""Users get an optional password hash (web UI sign-in).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

``users.password_hash`` holds ``scrypt$n$r$p$salt$hash`` (base64); NULL means
the user cannot sign in to the web UI (API tokens still work).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('password_hash', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('password_hash')
