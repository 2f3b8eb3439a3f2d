"""Initial schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Every table of the store, plus triggers that make ``audit_log`` append-only
(UPDATE and DELETE are refused by the database itself).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


_SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
]

_PG_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
]


def _append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for sql in _SQLITE_TRIGGERS if dialect == "sqlite" else _PG_TRIGGERS:
        op.execute(sql)


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True,
              nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=100), nullable=False),
    sa.Column('object_type', sa.String(length=50), nullable=False),
    sa.Column('object_id', sa.String(length=300), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hash'),
    sa.UniqueConstraint('prev_hash'),
    sa.UniqueConstraint('seq')
    )
    op.create_table('licences',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('number', sa.String(length=200), nullable=False),
    sa.Column('holder', sa.String(length=500), nullable=False),
    sa.Column('authority', sa.String(length=200), nullable=True),
    sa.Column('control_codes', sa.JSON(), nullable=False),
    sa.Column('hs_codes', sa.JSON(), nullable=False),
    sa.Column('destinations', sa.JSON(), nullable=False),
    sa.Column('end_user', sa.String(length=500), nullable=True),
    sa.Column('quantity_limit', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('value_limit', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('quantity_used', sa.Numeric(precision=20, scale=4), nullable=False),
    sa.Column('value_used', sa.Numeric(precision=20, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('euc_reference', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by', sa.String(length=200), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_table('list_snapshots',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('list_id', sa.String(length=100), nullable=False),
    sa.Column('version', sa.String(length=200), nullable=True),
    sa.Column('date', sa.String(length=40), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('list_id', 'sha256', name='uq_list_snapshots_list_sha')
    )
    op.create_table('screenings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('shipment_ref', sa.String(length=200), nullable=True),
    sa.Column('shipment_date', sa.Date(), nullable=True),
    sa.Column('input', sa.JSON(), nullable=False),
    sa.Column('input_sha256', sa.String(length=64), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('policy_id', sa.String(length=200), nullable=False),
    sa.Column('policy_version', sa.String(length=100), nullable=False),
    sa.Column('policy_sha256', sa.String(length=64), nullable=False),
    sa.Column('lists', sa.JSON(), nullable=False),
    sa.Column('engine_version', sa.String(length=50), nullable=False),
    sa.Column('screened_at', sa.String(length=40), nullable=False),
    sa.Column('idempotency_key', sa.String(length=400), nullable=True),
    sa.Column('rescreen_of', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['rescreen_of'], ['screenings.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    op.create_index('ix_screenings_created_at', 'screenings', ['created_at'])
    op.create_index(op.f('ix_screenings_decision'), 'screenings', ['decision'])
    op.create_index(op.f('ix_screenings_rescreen_of'), 'screenings', ['rescreen_of'])
    op.create_index('ix_screenings_shipment_ref', 'screenings', ['shipment_ref'])

    op.create_table('users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('disabled_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'])

    op.create_table('cases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('screening_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('closed_by', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('screening_id')
    )
    op.create_index(op.f('ix_cases_status'), 'cases', ['status'])

    op.create_table('findings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('screening_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('severity', sa.String(length=30), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_findings_rule'), 'findings', ['rule'])
    op.create_index(op.f('ix_findings_screening_id'), 'findings', ['screening_id'])

    op.create_table('licence_drawdowns',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('licence_id', sa.Integer(), nullable=False),
    sa.Column('screening_id', sa.String(length=36), nullable=True),
    sa.Column('shipment_ref', sa.String(length=200), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=20, scale=4), nullable=False),
    sa.Column('value', sa.Numeric(precision=20, scale=4), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], ),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_licence_drawdowns_licence_id'), 'licence_drawdowns', ['licence_id'])

    op.create_table('false_positives',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('party_key', sa.String(length=500), nullable=False),
    sa.Column('party_name', sa.String(length=500), nullable=False),
    sa.Column('entity_id', sa.String(length=300), nullable=False),
    sa.Column('list_id', sa.String(length=100), nullable=False),
    sa.Column('entity_sha256', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_false_positives_lookup', 'false_positives', ['party_key', 'entity_id'])

    op.create_table('review_actions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_review_actions_case_id'), 'review_actions', ['case_id'])
    _append_only_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_index(op.f('ix_review_actions_case_id'), table_name='review_actions')

    op.drop_table('review_actions')
    op.drop_index('ix_false_positives_lookup', table_name='false_positives')

    op.drop_table('false_positives')
    op.drop_index(op.f('ix_licence_drawdowns_licence_id'), table_name='licence_drawdowns')

    op.drop_table('licence_drawdowns')
    op.drop_index(op.f('ix_findings_screening_id'), table_name='findings')
    op.drop_index(op.f('ix_findings_rule'), table_name='findings')

    op.drop_table('findings')
    op.drop_index(op.f('ix_cases_status'), table_name='cases')

    op.drop_table('cases')
    op.drop_index(op.f('ix_api_tokens_user_id'), table_name='api_tokens')

    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_index('ix_screenings_shipment_ref', table_name='screenings')
    op.drop_index(op.f('ix_screenings_rescreen_of'), table_name='screenings')
    op.drop_index(op.f('ix_screenings_decision'), table_name='screenings')
    op.drop_index('ix_screenings_created_at', table_name='screenings')

    op.drop_table('screenings')
    op.drop_table('list_snapshots')
    op.drop_table('licences')
    op.drop_table('audit_log')
