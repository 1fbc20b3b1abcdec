"""The automatic assignment's properties, with Hypothesis over random committees built in the
real database: never a conflict, N respected or the shortfall reported, "not interested"
only when nobody else is left, loads within one whenever any assignment allows it (checked
against a brute-force search), and the same plan for the same database."""

from __future__ import annotations

import itertools

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastpath.cfp.models import Submission, SubmissionStatus
from fastpath.core.extensions import db
from fastpath.organizer.models import Organizer, OrganizerRole
from fastpath.reviews import assignment
from fastpath.reviews.models import Assignment, Bid, BidPreference, Conflict, ConflictKind
from tests.helpers.organizers import add_submission
from tests.helpers.reviews import MOMENT, bid, make_reviewer

REVIEWERS = 4
SUBMISSIONS = 4
AUTHORS = [("Ada Lovelace", "ada@example.org", "University of London")]
STATUSES = [
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.ACCEPTED,
    SubmissionStatus.WITHDRAWN,
]
PREFERENCES = [None, BidPreference.EAGER, BidPreference.WILLING, BidPreference.NOT_INTERESTED]


@pytest.fixture
def pool(app: Flask) -> tuple[list[int], list[int]]:
    """Four reviewer accounts and four submissions; each example reshapes them."""
    people = [
        make_reviewer(app, f"r{i}@lab{i}.test", name=f"Reviewer {i}", affiliation=f"Lab {i}")
        for i in range(REVIEWERS)
    ]
    papers = [
        add_submission(app, f"Paper {i}", authors=AUTHORS, topics=(("a", "b", "c")[i % 3],))
        for i in range(SUBMISSIONS)
    ]
    return people, papers


cells = [(r, s) for r in range(REVIEWERS) for s in range(SUBMISSIONS)]
scenarios = st.fixed_dictionaries(
    {
        "reviewers": st.lists(st.booleans(), min_size=REVIEWERS, max_size=REVIEWERS),
        "statuses": st.lists(st.sampled_from(STATUSES), min_size=SUBMISSIONS, max_size=SUBMISSIONS),
        "conflicts": st.sets(st.sampled_from(cells)),
        "bids": st.dictionaries(st.sampled_from(cells), st.sampled_from(PREFERENCES[1:])),
        "existing": st.sets(st.sampled_from(cells), max_size=5),
        "n": st.integers(1, 3),
    }
)


def build(app: Flask, pool, scenario) -> None:
    people, papers = pool
    with app.app_context():
        for model in (Assignment, Bid, Conflict):
            db.session.execute(db.delete(model))
        for i, is_reviewer in enumerate(scenario["reviewers"]):
            person = db.session.get(Organizer, people[i])
            person.role = OrganizerRole.REVIEWER if is_reviewer else OrganizerRole.CHAIR
        for i, status in enumerate(scenario["statuses"]):
            db.session.get(Submission, papers[i]).status = status
        for r, s in scenario["conflicts"]:
            db.session.add(
                Conflict(
                    reviewer_id=people[r],
                    submission_id=papers[s],
                    kind=ConflictKind.DECLARED,
                    set_at=MOMENT,
                )
            )
        for (r, s), preference in scenario["bids"].items():
            db.session.add(
                Bid(
                    reviewer_id=people[r],
                    submission_id=papers[s],
                    preference=preference,
                    updated_at=MOMENT,
                )
            )
        for r, s in scenario["existing"]:
            if scenario["reviewers"][r]:
                db.session.add(
                    Assignment(reviewer_id=people[r], submission_id=papers[s], assigned_at=MOMENT)
                )
        db.session.commit()


def expectations(pool, scenario):
    """What any correct plan must do, from the scenario alone: per submission the new count
    and how many "not interested" it may take; the loads before; whether balance is possible."""
    people, papers = pool
    reviewers = [i for i, yes in enumerate(scenario["reviewers"]) if yes]
    statuses = scenario["statuses"]
    counted = {
        (r, s)
        for r, s in scenario["existing"]
        if r in reviewers
        and statuses[s] != SubmissionStatus.WITHDRAWN
        and (r, s) not in scenario["conflicts"]
    }
    before = {r: sum(1 for rr, _ in counted if rr == r) for r in reviewers}
    n = scenario["n"]
    per_submission = {}
    options = []
    for s in range(SUBMISSIONS):
        if statuses[s] != SubmissionStatus.SUBMITTED:
            continue
        on = {r for r, ss in counted if ss == s}
        eligible = [r for r in reviewers if (r, s) not in scenario["conflicts"] and r not in on]
        willing = [
            r for r in eligible if scenario["bids"].get((r, s)) != BidPreference.NOT_INTERESTED
        ]
        reluctant = [r for r in eligible if r not in willing]
        fill = min(max(0, n - len(on)), len(eligible))
        if len(willing) >= fill:
            choices = [set(c) for c in itertools.combinations(willing, fill)]
        else:
            choices = [
                set(willing) | set(c)
                for c in itertools.combinations(reluctant, fill - len(willing))
            ]
        per_submission[papers[s]] = (len(on), fill, max(0, fill - len(willing)))
        options.append(choices)
    balanced = False
    for combination in itertools.product(*options):
        loads = dict(before)
        for chosen in combination:
            for r in chosen:
                loads[r] += 1
        if not loads or max(loads.values()) - min(loads.values()) <= 1:
            balanced = True
            break
    by_id = {people[r]: count for r, count in before.items()}
    return per_submission, by_id, balanced


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios)
def test_auto_plan_properties(app: Flask, pool, scenario):
    build(app, pool, scenario)
    people, papers = pool
    per_submission, before, balanced = expectations(pool, scenario)
    n = scenario["n"]
    with app.app_context():
        plan = assignment.plan_auto(n)
    with app.app_context():
        again = assignment.plan_auto(n)
    assert (again.pairs, again.loads, again.fingerprint) == (
        plan.pairs,
        plan.loads,
        plan.fingerprint,
    )

    index = {pid: i for i, pid in enumerate(people)}
    paper_index = {sid: i for i, sid in enumerate(papers)}
    new = [(p.reviewer_id, p.submission_id) for p in plan.pairs]
    assert len(new) == len(set(new))
    for rid, sid in new:
        assert (index[rid], paper_index[sid]) not in scenario["conflicts"]
        assert (index[rid], paper_index[sid]) not in scenario["existing"]
        assert sid in per_submission  # only submissions still under review
    shortfalls = {s.submission_id: (s.wanted, s.assigned) for s in plan.shortfalls}
    for sid, (on, fill, reluctant_allowed) in per_submission.items():
        mine = [p for p in plan.pairs if p.submission_id == sid]
        assert len(mine) == fill
        assert sum(p.reluctant for p in mine) == reluctant_allowed
        if on + fill < n:
            assert shortfalls.pop(sid) == (n, on + fill)
    assert shortfalls == {}

    after = {load.reviewer_id: load.after for load in plan.loads}
    assert {load.reviewer_id: load.before for load in plan.loads} == before
    for rid in after:
        assert after[rid] == before[rid] + sum(1 for r, _ in new if r == rid)
    spread = max(after.values()) - min(after.values()) if after else 0
    assert (spread <= 1) == balanced

    with app.app_context():
        assert assignment.apply_plan(plan, by=None) == len(new)
        db.session.commit()
        rows = db.session.execute(db.select(Assignment.reviewer_id, Assignment.submission_id))
        stored = {tuple(row) for row in rows}
    existing = {(people[r], papers[s]) for r, s in scenario["existing"] if scenario["reviewers"][r]}
    assert stored == existing | set(new)


def test_auto_prefers_eager_then_willing_then_topics(app: Flask):
    eager = make_reviewer(app, "e@one.test", name="E", affiliation="One")
    willing = make_reviewer(app, "w@two.test", name="W", affiliation="Two")
    topical = make_reviewer(app, "t@three.test", name="T", affiliation="Three")
    plain = make_reviewer(app, "p@four.test", name="P", affiliation="Four")
    first = add_submission(app, "First", authors=AUTHORS, topics=("memory-io",))
    other = add_submission(app, "Other", authors=AUTHORS, topics=("memory-io",))
    bid(app, eager, first, BidPreference.EAGER)
    bid(app, willing, first, BidPreference.WILLING)
    bid(app, topical, other, BidPreference.EAGER)  # gives it the topic memory-io
    with app.app_context():
        plan = assignment.plan_auto(1)
    chosen = {p.submission_id: p.reviewer_id for p in plan.pairs}
    # Loads equal: each submission takes its eager bidder.
    assert chosen == {first: eager, other: topical}
    with app.app_context():
        plan = assignment.plan_auto(3)
    on_first = {p.reviewer_id for p in plan.pairs if p.submission_id == first}
    assert on_first == {eager, willing, topical}  # topical's topic overlap beats plain
    assert plain in {p.reviewer_id for p in plan.pairs if p.submission_id == other}


def test_auto_rebalances_what_greedy_leaves_uneven(app: Flask):
    # Hypothesis found this one with the balancing step switched off: the greedy fill
    # leaves the loads uneven; passing assignments along evens them.
    r1 = make_reviewer(app, "a@one.test", name="A", affiliation="One")
    r2 = make_reviewer(app, "b@two.test", name="B", affiliation="Two")
    r3 = make_reviewer(app, "c@three.test", name="C", affiliation="Three")
    s0, s1, s2 = (add_submission(app, f"Paper {i}", authors=AUTHORS) for i in range(3))
    bid(app, r2, s1, BidPreference.EAGER)
    with app.app_context():
        db.session.add(
            Conflict(reviewer_id=r1, submission_id=s2, kind=ConflictKind.DECLARED, set_at=MOMENT)
        )
        db.session.add(Assignment(reviewer_id=r3, submission_id=s1, assigned_at=MOMENT))
        db.session.commit()
        plan = assignment.plan_auto(2)
    after = sorted(load.after for load in plan.loads)
    assert after == [2, 2, 2]
    assert all((p.reviewer_id, p.submission_id) != (r1, s2) for p in plan.pairs)


def test_auto_refuses_n_out_of_range(app: Flask):
    with app.app_context(), pytest.raises(assignment.AssignmentError):
        assignment.plan_auto(0)
