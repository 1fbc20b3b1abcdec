"""outbox_mail: submission_id and registration_id instead of the subject_ref string

Revision ID: c7a1f5e9d284
Revises: b3e8d2f4a617
Create Date: 2026-12-02 14:05:00

A mail pointed at what it is about with a string ("submission:12") matched by LIKE; now two
nullable foreign keys (SET NULL when the row goes), filled from subject_ref. A reference to a
row that no longer exists is left NULL (a foreign key cannot point at it).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7a1f5e9d284'
down_revision = 'b3e8d2f4a617'
branch_labels = None
depends_on = None

SUBJECTS = ('submission', 'registration')


def upgrade():
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        for table in SUBJECTS:
            batch_op.add_column(sa.Column(f'{table}_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_outbox_mail_{table}_id'), [f'{table}_id'], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f'fk_outbox_mail_{table}_id_{table}'), table, [f'{table}_id'], ['id'],
                ondelete='SET NULL',
            )
    connection = op.get_bind()
    existing = {
        table: set(connection.execute(sa.text(f"SELECT id FROM {table}")).scalars())
        for table in SUBJECTS
    }
    rows = connection.execute(
        sa.text("SELECT id, subject_ref FROM outbox_mail WHERE subject_ref IS NOT NULL")
    ).all()
    for mail_id, ref in rows:
        table, _, ident = ref.partition(':')
        if table in existing and ident.isdigit() and int(ident) in existing[table]:
            connection.execute(
                sa.text(f"UPDATE outbox_mail SET {table}_id = :ident WHERE id = :id"),
                {"ident": int(ident), "id": mail_id},
            )
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_mail_subject_ref'))
        batch_op.drop_column('subject_ref')


def downgrade():
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_ref', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_mail_subject_ref'), ['subject_ref'], unique=False)
    connection = op.get_bind()
    for table in SUBJECTS:
        # The same text on both databases: the id as a string after "submission:".
        connection.execute(
            sa.text(
                f"UPDATE outbox_mail SET subject_ref = '{table}:' || CAST({table}_id AS VARCHAR(20))"
                f" WHERE {table}_id IS NOT NULL"
            )
        )
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        for table in reversed(SUBJECTS):
            batch_op.drop_constraint(batch_op.f(f'fk_outbox_mail_{table}_id_{table}'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_outbox_mail_{table}_id'))
            batch_op.drop_column(f'{table}_id')
