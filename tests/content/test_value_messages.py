"""Each kind of value in workshop.toml is refused in one line that names the field."""

from __future__ import annotations

import pytest

from fastpath.content import ContentError, load_workshop
from tests.helpers.editions import edition_with


@pytest.mark.parametrize(
    ("old", "new", "where", "problem"),
    [
        ("date = 2020-04-05\nstarts", "date = 2020-04-05T09:00:00\nstarts", "workshop.date",
         "expected a date like 2020-04-05, got 2020-04-05T09:00:00"),
        ("starts = 09:00:00", 'starts = "nine"', "workshop.starts",
         "expected a time like 09:00, got 'nine'"),
        ("starts = 09:00:00", "starts = 9", "workshop.starts", "expected a time or text, got 9"),
        ("deadline = 2020-02-21T23:59:59", 'deadline = "2020-02-21T23:59:59+01:00"',
         "submission.deadline",
         "give the time without a UTC offset; the zone is set separately"),
        ('deadline_timezone = "AoE"', 'deadline_timezone = "Mars/Olympus"',
         "submission.deadline_timezone",
         "unknown time zone 'Mars/Olympus' (use e.g. AoE or America/New_York)"),
        ("pages_min = 2", "pages_min = true", "submission.pages_min",
         "expected a whole number, got True"),
        ("pages_min = 2", "pages_min = 0", "submission.pages_min",
         "must be a positive whole number, got 0"),
        ('short_name = "FastPath 2020"', 'short_name = "  "', "workshop.short_name",
         "must not be empty"),
        ('kind = "welcome"', 'kind = "keynote"', "program[1].kind",
         "unknown 'keynote' (use one of welcome, invited, paper, break, meal, session)"),
    ],
)  # fmt: skip
def test_content_value_of_the_wrong_kind_is_refused_naming_the_field(
    tmp_path, old, new, where, problem
):
    folder = edition_with(tmp_path, old, new)
    with pytest.raises(ContentError) as error:
        load_workshop(folder)
    assert (error.value.where, error.value.problem) == (where, problem)
