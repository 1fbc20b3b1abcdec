"""What privacy does with registrations: find a person's, export them, erase them on request,
and anonymise every registration a while after the workshop (retention).

Erasing keeps the row, so counts and the waiting list's order still add up: status, position,
arrival and dates stay; name, addresses, affiliation and needs become placeholders or empty,
and the private link stops working. An active registration is first cancelled through the
registration service while changes are still allowed (before the workshop starts), so the
waiting list moves up and its mails go out as usual. fastpath/privacy/ runs this together
with the other features' parts (the mails about it: mail/privacy.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..clock import now
from ..core.erasure import Scrubber, is_erased_address, iso, placeholder, placeholder_address
from ..core.extensions import db
from ..core.tokens import new_token
from . import services
from .models import Registration, RegistrationEvent, RegistrationEventKind

# Columns holding one person's name: the sweep leaves a namesake's name there alone.
NAME_COLUMNS = {("registration", "name")}


def find(address: str) -> list[Registration]:
    """The registrations made with this (normalised) address."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.email_normalized == address)
            .order_by(Registration.id)
        )
    )


def export(registration: Registration) -> dict[str, Any]:
    """One registration as its owner may read it (JSON-ready)."""
    return {
        "id": registration.id,
        "name": registration.name,
        "email": registration.email,
        "affiliation": registration.affiliation,
        "position": registration.position,
        "position_label": services.position_label(registration.position),
        "dietary": registration.dietary,
        "accessibility": registration.accessibility,
        "public_listing": registration.public_listing,
        "consent": registration.consent,
        "status": registration.status.value,
        "waiting_position": services.waiting_position(registration),
        "arrival": registration.arrival,
        "created_at": iso(registration.created_at),
        "updated_at": iso(registration.updated_at),
        "promoted_at": iso(registration.promoted_at),
        "cancelled_at": iso(registration.cancelled_at),
        "history": [
            {"at": iso(event.at), "kind": event.kind, "details": event.details}
            for event in registration.events
        ],
    }


@dataclass
class Erased:
    registrations: int = 0
    cancelled: int = 0  # cancelled first (before the workshop)
    promoted: int = 0  # moved up from the waiting list by those cancellations


def erase(registrations: list[Registration], moment: datetime) -> Erased:
    """Anonymise these registrations at their owner's request; cancel the active ones first
    while changes are allowed. The caller commits."""
    erased = Erased()
    for registration in registrations:
        # Before the workshop: a normal cancellation, so the next person gets the place.
        # From its start on, the status is the record of who held a place and stays.
        if registration.is_active and services.changes_allowed(moment):
            result = services.cancel(registration)
            if result is not None:
                erased.cancelled += 1
                erased.promoted += len(result.promoted)
        _anonymise(registration, RegistrationEventKind.ERASED, "personal details erased on request")
        erased.registrations += 1
    return erased


def due_for_retention() -> list[Registration]:
    """Every registration not anonymised yet."""
    return [
        registration
        for registration in db.session.scalars(select(Registration).order_by(Registration.id))
        if not is_erased_address(registration.email)
    ]


def scrubber(registration: Registration) -> Scrubber:
    """What takes this registration's address and name out of text about it."""
    return Scrubber([registration.email, registration.email_normalized], [registration.name])


def expire(registrations: list[Registration], days: int) -> int:
    """Anonymise these registrations under the retention rule; return how many."""
    detail = f"details anonymised {days} days after the workshop"
    for registration in registrations:
        _anonymise(registration, RegistrationEventKind.ANONYMISED, detail)
    return len(registrations)


def _anonymise(registration: Registration, kind: RegistrationEventKind, details: str) -> None:
    registration.name = placeholder("registration", registration.id)
    registration.email = registration.email_normalized = placeholder_address(
        "registration", registration.id
    )
    registration.active_email = None
    registration.affiliation = ""
    registration.dietary = ""
    registration.accessibility = ""
    registration.public_listing = False
    # Nobody knows the token of this hash: the private link stops working.
    registration.token_hash = new_token()[1]
    registration.pending_token_hash = None
    registration.form_nonce = None
    moment = now()
    registration.updated_at = moment
    registration.events.append(RegistrationEvent(at=moment, kind=kind, details=details))
