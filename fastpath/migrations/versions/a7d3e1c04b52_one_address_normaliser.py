"""addresses: one normaliser (stored spellings), links mailed again pending until used

Revision ID: a7d3e1c04b52
Revises: 7c1e2f0a9b3d
Create Date: 2026-12-02 05:30:00

Look-ups compare stored normalised addresses (fastpath.core.emails.normalize_email: trimmed, NFC,
full Unicode case folding) instead of SQL lower(), which folds only ASCII on SQLite. Rows
written before were folded with str.lower() or str.casefold() without NFC: spelt again here.
A link mailed by "lost your link" waits in pending_token_hash until its owner uses it.
With a capacity, a registration is unconfirmed (status "unconfirmed", a string column: no
schema change) until confirm_by; confirmed_at records when its address was confirmed.
"""
from alembic import op
import sqlalchemy as sa

from fastpath.core.emails import normalize_email


# revision identifiers, used by Alembic.
revision = 'a7d3e1c04b52'
down_revision = '7c1e2f0a9b3d'
branch_labels = None
depends_on = None


def _respell(connection, table: str, source: str, target: str, *, skip_null: bool = False) -> None:
    rows = connection.execute(sa.text(f"SELECT id, {source} FROM {table}")).all()
    for row_id, value in rows:
        if value is None and skip_null:
            continue
        connection.execute(
            sa.text(f"UPDATE {table} SET {target} = :value WHERE id = :id"),
            {"value": normalize_email(value), "id": row_id},
        )


def upgrade():
    # Only added columns and indexes on submission and registration: on SQLite, batch mode
    # would otherwise copy and drop those tables, and dropping one deletes its events and
    # authors (ON DELETE CASCADE, foreign keys are on).
    for table in ('submission', 'registration'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('pending_token_hash', sa.String(length=64), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_pending_token_hash'), ['pending_token_hash'], unique=True)
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirm_by', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('submission_author', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_normalized', sa.String(length=254), nullable=True))
    connection = op.get_bind()
    _respell(connection, 'submission_author', 'email', 'email_normalized')
    _respell(connection, 'registration', 'email', 'email_normalized')
    _respell(connection, 'registration', 'active_email', 'active_email', skip_null=True)
    _respell(connection, 'organizer', 'email', 'email')
    with op.batch_alter_table('submission_author', schema=None) as batch_op:
        batch_op.alter_column('email_normalized', existing_type=sa.String(length=254), nullable=False)
        batch_op.create_index(batch_op.f('ix_submission_author_email_normalized'), ['email_normalized'], unique=False)


def downgrade():
    with op.batch_alter_table('submission_author', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_author_email_normalized'))
        batch_op.drop_column('email_normalized')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('confirm_by')
    for table in ('registration', 'submission'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_pending_token_hash'))
            batch_op.drop_column('pending_token_hash')
