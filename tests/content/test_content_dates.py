"""Start-up refuses a content folder whose dates cannot all be true, in one clear line."""

from __future__ import annotations

import pytest

from fastpath.content import ContentError, load_workshop
from tests.helpers.editions import edition_with, start_up_with


@pytest.mark.parametrize(
    ("old", "new", "where", "problem"),
    [
        (
            "deadline = 2020-02-21T23:59:59",
            "deadline = 2020-03-21T23:59:59",
            "submission.notification",
            "must not be before submission.deadline (2020-03-21), got 2020-03-02",
        ),
        (
            "notification = 2020-03-02",
            "notification = 2020-05-02",
            "submission.notification",
            "must not be after the workshop (2020-04-05), got 2020-05-02",
        ),
        (
            "[registration]\n",
            "[registration]\ncloses = 2020-04-05T12:00:00\n",
            "registration.closes",
            "must not be after the workshop starts (2020-04-05 09:00), got 2020-04-05 12:00",
        ),
        (
            "[registration]\n",
            "[registration]\nopens = 2020-04-06T09:00:00\n",
            "registration.opens",
            "must be before registration closes (2020-04-05 09:00)",
        ),
        (
            "grace_minutes = 0",
            "grace_minutes = 0\nopens = 2020-02-22T00:00:00",
            "submission.opens",
            "must be before submission.deadline (2020-02-21 23:59)",
        ),
    ],
)
def test_impossible_dates_are_refused_naming_the_field(tmp_path, old, new, where, problem):
    folder = edition_with(tmp_path, old, new)
    with pytest.raises(ContentError) as error:
        load_workshop(folder)
    assert (error.value.where, error.value.problem) == (where, problem)


def test_impossible_dates_stop_start_up_with_one_line(tmp_path):
    folder = edition_with(tmp_path, "notification = 2020-03-02", "notification = 2020-05-02")
    result = start_up_with(folder, tmp_path)
    assert result.returncode == 3  # gunicorn's boot-error status: a refusal, not a crash
    assert result.stderr.strip() == (
        f"fastpath cannot start: {folder / 'workshop.toml'}: submission.notification: "
        "must not be after the workshop (2020-04-05), got 2020-05-02"
    )
