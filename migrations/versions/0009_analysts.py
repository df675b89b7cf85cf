"""analysts: the analyst role, anomaly flags and baselines, flag reviews and cases

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

flag_reviews and case_events are append-only like appeal_events: triggers reject UPDATE and
DELETE (and TRUNCATE on PostgreSQL). On SQLite the users.role CHECK is widened in place
(writable_schema, the documented procedure for a change that every stored row already
satisfies): rebuilding the table would trip the foreign keys that point at users.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('official', 'moderator', 'admin')"
NEW_ROLES = "role IN ('official', 'moderator', 'admin', 'analyst')"
APPEND_ONLY = ("flag_reviews", "case_events")


def _set_role_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE users DROP CONSTRAINT ck_users_role")
        op.execute(f"ALTER TABLE users ADD CONSTRAINT ck_users_role CHECK ({new})")
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'users'",
                         (old, new))
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def _timestamps(*names):
    return [sa.Column(n, sa.DateTime(timezone=True), nullable=False) for n in names]


def upgrade() -> None:
    _set_role_check(OLD_ROLES, NEW_ROLES)
    op.create_table('anomaly_flags',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('detector', sa.String(length=32), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('lines', sa.Text(), nullable=False),
    sa.Column('appeal_ids', sa.Text(), nullable=False),
    sa.Column('fingerprint', sa.String(length=32), nullable=False),
    *_timestamps('scanned_at'),
    sa.CheckConstraint('score >= 0 AND score <= 1', name=op.f('ck_anomaly_flags_score_range')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                            name=op.f('fk_anomaly_flags_institution_id_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_anomaly_flags')),
    sa.UniqueConstraint('institution_id', 'year', 'detector', name='uq_anomaly_flags_key')
    )
    op.create_index('ix_anomaly_flags_year_score', 'anomaly_flags', ['year', 'score'])
    op.create_table('anomaly_baselines',
    sa.Column('detector', sa.String(length=32), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    *_timestamps('computed_at'),
    sa.PrimaryKeyConstraint('detector', name=op.f('pk_anomaly_baselines'))
    )
    op.create_table('flag_reviews',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('detector', sa.String(length=32), nullable=False),
    sa.Column('fingerprint', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor_user_id', sa.Integer(), nullable=False),
    *_timestamps('at'),
    sa.CheckConstraint("action IN ('dismissed', 'restored')", name=op.f('ck_flag_reviews_action')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                            name=op.f('fk_flag_reviews_institution_id_institutions')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_flag_reviews_actor_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flag_reviews'))
    )
    op.create_index('ix_flag_reviews_key', 'flag_reviews', ['institution_id', 'year', 'detector'])
    op.create_table('cases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='open', nullable=False),
    sa.Column('opened_by', sa.Integer(), nullable=False),
    *_timestamps('opened_at', 'updated_at'),
    sa.Column('closed_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'checking', 'confirmed', 'no_violation')", name=op.f('ck_cases_status')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_cases_institution_id_institutions')),
    sa.ForeignKeyConstraint(['opened_by'], ['users.id'], name=op.f('fk_cases_opened_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    op.create_index(op.f('ix_cases_institution_id'), 'cases', ['institution_id'])
    op.create_table('case_links',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=True),
    sa.Column('detector', sa.String(length=32), nullable=True),
    sa.Column('appeal_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.Text(), nullable=True),
    sa.CheckConstraint("(kind = 'flag' AND year IS NOT NULL AND detector IS NOT NULL AND appeal_id IS NULL)"
                       " OR (kind = 'appeal' AND appeal_id IS NOT NULL AND year IS NULL AND detector IS NULL)",
                       name=op.f('ck_case_links_kind_fields')),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_case_links_appeal_id_appeals')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_links_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_links'))
    )
    op.create_index(op.f('ix_case_links_case_id'), 'case_links', ['case_id'])
    op.create_table('case_documents',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.Text(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    *_timestamps('uploaded_at'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_documents_case_id_cases')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_case_documents_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_case_documents_stored_name'))
    )
    op.create_index(op.f('ix_case_documents_case_id'), 'case_documents', ['case_id'])
    op.create_table('case_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    *_timestamps('at'),
    sa.Column('actor_user_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_case_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_events_case_id_cases')),
    sa.ForeignKeyConstraint(['document_id'], ['case_documents.id'],
                            name=op.f('fk_case_events_document_id_case_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    op.create_index(op.f('ix_case_events_case_id'), 'case_events', ['case_id'])
    for table in APPEND_ONLY:
        _create_append_only_triggers(table)


def _create_append_only_triggers(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{table} is append-only (% rejected)', TG_OP;
            END;
            $$ LANGUAGE plpgsql""")
        op.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only ({verb} rejected)'); END")


def _drop_append_only_triggers(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def downgrade() -> None:
    for table in APPEND_ONLY:
        _drop_append_only_triggers(table)
    for table in ('case_events', 'case_documents', 'case_links', 'cases', 'flag_reviews', 'anomaly_baselines',
                  'anomaly_flags'):
        op.drop_table(table)
    # Analyst accounts would violate the narrower check: downgrading refuses while any exist.
    if op.get_bind().exec_driver_sql("SELECT count(*) FROM users WHERE role = 'analyst'").scalar():
        raise RuntimeError("analyst accounts exist: remove or re-role them before downgrading below 0009")
    _set_role_check(NEW_ROLES, OLD_ROLES)
