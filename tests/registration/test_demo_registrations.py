"""The demo's registrations: a full room with people waiting, names in every script the
badges print, made once and never over real registrations."""

from __future__ import annotations

from fastpath.core.extensions import db
from fastpath.registration import services
from fastpath.registration.demo import DEMO_CAPACITY
from fastpath.registration.models import RegistrationStatus
from tests.helpers.registrations import registrations


def test_demo_setup_fills_the_room_and_a_waiting_list_once(app, runner):
    first = runner.invoke(args=["demo", "setup"])
    assert "Demo registrations created: 11 (8 with a place, 3 waiting" in first.output
    again = runner.invoke(args=["demo", "setup"])
    assert "Demo registrations: already there (none added)" in again.output
    rows = registrations(app)
    assert [r.status for r in rows].count(RegistrationStatus.REGISTERED) == DEMO_CAPACITY
    assert [r.name for r in rows if r.status == RegistrationStatus.WAITING] == [
        "李华",
        "Zoë Ångström",
        "Дмитрий Иванов",
    ]
    names = " ".join(r.name for r in rows)
    for sample in ("José", "王小明", "김민준", "Анна", "Ελένη"):
        assert sample in names
    with app.app_context():
        assert services.capacity() == DEMO_CAPACITY
        assert services.is_full()


def test_demo_setup_adds_no_registrations_next_to_real_ones(app, runner, client):
    with app.app_context():
        services.add_by_hand(
            services.RegistrationDetails(name="Real Person", email="real@example.org"),
            by="chair@example.org",
            beyond_capacity=False,
            form_nonce=None,
        )
        db.session.commit()
    result = runner.invoke(args=["demo", "setup"])
    assert "Demo registrations: already there (none added)" in result.output
    assert [r.name for r in registrations(app)] == ["Real Person"]
