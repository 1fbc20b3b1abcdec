"""Organizers add people by hand (an invited speaker, a walk-in): no confirmation step, a
place even when the room is full when they say so, the usual mail with the private link."""

from __future__ import annotations

from fastpath.core.extensions import db
from fastpath.registration import services
from fastpath.registration.models import RegistrationStatus
from tests.helpers.registrations import deliver, events, register, registrations


def _details(email: str, name: str = "Invited Speaker") -> services.RegistrationDetails:
    return services.RegistrationDetails(name=name, email=email, position="academia")


def test_add_by_hand_beyond_capacity_gives_a_place_and_mails_the_link(content_app, smtp):
    app = content_app("capacity = 1")
    register(app.test_client(), email="first@example.org", name="First")
    with app.app_context():
        full = services.add_by_hand(
            _details("late@example.org", "Late"),
            by="chair@example.org",
            beyond_capacity=False,
            form_nonce="n1",
        )
        invited = services.add_by_hand(
            _details("speaker@example.org"),
            by="chair@example.org",
            beyond_capacity=True,
            form_nonce="n2",
            check_in_by_id=None,
        )
        again = services.add_by_hand(
            _details("speaker@example.org"),
            by="chair@example.org",
            beyond_capacity=True,
            form_nonce="n2",
        )
        db.session.commit()
        assert (full.outcome, full.answer.status) == ("new", RegistrationStatus.WAITING)
        assert (invited.outcome, invited.answer.status) == ("new", RegistrationStatus.REGISTERED)
        assert again.outcome == "replay"
        speaker_id = invited.registration.id
    rows = {r.email: r.status for r in registrations(app)}
    assert rows == {
        "first@example.org": RegistrationStatus.REGISTERED,
        "late@example.org": RegistrationStatus.WAITING,
        "speaker@example.org": RegistrationStatus.REGISTERED,
    }
    assert events(app, speaker_id) == ["added_by_organizer"]
    deliver(app)
    smtp.recorder.wait_for(3)
    (mail,) = smtp.recorder.to("speaker@example.org")
    assert mail.subject == "[FastPath 2020] Registration confirmed"
    assert "/registration/" in mail.text


def test_add_by_hand_for_an_address_already_registered_changes_nothing(content_app):
    app = content_app("capacity = 5")
    register(app.test_client(), email="dup@example.org", name="Dup")
    with app.app_context():
        result = services.add_by_hand(
            _details("DUP@example.org"),
            by="chair@example.org",
            beyond_capacity=False,
            form_nonce=None,
        )
        db.session.commit()
        assert result.outcome == "duplicate"
        assert result.registration.email == "dup@example.org"
    assert len(registrations(app)) == 1
