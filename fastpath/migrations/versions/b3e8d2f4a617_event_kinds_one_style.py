"""event kinds in one style: audit actions renamed to snake_case

Revision ID: b3e8d2f4a617
Revises: e4b2c7d1a905
Create Date: 2026-12-02 14:00:00

The audit log's actions were written in two styles ("sign-in-failed", "privacy.erase"); the
models now keep them as the AuditAction enum (fastpath/core/audit.py), one snake_case value
each. Submission and registration history kinds were snake_case already: they only became
enums (the stored strings and the column type, VARCHAR(32), stay).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3e8d2f4a617'
down_revision = 'e4b2c7d1a905'
branch_labels = None
depends_on = None

RENAMED = {
    'account-create': 'account_create',
    'password-change': 'password_change',
    'sign-in': 'sign_in',
    'sign-out': 'sign_out',
    'sign-in-failed': 'sign_in_failed',
    'link-resent': 'link_resent',
    'registration-cancelled': 'registration_cancelled',
    'mail-retry': 'mail_retry',
    'privacy.export': 'privacy_export',
    'privacy.erase': 'privacy_erase',
    'privacy.retention': 'privacy_retention',
}


def _rename(pairs):
    statement = sa.text("UPDATE audit_event SET action = :new WHERE action = :old")
    connection = op.get_bind()
    for old, new in pairs:
        connection.execute(statement, {"old": old, "new": new})


def upgrade():
    _rename(RENAMED.items())


def downgrade():
    _rename((new, old) for old, new in RENAMED.items())
