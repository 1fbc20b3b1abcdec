"""What an edition of the workshop is: the facts load_workshop reads, typed and frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from markupsafe import Markup

from ..core.windows import TimeWindow, end_after

# Anywhere on Earth: the last time zone on Earth to reach a date, UTC-12.
AOE = timezone(timedelta(hours=-12), "AoE")
AOE_LABEL = "Anywhere on Earth (UTC−12)"
Zone = ZoneInfo | timezone  # a named zone, or AOE

DEFAULT_POSITIONS = (
    ("student", "Student"),
    ("academia", "Academia (faculty, researcher, postdoc)"),
    ("industry", "Industry"),
    ("other", "Other"),
)

# The registration form's optional fields and how it asks for them; the content file can set
# each under [registration.fields] to one of its settings (a listing is never required).
DEFAULT_REGISTRATION_FIELDS = {
    "affiliation": "required",
    "dietary": "optional",
    "accessibility": "optional",
    "public_listing": "optional",
}
REGISTRATION_FIELD_SETTINGS = {
    "affiliation": ("required", "optional", "off"),
    "dietary": ("required", "optional", "off"),
    "accessibility": ("required", "optional", "off"),
    "public_listing": ("optional", "off"),
}


@dataclass(frozen=True)
class Deadline:
    """A moment people must meet, with the zone it was announced in."""

    at: datetime  # aware, in the announced zone
    zone_label: str

    @property
    def utc(self) -> datetime:
        return self.at.astimezone(UTC)


@dataclass(frozen=True)
class KeyDate:
    label: str
    day: date
    deadline: Deadline | None = None  # set when the date is a deadline with a time


@dataclass(frozen=True)
class Topic:
    key: str
    title: str


@dataclass(frozen=True)
class Person:
    name: str
    affiliation: str
    role: str = ""


@dataclass(frozen=True)
class Speaker:
    key: str
    name: str
    affiliation: str
    bio: Markup | None = None
    url: str | None = None


PROGRAM_KINDS = ("welcome", "invited", "paper", "break", "meal", "session")


@dataclass(frozen=True)
class ProgramItem:
    starts: datetime  # aware, in the workshop's zone
    ends: datetime
    title: str
    kind: str  # one of PROGRAM_KINDS
    speakers: tuple[Speaker, ...] = ()
    presenters: str = ""  # free text for people without a speaker page
    authors: tuple[Person, ...] = ()
    abstract: Markup | None = None
    slides_url: str | None = None
    video_url: str | None = None
    # A stable name for the item in addresses (its own calendar file, /program/<key>.ics).
    key: str = ""
    room: str = ""
    chair: str = ""  # a session's chair
    session: str = ""  # the title of the session the item belongs to, if any


# The conditions a news item can be shown under (`while = "submissions_open"`); the site
# decides at each request which of them hold (fastpath/site/state.py).
SHOWN_WHILE = (
    "submissions_not_yet",
    "submissions_open",
    "submissions_closed",
    "registration_not_yet",
    "registration_open",
    "registration_full",
    "registration_closed",
    "before_workshop",
    "during_workshop",
    "after_workshop",
)


@dataclass(frozen=True)
class NewsItem:
    title: str
    body: Markup
    day: date | None = None
    shown_while: str | None = None  # one of SHOWN_WHILE; None: always shown


@dataclass(frozen=True)
class PreviousEdition:
    year: int
    summary: str
    place: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    description: str
    body: Markup


@dataclass(frozen=True)
class SubmissionRules:
    deadline: Deadline
    grace: timedelta
    opens: datetime | None
    notification: date
    pages_min: int
    pages_max: int
    max_file_bytes: int
    abstract_words_max: int
    title_chars_max: int
    number_prefix: str

    @property
    def closes(self) -> datetime:
        """The last moment a submission or edit is accepted (deadline plus grace), UTC."""
        return self.deadline.utc + self.grace

    @property
    def window(self) -> TimeWindow:
        return TimeWindow(self.opens, end_after(self.closes))


@dataclass(frozen=True)
class RegistrationRules:
    opens: datetime | None
    closes: datetime  # aware, UTC
    capacity: int | None  # None = unlimited
    positions: tuple[tuple[str, str], ...]
    fields: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_REGISTRATION_FIELDS))

    @property
    def window(self) -> TimeWindow:
        return TimeWindow(self.opens, end_after(self.closes))


@dataclass(frozen=True)
class ReviewField:
    """One field of the committee's review form: a score on a scale, or a text."""

    key: str
    label: str
    kind: str  # "score" or "text"
    # score fields: the scale and a label for each point ((1, "Strong reject"), ...)
    scale: tuple[tuple[int, str], ...] = ()
    # "merit" (the overall score the chairs' table averages), "expertise" (the reviewer's
    # confidence, its weight), or "" for any other score
    role: str = ""
    # text fields: "authors" (may be sent to the authors with the decision) or "committee"
    audience: str = "committee"
    required: bool = True
    help: str = ""

    @property
    def lowest(self) -> int:
        return self.scale[0][0]

    @property
    def highest(self) -> int:
        return self.scale[-1][0]

    def label_of(self, value: int | None) -> str:
        return dict(self.scale).get(value, "") if value is not None else ""


DEFAULT_REVIEW_FIELDS = (
    ReviewField(
        "overall_merit",
        "Overall merit",
        "score",
        scale=(
            (1, "Strong reject"),
            (2, "Weak reject"),
            (3, "Borderline"),
            (4, "Weak accept"),
            (5, "Strong accept"),
        ),
        role="merit",
    ),
    ReviewField(
        "expertise",
        "Reviewer expertise",
        "score",
        scale=(
            (1, "No familiarity"),
            (2, "Some familiarity"),
            (3, "Knowledgeable"),
            (4, "Expert"),
        ),
        role="expertise",
    ),
    ReviewField(
        "comments_for_authors",
        "Comments for the authors",
        "text",
        audience="authors",
        help="The chairs may send these to the authors with the decision, without your name.",
    ),
    ReviewField(
        "comments_for_committee",
        "Comments for the committee only",
        "text",
        audience="committee",
        required=False,
        help="Never shown to the authors.",
    ),
)


@dataclass(frozen=True)
class ReviewRules:
    """How the program committee reviews: the form, the deadline, who sees whom."""

    deadline: Deadline  # reviews and edits close here
    fields: tuple[ReviewField, ...] = DEFAULT_REVIEW_FIELDS
    # Reviewers see no author names, emails or affiliations anywhere.
    double_blind: bool = False
    # Reviewers see each other's reviews (after submitting their own) without names.
    hide_reviewer_names: bool = False
    per_submission: int = 3  # the automatic assignment's default

    @property
    def closes(self) -> datetime:
        return self.deadline.utc

    def field(self, key: str) -> ReviewField | None:
        return next((f for f in self.fields if f.key == key), None)

    @property
    def score_fields(self) -> tuple[ReviewField, ...]:
        return tuple(f for f in self.fields if f.kind == "score")

    @property
    def text_fields(self) -> tuple[ReviewField, ...]:
        return tuple(f for f in self.fields if f.kind == "text")

    @property
    def merit_field(self) -> ReviewField | None:
        return next((f for f in self.fields if f.role == "merit"), None)

    @property
    def expertise_field(self) -> ReviewField | None:
        return next((f for f in self.fields if f.role == "expertise"), None)

    @property
    def author_text_fields(self) -> tuple[ReviewField, ...]:
        return tuple(f for f in self.text_fields if f.audience == "authors")


@dataclass(frozen=True)
class MaterialsRules:
    """What accepted authors hand in after the decision, through their private link."""

    deadline: Deadline  # uploads and edits close here (an organizer can reopen one submission)
    pages_min: int  # the final version's page range (default: the submission's)
    pages_max: int
    final_max_file_bytes: int
    slides_max_file_bytes: int
    bio_words_max: int

    @property
    def closes(self) -> datetime:
        return self.deadline.utc


@dataclass(frozen=True)
class Workshop:
    """Everything the site knows about one edition of the workshop."""

    directory: Path
    short_name: str
    name: str
    auspices: str
    day: date
    starts: datetime  # aware, in the workshop's zone
    ends: datetime
    zone: Zone
    place: str
    site_url: str | None
    conference_short_name: str
    conference_name: str
    conference_url: str
    topics: tuple[Topic, ...]
    key_dates: tuple[KeyDate, ...]
    organizers: tuple[Person, ...]
    program_committee: tuple[Person, ...]
    speakers: tuple[Speaker, ...]
    program: tuple[ProgramItem, ...]
    news: tuple[NewsItem, ...]
    previous_editions: tuple[PreviousEdition, ...]
    submission: SubmissionRules
    registration: RegistrationRules
    review: ReviewRules
    materials: MaterialsRules
    pages: dict[str, Page] = field(default_factory=dict)

    def topic(self, key: str) -> Topic | None:
        return next((t for t in self.topics if t.key == key), None)

    def speaker(self, key: str) -> Speaker | None:
        return next((s for s in self.speakers if s.key == key), None)

    def talks_by(self, speaker: Speaker) -> list[ProgramItem]:
        return [item for item in self.program if speaker in item.speakers]

    def organizers_by_role(self) -> list[tuple[str, list[Person]]]:
        roles: dict[str, list[Person]] = {}
        for person in self.organizers:
            roles.setdefault(person.role, []).append(person)
        return list(roles.items())
