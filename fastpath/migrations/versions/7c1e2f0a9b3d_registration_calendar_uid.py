"""registration.calendar_uid: calendar UIDs unique across editions

Revision ID: 7c1e2f0a9b3d
Revises: 50bf70013ea4
Create Date: 2026-12-02 05:15:00

Existing registrations keep the UID their calendar files already carry
("registration-<id>"), so a resent file still updates the entry people imported; new
registrations get a random one (fastpath.registration.models.new_calendar_uid).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1e2f0a9b3d'
down_revision = '50bf70013ea4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_uid', sa.String(length=64), nullable=True))
    registration = sa.table(
        'registration', sa.column('id', sa.Integer), sa.column('calendar_uid', sa.String)
    )
    op.execute(
        registration.update().values(
            calendar_uid=sa.literal('registration-') + sa.cast(registration.c.id, sa.String)
        )
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('calendar_uid', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f('uq_registration_calendar_uid'), ['calendar_uid']
        )


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_registration_calendar_uid'), type_='unique')
        batch_op.drop_column('calendar_uid')
