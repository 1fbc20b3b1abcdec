"""The workshop's facts and prose, loaded once at start-up from a content folder.

A content folder holds `workshop.toml` (the facts) and `pages/*.md` (prose with TOML front
matter between `+++` lines). Next year's edition is a new folder, chosen with
FASTPATH_CONTENT_DIR. Everything is validated when the app starts: a mistake stops start-up
with a message naming the file, the field and what is wrong.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import nh3
from flask import current_app
from markdown_it import MarkdownIt
from markupsafe import Markup

from .core.windows import TimeWindow, end_after

# Anywhere on Earth: the last time zone on Earth to reach a date, UTC-12.
AOE = timezone(timedelta(hours=-12), "AoE")
AOE_LABEL = "Anywhere on Earth (UTC−12)"

DEFAULT_POSITIONS = (
    ("student", "Student"),
    ("academia", "Academia (faculty, researcher, postdoc)"),
    ("industry", "Industry"),
    ("other", "Other"),
)

# The registration form's optional fields and how it asks for them; the content file can set
# each to "required", "optional" or "off" under [registration.fields].
DEFAULT_REGISTRATION_FIELDS = {
    "affiliation": "required",
    "dietary": "optional",
    "accessibility": "optional",
    "public_listing": "optional",
}


class ContentError(Exception):
    """A content file is wrong; the message names the file, the field and the problem."""

    def __init__(self, path: Path, where: str, problem: str) -> None:
        self.path, self.where, self.problem = path, where, problem
        super().__init__(f"{path}: {where}: {problem}")


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


@dataclass(frozen=True)
class ProgramItem:
    starts: datetime  # aware, in the workshop's zone
    ends: datetime
    title: str
    kind: str  # welcome, invited, paper, break, meal
    speakers: tuple[Speaker, ...] = ()
    presenters: str = ""  # free text for people without a speaker page
    authors: tuple[Person, ...] = ()
    abstract: Markup | None = None
    slides_url: str | None = None
    video_url: str | None = None

    @property
    def is_talk(self) -> bool:
        return self.kind in ("invited", "paper")


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
class Workshop:
    """Everything the site knows about one edition of the workshop."""

    directory: Path
    short_name: str
    name: str
    auspices: str
    day: date
    starts: datetime  # aware, in the workshop's zone
    ends: datetime
    zone: ZoneInfo
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


# --- Markdown -------------------------------------------------------------------------------

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
_markdown.enable("table")

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


def render_markdown(text: str) -> Markup:
    """Markdown to HTML with anything unsafe (scripts, handlers, styles) removed."""
    html = _markdown.render(text)
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )
    return Markup(clean)


# --- Reading and checking -------------------------------------------------------------------


class _Reader:
    """Typed access to one TOML table that reports mistakes with the file and field."""

    def __init__(self, path: Path, data: dict[str, Any], where: str = "") -> None:
        self.path, self.data, self.where = path, data, where

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str) -> ContentError:
        return ContentError(self.path, self._name(key), problem)

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, kind: type | tuple[type, ...], *, required: bool = True) -> Any:
        if key not in self.data:
            if required:
                raise self.fail(key, "is missing")
            return None
        value = self.data[key]
        # bool is an int in Python; a page count of `true` is still a mistake.
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.fail(key, f"expected {_kind_name(kind)}, got {value!r}")
        if not isinstance(value, kind):
            raise self.fail(key, f"expected {_kind_name(kind)}, got {value!r}")
        return value

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.get(key, str, required=required)
        if value is not None and not value.strip():
            raise self.fail(key, "must not be empty")
        return value.strip() if value is not None else None

    def day(self, key: str, *, required: bool = True) -> date | None:
        value = self.get(key, (date, str), required=required)
        if value is None:
            return None
        if isinstance(value, datetime):
            raise self.fail(key, f"expected a date like 2020-04-05, got {value.isoformat()}")
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise self.fail(key, f"expected a date like 2020-04-05, got {value!r}") from None
        return value

    def local_datetime(self, key: str, *, required: bool = True) -> datetime | None:
        """A date and time without a zone; the caller says which zone it is in."""
        value = self.get(key, (datetime, str), required=required)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise self.fail(
                    key, f"expected a date and time like 2020-02-21T23:59:00, got {value!r}"
                ) from None
        if value.tzinfo is not None:
            raise self.fail(key, "give the time without a UTC offset; the zone is set separately")
        return value

    def clock_time(self, key: str) -> time:
        value = self.get(key, (time, str))
        if isinstance(value, str):
            try:
                value = time.fromisoformat(value)
            except ValueError:
                raise self.fail(key, f"expected a time like 09:00, got {value!r}") from None
        return value

    def positive_int(self, key: str, *, required: bool = True) -> int | None:
        value = self.get(key, int, required=required)
        if value is not None and value <= 0:
            raise self.fail(key, f"must be a positive whole number, got {value}")
        return value

    def url(self, key: str, *, required: bool = True) -> str | None:
        value = self.text(key, required=required)
        if value is not None and not value.startswith(("https://", "http://")):
            raise self.fail(key, f"expected a web address starting with https://, got {value!r}")
        return value

    def table(self, key: str) -> _Reader:
        return _Reader(self.path, self.get(key, dict), self._name(key))

    def tables(self, key: str, *, required: bool = True) -> list[_Reader]:
        items = self.get(key, list, required=required) or []
        readers = []
        for index, item in enumerate(items):
            where = f"{self._name(key)}[{index + 1}]"
            if not isinstance(item, dict):
                raise ContentError(self.path, where, f"expected a table, got {item!r}")
            readers.append(_Reader(self.path, item, where))
        return readers

    def strings(self, key: str) -> list[str]:
        values = self.get(key, list, required=False) or []
        for value in values:
            if not isinstance(value, str):
                raise self.fail(key, f"expected a list of text, got {value!r}")
        return values


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "text",
        int: "a whole number",
        bool: "true or false",
        dict: "a table",
        list: "a list",
        date: "a date",
        datetime: "a date and time",
        time: "a time",
    }
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def _zone(reader: _Reader, key: str) -> tzinfo_type:
    name = reader.text(key)
    if name in ("AoE", "Anywhere on Earth"):
        return AOE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise reader.fail(
            key, f"unknown time zone {name!r} (use e.g. AoE or America/New_York)"
        ) from None


tzinfo_type = ZoneInfo | timezone


def _zone_label(zone: tzinfo_type) -> str:
    return AOE_LABEL if zone is AOE else str(zone)


def _read_page(path: Path) -> Page:
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
    reader = _Reader(path, meta)
    return Page(
        slug=path.stem,
        title=reader.text("title"),
        description=reader.text("description"),
        body=render_markdown(text),
    )


def _check_dates_in_order(
    sub: _Reader,
    reg: _Reader,
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
    if registration.closes > starts:
        closes = registration.closes.astimezone(starts.tzinfo)
        raise reg.fail(
            "closes",
            f"must not be after the workshop starts ({starts:%Y-%m-%d %H:%M}), "
            f"got {closes:%Y-%m-%d %H:%M}",
        )
    if registration.opens is not None and registration.opens >= registration.closes:
        closes = registration.closes.astimezone(starts.tzinfo)
        raise reg.fail("opens", f"must be before registration closes ({closes:%Y-%m-%d %H:%M})")


def load_workshop(directory: str | Path) -> Workshop:
    """Read and check a content folder; raise ContentError on the first mistake."""
    directory = Path(directory)
    path = directory / "workshop.toml"
    if not path.is_file():
        raise ContentError(
            path,
            "file",
            "not found (FASTPATH_CONTENT_DIR points at a folder without workshop.toml)",
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ContentError(path, "syntax", str(error)) from None
    root = _Reader(path, data)

    ws = root.table("workshop")
    zone = _zone(ws, "timezone")
    day = ws.day("date")
    starts = datetime.combine(day, ws.clock_time("starts"), zone)
    ends = datetime.combine(day, ws.clock_time("ends"), zone)
    if ends <= starts:
        raise ws.fail("ends", "must be after workshop.starts")
    conference = root.table("conference")

    topics = []
    for item in root.tables("topics"):
        topics.append(Topic(key=item.text("key"), title=item.text("title")))
    topic_keys = [t.key for t in topics]
    if len(set(topic_keys)) != len(topic_keys):
        raise root.fail("topics", "two topics share a key")

    sub = root.table("submission")
    deadline_zone = _zone(sub, "deadline_timezone")
    deadline = Deadline(
        sub.local_datetime("deadline").replace(tzinfo=deadline_zone), _zone_label(deadline_zone)
    )
    sub_opens = sub.local_datetime("opens", required=False)
    pages_min = sub.positive_int("pages_min")
    pages_max = sub.positive_int("pages_max")
    if pages_max < pages_min:
        raise sub.fail("pages_max", f"must be at least pages_min ({pages_min})")
    submission = SubmissionRules(
        deadline=deadline,
        grace=timedelta(minutes=sub.get("grace_minutes", int, required=False) or 0),
        opens=sub_opens.replace(tzinfo=deadline_zone).astimezone(UTC) if sub_opens else None,
        notification=sub.day("notification"),
        pages_min=pages_min,
        pages_max=pages_max,
        max_file_bytes=sub.positive_int("max_file_mb") * 1024 * 1024,
        abstract_words_max=sub.positive_int("abstract_words_max"),
        title_chars_max=sub.positive_int("title_chars_max"),
        number_prefix=sub.text("number_prefix"),
    )

    reg = (
        root.table("registration")
        if root.has("registration")
        else _Reader(path, {}, "registration")
    )
    reg_opens = reg.local_datetime("opens", required=False)
    reg_closes = reg.local_datetime("closes", required=False)
    positions = DEFAULT_POSITIONS
    if reg.has("positions"):
        positions = tuple((p.text("key"), p.text("label")) for p in reg.tables("positions"))
        if not positions:
            raise reg.fail("positions", "needs at least one choice")
    reg_fields = dict(DEFAULT_REGISTRATION_FIELDS)
    if reg.has("fields"):
        field_table = reg.table("fields")
        for key in field_table.data:
            if key not in reg_fields:
                raise field_table.fail(key, f"unknown field (known: {', '.join(reg_fields)})")
            setting = field_table.text(key)
            allowed = (
                ("optional", "off") if key == "public_listing" else ("required", "optional", "off")
            )
            if setting not in allowed:
                raise field_table.fail(key, f"use {' or '.join(allowed)}, got {setting!r}")
            reg_fields[key] = setting
    registration = RegistrationRules(
        opens=reg_opens.replace(tzinfo=zone).astimezone(UTC) if reg_opens else None,
        closes=(reg_closes.replace(tzinfo=zone) if reg_closes else starts).astimezone(UTC),
        capacity=reg.positive_int("capacity", required=False),
        positions=positions,
        fields=reg_fields,
    )
    _check_dates_in_order(sub, reg, submission, registration, starts)

    key_dates = []
    for item in root.tables("key_dates"):
        label = item.text("label")
        meaning = item.text("is", required=False)
        if meaning == "submission_deadline":
            key_dates.append(KeyDate(label, deadline.at.date(), deadline))
        elif meaning == "workshop":
            key_dates.append(KeyDate(label, day))
        elif meaning == "notification":
            key_dates.append(KeyDate(label, submission.notification))
        elif meaning is None:
            key_dates.append(KeyDate(label, item.day("date")))
        else:
            raise item.fail(
                "is",
                f"unknown {meaning!r} (use submission_deadline, notification or workshop, "
                "or give a date)",
            )

    organizers = [
        Person(p.text("name"), p.text("affiliation"), p.text("role"))
        for p in root.tables("organizers")
    ]
    committee = [
        Person(p.text("name"), p.text("affiliation")) for p in root.tables("program_committee")
    ]

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

    program = []
    kinds = ("welcome", "invited", "paper", "break", "meal", "session")
    for item in root.tables("program", required=False):
        kind = item.text("kind")
        if kind not in kinds:
            raise item.fail("kind", f"unknown {kind!r} (use one of {', '.join(kinds)})")
        item_starts = datetime.combine(day, item.clock_time("starts"), zone)
        item_ends = datetime.combine(day, item.clock_time("ends"), zone)
        if item_ends <= item_starts:
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
                starts=item_starts,
                ends=item_ends,
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
            )
        )
    program.sort(key=lambda p: p.starts)

    news = []
    for item in root.tables("news", required=False):
        shown_while = item.text("while", required=False)
        if shown_while is not None and shown_while not in SHOWN_WHILE:
            known = ", ".join(SHOWN_WHILE)
            raise item.fail("while", f"unknown {shown_while!r} (use one of {known})")
        news.append(
            NewsItem(
                item.text("title"),
                render_markdown(item.text("body")),
                item.day("date", required=False),
                shown_while,
            )
        )

    previous = []
    for item in root.tables("previous_editions", required=False):
        previous.append(
            PreviousEdition(
                year=item.positive_int("year"),
                summary=item.text("summary"),
                place=item.text("place", required=False) or "",
                url=item.url("url", required=False),
            )
        )

    pages = {}
    pages_dir = directory / "pages"
    for page_path in sorted(pages_dir.glob("*.md")):
        page = _read_page(page_path)
        pages[page.slug] = page
    for needed in ("background", "call-for-papers", "venue"):
        if needed not in pages:
            raise ContentError(
                pages_dir / f"{needed}.md", "file", "not found (every edition needs this page)"
            )

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
        topics=tuple(topics),
        key_dates=tuple(key_dates),
        organizers=tuple(organizers),
        program_committee=tuple(committee),
        speakers=tuple(speakers.values()),
        program=tuple(program),
        news=tuple(news),
        previous_editions=tuple(sorted(previous, key=lambda e: -e.year)),
        submission=submission,
        registration=registration,
        pages=pages,
    )


def current_workshop() -> Workshop:
    """The edition this app serves (loaded once by create_app): the one way code reads it."""
    return current_app.extensions["workshop"]
