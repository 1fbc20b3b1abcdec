"""Whole numbers in URLs: an id or page past the database's integer range is a 404 (or a
message), never a 500, on every route of the app."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from hypothesis import example, given
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from fastpath.cfp.models import SubmissionStatus
from fastpath.mail.models import OutboxStatus
from tests.conftest import make_app
from tests.helpers.fuzzing import fuzz
from tests.helpers.organizers import (
    add_mail,
    add_registration,
    add_submission,
    make_organizer,
    sign_in,
)

HUGE = [10**20, 2**63, 2**64, 2**70, 10**23, 10**30, 2**31, 2**31 - 1, 0, 1]
# Every query argument the app reads a number from, sent to every route.
INT_ARGS = ("page", "ids")

numbers = st.one_of(
    st.sampled_from(HUGE),
    st.integers(min_value=0, max_value=10**40),
    st.integers(min_value=-(10**30), max_value=-1),
).map(str) | st.text(alphabet="0123456789", min_size=1, max_size=5000)


def _filler(name: str, converter: object) -> str:
    """A value for a non-number path part: a wrong token, the first of an any()."""
    mapping = getattr(converter, "items", None)
    if name == "filename":
        return "css/site.css"
    if mapping:
        return next(iter(mapping))
    return "x" * 43


def _routes(app: Flask) -> list[tuple[str, str, list[str]]]:
    """(method, rule, its int arguments) for every rule of the app, from app.url_map."""
    found = []
    for rule in app.url_map.iter_rules():
        method = "GET" if "GET" in rule.methods else "POST"
        ints = [k for k, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        found.append((method, rule, ints))
    return found


def _url(rule, number: str) -> str:
    """The rule's path with `number` for each int part and a filler for the others."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        converter = rule._converters[name]
        return number if isinstance(converter, IntegerConverter) else _filler(name, converter)

    return re.sub(r"<(?:[^>:]+:)?(\w+)>", value, rule.rule)


def _signed_in_app(tmp_path: Path) -> tuple[Flask, object]:
    app = make_app(tmp_path)
    make_organizer(app)
    add_submission(app)
    add_submission(app, "A second one", status=SubmissionStatus.ACCEPTED)
    add_registration(app)
    add_mail(app, status=OutboxStatus.FAILED, error="boom")
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return app, client


def test_huge_numbers_in_every_url_are_never_a_server_error(tmp_path):
    app, client = _signed_in_app(tmp_path)
    routes = _routes(app)
    assert sum(len(ints) for _, _, ints in routes) >= 7  # the organizer ids, at least

    @fuzz(60)
    @example(number=str(10**20))
    @example(number="9" * 5000)
    @given(number=numbers)
    def check(number: str):
        for method, rule, _ints in routes:
            if rule.endpoint == "organizer.logout":
                continue  # would end the session the other routes need
            url = _url(rule, number)
            query = {name: number for name in INT_ARGS} | {"outcome": "accepted"}
            with client.open(url, method=method, query_string=query) as response:
                assert response.status_code < 500, (method, url, response.status_code)

    check()


def test_huge_numbers_get_not_found_or_a_message(tmp_path):
    app, client = _signed_in_app(tmp_path)
    huge = str(10**30)

    assert client.get(f"/organizer/submissions/{2**70}").status_code == 404
    assert client.get(f"/organizer/mail/{2**64}").status_code == 404
    assert client.post(f"/organizer/registrations/{2**63}/resend-link").status_code == 404
    assert client.get("/organizer/submissions?page=99999999999999999999").status_code == 404
    assert client.get(f"/organizer/activity?page={huge}").status_code == 404
    assert client.get(f"/organizer/mail?page={huge}").status_code == 404
    assert client.get(f"/organizer/export/submissions.csv?page={huge}").status_code == 404
    # The largest id the database holds is still looked up (and here names nothing).
    assert client.get(f"/organizer/submissions/{2**31 - 1}").status_code == 404
    assert client.get("/organizer/submissions/1").status_code == 200
    assert client.get("/organizer/activity?page=-3").status_code == 200  # the first page

    preview = client.get(f"/organizer/decisions/preview?ids={10**23}&outcome=accepted")

    assert (preview.status_code, preview.location) == (302, "/organizer/submissions")
    page = client.get("/organizer/submissions").get_data(as_text=True)
    assert "Choose at least one submission, then Accept or Reject." in page
    decided = client.post("/organizer/decisions", data={"ids": huge, "outcome": "accepted"})
    assert decided.status_code == 400


def test_non_ascii_digits_in_urls_name_nothing(tmp_path):
    app, client = _signed_in_app(tmp_path)
    assert client.get("/organizer/registrations/1").status_code == 200
    assert client.get("/organizer/registrations/\u0661").status_code == 404  # Arabic-Indic 1
    assert client.get("/organizer/registrations/\uff11").status_code == 404  # full-width 1
    listing = client.get("/organizer/registrations?page=\u0661\u0662")
    assert listing.status_code == 200 and listing.request.args["page"] == "\u0661\u0662"
