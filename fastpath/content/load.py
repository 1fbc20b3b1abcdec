"""Reading a content folder into a Workshop: one function per part of workshop.toml, then the
checks that span parts (references between them, dates in order)."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ..core.text import slug
from .markdown import render_markdown
from .model import (
    AOE,
    AOE_LABEL,
    DEFAULT_POSITIONS,
    DEFAULT_REGISTRATION_FIELDS,
    DEFAULT_REVIEW_FIELDS,
    PROGRAM_KINDS,
    REGISTRATION_FIELD_SETTINGS,
    SHOWN_WHILE,
    Deadline,
    KeyDate,
    MaterialsRules,
    NewsItem,
    Page,
    Person,
    PreviousEdition,
    ProgramItem,
    RegistrationRules,
    ReviewField,
    ReviewRules,
    Speaker,
    SubmissionRules,
    Topic,
    Workshop,
    Zone,
)
from .reading import ContentError, TableReader

# Pages every edition has (the site links to them from every page).
NEEDED_PAGES = ("background", "call-for-papers", "venue")


def load_workshop(directory: str | Path) -> Workshop:
    """Read and check a content folder; raise ContentError on the first mistake."""
    directory = Path(directory)
    root = TableReader(directory / "workshop.toml", _read_toml(directory / "workshop.toml"))
    ws = root.table("workshop")
    zone = ws.zone("timezone")
    day = ws.day("date")
    starts = datetime.combine(day, ws.clock_time("starts"), zone)
    ends = datetime.combine(day, ws.clock_time("ends"), zone)
    if ends <= starts:
        raise ws.fail("ends", "must be after workshop.starts")
    conference = root.table("conference")

    topics = _topics(root)
    sub, reg = root.table("submission"), root.table("registration", required=False)
    submission = _submission(sub)
    registration = _registration(reg, zone, starts)
    _check_dates_in_order(sub, reg, submission, registration, starts)
    # Read in the file's order, so the first mistake in it is the one reported.
    review = _review(root.table("review", required=False), submission)
    materials = _materials(root.table("materials", required=False), submission, zone, starts)
    key_dates = _key_dates(root, day, submission, review, materials)
    organizers = tuple(
        Person(p.text("name"), p.text("affiliation"), p.text("role"))
        for p in root.tables("organizers")
    )
    committee = tuple(
        Person(p.text("name"), p.text("affiliation")) for p in root.tables("program_committee")
    )
    speakers = _speakers(root)
    program = _program(root, day, zone, speakers, [t.key for t in topics])
    news = tuple(
        NewsItem(
            item.text("title"),
            render_markdown(item.text("body")),
            item.day("date", required=False),
            item.choice("while", SHOWN_WHILE, required=False),
        )
        for item in root.tables("news", required=False)
    )
    previous = [
        PreviousEdition(
            year=item.positive_int("year"),
            summary=item.text("summary"),
            place=item.text("place", required=False) or "",
            url=item.url("url", required=False),
        )
        for item in root.tables("previous_editions", required=False)
    ]
    pages = _pages(directory / "pages")

    return Workshop(
        directory=directory,
        short_name=ws.text("short_name"),
        name=ws.text("name"),
        auspices=ws.text("auspices", required=False) or "",
        day=day,
        starts=starts,
        ends=ends,
        zone=zone,
        place=ws.text("place"),
        site_url=ws.url("site_url", required=False),
        conference_short_name=conference.text("short_name"),
        conference_name=conference.text("name"),
        conference_url=conference.url("url"),
        topics=topics,
        key_dates=key_dates,
        organizers=organizers,
        program_committee=committee,
        speakers=tuple(speakers.values()),
        program=program,
        news=news,
        previous_editions=tuple(sorted(previous, key=lambda edition: -edition.year)),
        submission=submission,
        registration=registration,
        review=review,
        materials=materials,
        pages=pages,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ContentError(
            path,
            "file",
            "not found (FASTPATH_CONTENT_DIR points at a folder without workshop.toml)",
        )
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ContentError(path, "syntax", str(error)) from None


def _zone_label(zone: Zone) -> str:
    return AOE_LABEL if zone is AOE else str(zone)


def _topics(root: TableReader) -> tuple[Topic, ...]:
    topics = tuple(Topic(key=t.text("key"), title=t.text("title")) for t in root.tables("topics"))
    if len({t.key for t in topics}) != len(topics):
        raise root.fail("topics", "two topics share a key")
    return topics


def _submission(sub: TableReader) -> SubmissionRules:
    zone = sub.zone("deadline_timezone")
    deadline = Deadline(sub.local_datetime("deadline").replace(tzinfo=zone), _zone_label(zone))
    opens = sub.local_datetime("opens", required=False)
    pages_min = sub.positive_int("pages_min")
    pages_max = sub.positive_int("pages_max")
    if pages_max < pages_min:
        raise sub.fail("pages_max", f"must be at least pages_min ({pages_min})")
    return SubmissionRules(
        deadline=deadline,
        grace=timedelta(minutes=sub.get("grace_minutes", int, required=False) or 0),
        opens=opens.replace(tzinfo=zone).astimezone(UTC) if opens else None,
        notification=sub.day("notification"),
        pages_min=pages_min,
        pages_max=pages_max,
        max_file_bytes=sub.positive_int("max_file_mb") * 1024 * 1024,
        abstract_words_max=sub.positive_int("abstract_words_max"),
        title_chars_max=sub.positive_int("title_chars_max"),
        number_prefix=sub.text("number_prefix"),
    )


def _review(rev: TableReader, submission: SubmissionRules) -> ReviewRules:
    """[review]; every key is optional. Without a deadline, reviews close at the end of the
    day before the author notification, in the submission deadline's zone."""
    zone = submission.deadline.at.tzinfo
    if rev.has("deadline_timezone"):
        zone = rev.zone("deadline_timezone")
    at = rev.local_datetime("deadline", required=False)
    if at is None:
        at = datetime.combine(submission.notification - timedelta(days=1), time(23, 59, 59))
    deadline = Deadline(at.replace(tzinfo=zone), _zone_label(zone))
    if deadline.at.date() < submission.deadline.at.date():
        raise rev.fail("deadline", "must not be before submission.deadline")
    fields = DEFAULT_REVIEW_FIELDS
    if rev.has("fields"):
        fields = tuple(_review_field(item) for item in rev.tables("fields"))
        keys = [f.key for f in fields]
        if len(set(keys)) != len(keys):
            raise rev.fail("fields", "two fields have the same key")
        roles = [f.role for f in fields if f.role]
        if len(set(roles)) != len(roles):
            raise rev.fail("fields", "at most one field has role merit, and one expertise")
    return ReviewRules(
        deadline=deadline,
        fields=fields,
        double_blind=bool(rev.get("double_blind", bool, required=False)),
        hide_reviewer_names=bool(rev.get("hide_reviewer_names", bool, required=False)),
        per_submission=rev.positive_int("per_submission", required=False) or 3,
    )


def _materials(
    mat: TableReader, submission: SubmissionRules, zone: Zone, starts: datetime
) -> MaterialsRules:
    """[materials]; every key is optional. Without a deadline, uploads close when the
    workshop starts (the time is in the workshop's zone, like the program's)."""
    at = mat.local_datetime("deadline", required=False)
    deadline = Deadline(at.replace(tzinfo=zone) if at else starts, _zone_label(zone))
    if deadline.at.date() < submission.notification:
        raise mat.fail("deadline", "must not be before submission.notification")
    pages_min = mat.positive_int("pages_min", required=False) or submission.pages_min
    pages_max = mat.positive_int("pages_max", required=False) or submission.pages_max
    if pages_max < pages_min:
        raise mat.fail("pages_max", f"must be at least pages_min ({pages_min})")
    final_mb = mat.positive_int("final_max_file_mb", required=False)
    return MaterialsRules(
        deadline=deadline,
        pages_min=pages_min,
        pages_max=pages_max,
        final_max_file_bytes=final_mb * 1024 * 1024 if final_mb else submission.max_file_bytes,
        slides_max_file_bytes=(mat.positive_int("slides_max_mb", required=False) or 50)
        * 1024
        * 1024,
        bio_words_max=mat.positive_int("bio_words_max", required=False) or 150,
    )


def _review_field(item: TableReader) -> ReviewField:
    key = item.text("key")
    if not key.replace("_", "").isalnum() or not key.isascii():
        raise item.fail("key", f"use letters, digits and _ only, got {key!r}")
    kind = item.choice("kind", ("score", "text"))
    required = item.get("required", bool, required=False)
    if kind == "text":
        return ReviewField(
            key,
            item.text("label"),
            "text",
            audience=item.choice("audience", ("authors", "committee")),
            required=True if required is None else required,
            help=item.text("help", required=False) or "",
        )
    labels = item.strings("labels")
    lowest = item.get("min", int, required=False)
    lowest = 1 if lowest is None else lowest
    highest = item.get("max", int, required=False)
    if highest is None:
        highest = lowest + len(labels) - 1
    if highest <= lowest:
        raise item.fail("max", f"must be above min ({lowest})")
    if labels and len(labels) != highest - lowest + 1:
        raise item.fail("labels", f"give one label per point from {lowest} to {highest}")
    scale = tuple(
        (point, labels[point - lowest] if labels else str(point))
        for point in range(lowest, highest + 1)
    )
    return ReviewField(
        key,
        item.text("label"),
        "score",
        scale=scale,
        role=item.choice("role", ("merit", "expertise"), required=False) or "",
        required=True if required is None else required,
        help=item.text("help", required=False) or "",
    )


def _registration(reg: TableReader, zone: Zone, starts: datetime) -> RegistrationRules:
    opens = reg.local_datetime("opens", required=False)
    closes = reg.local_datetime("closes", required=False)
    positions = DEFAULT_POSITIONS
    if reg.has("positions"):
        positions = tuple((p.text("key"), p.text("label")) for p in reg.tables("positions"))
        if not positions:
            raise reg.fail("positions", "needs at least one choice")
    fields = dict(DEFAULT_REGISTRATION_FIELDS)
    if reg.has("fields"):
        settings = reg.table("fields")
        for key in settings.data:
            if key not in REGISTRATION_FIELD_SETTINGS:
                known = ", ".join(REGISTRATION_FIELD_SETTINGS)
                raise settings.fail(key, f"unknown field (known: {known})")
            allowed = REGISTRATION_FIELD_SETTINGS[key]
            if (setting := settings.text(key)) not in allowed:
                raise settings.fail(key, f"use {' or '.join(allowed)}, got {setting!r}")
            fields[key] = setting
    return RegistrationRules(
        opens=opens.replace(tzinfo=zone).astimezone(UTC) if opens else None,
        closes=(closes.replace(tzinfo=zone) if closes else starts).astimezone(UTC),
        capacity=reg.positive_int("capacity", required=False),
        positions=positions,
        fields=fields,
    )


def _check_dates_in_order(
    sub: TableReader,
    reg: TableReader,
    submission: SubmissionRules,
    registration: RegistrationRules,
    starts: datetime,
) -> None:
    """Refuse dates that cannot all be true (a typo in a year or month, usually)."""
    deadline = submission.deadline.at
    if submission.opens is not None and submission.opens >= deadline:
        raise sub.fail("opens", f"must be before submission.deadline ({deadline:%Y-%m-%d %H:%M})")
    if deadline.date() > submission.notification:
        raise sub.fail(
            "notification",
            f"must not be before submission.deadline ({deadline:%Y-%m-%d}), "
            f"got {submission.notification}",
        )
    if submission.notification > starts.date():
        raise sub.fail(
            "notification",
            f"must not be after the workshop ({starts:%Y-%m-%d}), got {submission.notification}",
        )
    closes = registration.closes.astimezone(starts.tzinfo)
    if registration.closes > starts:
        raise reg.fail(
            "closes",
            f"must not be after the workshop starts ({starts:%Y-%m-%d %H:%M}), "
            f"got {closes:%Y-%m-%d %H:%M}",
        )
    if registration.opens is not None and registration.opens >= registration.closes:
        raise reg.fail("opens", f"must be before registration closes ({closes:%Y-%m-%d %H:%M})")


def _key_dates(
    root: TableReader,
    day: date,
    submission: SubmissionRules,
    review: ReviewRules,
    materials: MaterialsRules,
) -> tuple[KeyDate, ...]:
    deadline = submission.deadline
    # `is = "..."`: a date that is another fact's, so it cannot drift from it.
    same_as = {
        "submission_deadline": (deadline.at.date(), deadline),
        "notification": (submission.notification, None),
        "review_deadline": (review.deadline.at.date(), review.deadline),
        "materials_deadline": (materials.deadline.at.date(), materials.deadline),
        "workshop": (day, None),
    }
    key_dates = []
    for item in root.tables("key_dates"):
        label = item.text("label")
        meaning = item.text("is", required=False)
        if meaning is None:
            key_dates.append(KeyDate(label, item.day("date")))
        elif meaning in same_as:
            key_dates.append(KeyDate(label, *same_as[meaning]))
        else:
            raise item.fail(
                "is",
                f"unknown {meaning!r} (use submission_deadline, review_deadline, "
                "materials_deadline, notification or workshop, or give a date)",
            )
    return tuple(key_dates)


def _speakers(root: TableReader) -> dict[str, Speaker]:
    speakers: dict[str, Speaker] = {}
    for item in root.tables("speakers", required=False):
        key = item.text("key")
        if key in speakers:
            raise item.fail("key", f"another speaker already has the key {key!r}")
        bio = item.text("bio", required=False)
        speakers[key] = Speaker(
            key=key,
            name=item.text("name"),
            affiliation=item.text("affiliation"),
            bio=render_markdown(bio) if bio else None,
            url=item.url("url", required=False),
        )
    return speakers


def _program(
    root: TableReader, day: date, zone: Zone, speakers: dict[str, Speaker], topic_keys: list[str]
) -> tuple[ProgramItem, ...]:
    program = []
    for item in root.tables("program", required=False):
        kind = item.choice("kind", PROGRAM_KINDS)
        starts = datetime.combine(day, item.clock_time("starts"), zone)
        ends = datetime.combine(day, item.clock_time("ends"), zone)
        if ends <= starts:
            raise item.fail("ends", "must be after starts")
        talk_speakers = []
        for key in item.strings("speakers"):
            if key not in speakers:
                raise item.fail("speakers", f"unknown speaker {key!r} (add it under [[speakers]])")
            talk_speakers.append(speakers[key])
        for key in item.strings("topics"):
            if key not in topic_keys:
                raise item.fail("topics", f"unknown topic {key!r} (known: {', '.join(topic_keys)})")
        abstract = item.text("abstract", required=False)
        program.append(
            ProgramItem(
                starts=starts,
                ends=ends,
                title=item.text("title"),
                kind=kind,
                speakers=tuple(talk_speakers),
                presenters=item.text("presenters", required=False) or "",
                authors=tuple(
                    Person(a.text("name"), a.text("affiliation"))
                    for a in item.tables("authors", required=False)
                ),
                abstract=render_markdown(abstract) if abstract else None,
                slides_url=item.url("slides_url", required=False),
                video_url=item.url("video_url", required=False),
                key=f"{slug(item.text('title'), limit=40) or kind}-{starts:%H%M}",
            )
        )
    return tuple(sorted(program, key=lambda p: p.starts))


def _pages(folder: Path) -> dict[str, Page]:
    pages = {path.stem: _page(path) for path in sorted(folder.glob("*.md"))}
    for needed in NEEDED_PAGES:
        if needed not in pages:
            raise ContentError(
                folder / f"{needed}.md", "file", "not found (every edition needs this page)"
            )
    return pages


def _page(path: Path) -> Page:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, Any] = {}
    if text.startswith("+++"):
        end = text.find("\n+++", 3)
        if end == -1:
            raise ContentError(path, "front matter", "opened with +++ but never closed")
        try:
            meta = tomllib.loads(text[3:end])
        except tomllib.TOMLDecodeError as error:
            raise ContentError(path, "front matter", str(error)) from None
        text = text[end + 4 :]
    front = TableReader(path, meta)
    return Page(
        slug=path.stem,
        title=front.text("title"),
        description=front.text("description"),
        body=render_markdown(text),
    )
