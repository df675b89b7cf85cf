"""appeals and accounts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

The audit log appeal_events is append-only: triggers reject UPDATE and DELETE (and TRUNCATE
on PostgreSQL) for every role that connects, so no application path can rewrite history.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.Text(), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("role IN ('official', 'moderator', 'admin')", name=op.f('ck_users_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('appeals',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('tracking_code', sa.String(length=24), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('line_year', sa.SmallInteger(), nullable=True),
    sa.Column('line_program_code', sa.String(length=7), nullable=True),
    sa.Column('line_subprogram_code', sa.String(length=3), nullable=True),
    sa.Column('line_specific_code', sa.SmallInteger(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_name', sa.Text(), nullable=True),
    sa.Column('author_contact', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='new', nullable=False),
    sa.Column('published', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('question', 'comment', 'discrepancy')", name=op.f('ck_appeals_kind')),
    sa.CheckConstraint("status IN ('new', 'in_review', 'answered', 'resolved', 'rejected')", name=op.f('ck_appeals_status')),
    sa.ForeignKeyConstraint(['answered_by'], ['users.id'], name=op.f('fk_appeals_answered_by_users')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_appeals_institution_id_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals')),
    sa.UniqueConstraint('tracking_code', name=op.f('uq_appeals_tracking_code'))
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index('ix_appeals_institution_status', ['institution_id', 'status'], unique=False)
        batch_op.create_index('ix_appeals_status_due', ['status', 'due_at'], unique=False)

    op.create_table('user_institutions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_user_institutions_institution_id_institutions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_institutions_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'institution_id', name=op.f('pk_user_institutions'))
    )
    with op.batch_alter_table('user_institutions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_institutions_institution_id'), ['institution_id'], unique=False)

    op.create_table('appeal_attachments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_appeal_attachments_appeal_id_appeals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_appeal_attachments_stored_name'))
    )
    with op.batch_alter_table('appeal_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_attachments_appeal_id'), ['appeal_id'], unique=False)

    op.create_table('appeal_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_appeal_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_appeal_events_appeal_id_appeals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_events'))
    )
    with op.batch_alter_table('appeal_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_events_appeal_id'), ['appeal_id'], unique=False)
    _create_append_only_triggers()



def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION appeal_events_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'appeal_events is append-only (% rejected)', TG_OP;
            END;
            $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER appeal_events_no_change BEFORE UPDATE OR DELETE ON appeal_events "
                   "FOR EACH ROW EXECUTE FUNCTION appeal_events_append_only()")
        op.execute("CREATE TRIGGER appeal_events_no_truncate BEFORE TRUNCATE ON appeal_events "
                   "FOR EACH STATEMENT EXECUTE FUNCTION appeal_events_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER appeal_events_no_{verb.lower()} BEFORE {verb} ON appeal_events "
                       f"BEGIN SELECT RAISE(ABORT, 'appeal_events is append-only ({verb} rejected)'); END")


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS appeal_events_no_truncate ON appeal_events")
        op.execute("DROP TRIGGER IF EXISTS appeal_events_no_change ON appeal_events")
        op.execute("DROP FUNCTION IF EXISTS appeal_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS appeal_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS appeal_events_no_delete")


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table('appeal_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeal_events_appeal_id'))

    op.drop_table('appeal_events')
    with op.batch_alter_table('appeal_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeal_attachments_appeal_id'))

    op.drop_table('appeal_attachments')
    with op.batch_alter_table('user_institutions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_institutions_institution_id'))

    op.drop_table('user_institutions')
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index('ix_appeals_status_due')
        batch_op.drop_index('ix_appeals_institution_status')

    op.drop_table('appeals')
    op.drop_table('users')
