"""What privacy does with organizer accounts: find a person's, export it, delete it.

Deleting an account keeps its audit events; they then say which (erased) account acted.
fastpath/privacy/ runs this together with the other features' parts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from ..core.audit import AuditEvent
from ..core.emails import normalize_email
from ..core.erasure import iso, rows_by_id
from ..core.extensions import db
from .models import Organizer


def find(address: str) -> Organizer | None:
    """The organizer account with this (normalised) address, if any."""
    ids = [
        organizer_id
        for organizer_id, typed in db.session.execute(select(Organizer.id, Organizer.email))
        if normalize_email(typed) == address
    ]
    organizers = rows_by_id(Organizer, ids)  # at most one: the address is unique
    return organizers[0] if organizers else None


def export(organizer: Organizer) -> dict[str, Any]:
    """The account and its sign-in sessions (JSON-ready)."""
    return {
        "email": organizer.email,
        "created_at": iso(organizer.created_at),
        "password_changed_at": iso(organizer.password_changed_at),
        "last_sign_in_at": iso(organizer.last_sign_in_at),
        "sessions": [
            {
                "created_at": iso(row.created_at),
                "expires_at": iso(row.expires_at),
                "ended_at": iso(row.ended_at),
            }
            for row in sorted(organizer.sessions, key=lambda row: row.id)
        ],
    }


def erase(organizer: Organizer) -> None:
    """Delete the account; the audit rows stay and name it "erased organizer #N"."""
    db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.organizer_id == organizer.id)
        .values(actor=f"erased organizer #{organizer.id}", organizer_id=None)
    )
    db.session.delete(organizer)
