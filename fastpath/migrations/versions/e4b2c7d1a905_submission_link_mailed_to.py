"""submission.link_mailed_to: who owns the private link (gets the edit summaries)

Revision ID: e4b2c7d1a905
Revises: 3c5e1a9d7b42
Create Date: 2026-12-02 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b2c7d1a905'
down_revision = '3c5e1a9d7b42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_mailed_to', sa.String(length=254), nullable=True))
    # Until now the link went to the contact author: they own it.
    op.execute(
        "UPDATE submission SET link_mailed_to = (SELECT a.email_normalized"
        " FROM submission_author a WHERE a.submission_id = submission.id AND a.is_contact)"
    )

def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('link_mailed_to')
