"""The draft as a snapshot in program.public's format (version 1): what publishing stores."""

from __future__ import annotations

import json
from datetime import datetime

from ..clock import now
from ..content import Speaker, Workshop, current_workshop
from ..core.audit import AuditAction, record
from ..core.extensions import db
from ..core.text import slug
from ..materials.models import FinalMaterials
from ..organizer.models import Organizer
from . import services
from .checks import check_program
from .models import EntryKind, ProgramPublication
from .public import SNAPSHOT_FORMAT
from .services import TimedEntry, load_draft

# Draft kinds as public kinds (content.PROGRAM_KINDS). A keynote is an invited talk whose
# title says it is one; "other" has no public kind of its own and keeps its name.
PUBLIC_KINDS = {
    EntryKind.TALK: "paper",
    EntryKind.WELCOME: "welcome",
    EntryKind.KEYNOTE: "invited",
    EntryKind.INVITED: "invited",
    EntryKind.BREAK: "break",
    EntryKind.MEAL: "meal",
    EntryKind.OTHER: "other",
}


def _iso(moment: datetime, workshop: Workshop) -> str:
    return moment.astimezone(workshop.zone).isoformat()


def _content_speaker(speaker: Speaker) -> dict:
    return {
        "key": speaker.key,
        "name": speaker.name,
        "affiliation": speaker.affiliation,
        "bio": None,
        "bio_html": str(speaker.bio) if speaker.bio else None,
        "url": speaker.url,
    }


class _Keys:
    """Keys unique within the snapshot: the first one asked for, else with a suffix."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)

    def claim(self, wanted: str, suffix: str) -> str:
        key = wanted or suffix
        if key in self.taken:
            key = f"{wanted}-{suffix}" if wanted else suffix
        number = 2
        base = key
        while key in self.taken:
            key, number = f"{base}-{number}", number + 1
        self.taken.add(key)
        return key


def build_snapshot(workshop: Workshop) -> dict:
    """The public program (items in time order, speakers) from the current draft."""
    draft = load_draft(workshop)
    content_items = {item.key: item for item in workshop.program if item.key}
    speakers: dict[str, dict] = {}
    speaker_keys = _Keys({s.key for s in workshop.speakers})
    item_keys = _Keys(set())
    talk_ids = [
        t.entry.submission_id
        for block in draft.sessions
        for t in block.entries
        if t.entry.kind == EntryKind.TALK
    ]
    materials = {
        m.submission_id: m
        for m in db.session.scalars(
            db.select(FinalMaterials).where(FinalMaterials.submission_id.in_(talk_ids))
        )
    }

    def entry_item(timed: TimedEntry, session_title: str, room: str) -> dict:
        entry = timed.entry
        item = {
            "kind": PUBLIC_KINDS[entry.kind],
            "title": entry.title,
            "starts": _iso(timed.starts, workshop),
            "ends": _iso(timed.ends, workshop),
            "session": session_title,
            "room": room,
            "chair": "",
            "speakers": [],
            "presenters": entry.presenters,
            "authors": [],
            "abstract": None,
            "abstract_html": None,
            "slides": None,
            "slides_url": None,
            "video_url": None,
            "submission_id": None,
        }
        if entry.kind == EntryKind.TALK and entry.submission is not None:
            submission = entry.submission
            key = item_keys.claim(submission.reference.lower(), f"entry-{entry.id}")
            item.update(
                key=key,
                title=submission.title,
                presenters="",
                authors=[
                    {"name": a.name, "affiliation": a.affiliation} for a in submission.authors
                ],
                abstract=submission.abstract,
                submission_id=submission.id,
            )
            row = materials.get(submission.id)
            if row is not None and row.presenter is not None:
                presenter = row.presenter
                speaker_key = speaker_keys.claim(slug(presenter.name), key)
                speakers[speaker_key] = {
                    "key": speaker_key,
                    "name": presenter.name,
                    "affiliation": presenter.affiliation,
                    "bio": row.bio or None,
                    "bio_html": None,
                    "url": None,
                }
                item["speakers"] = [speaker_key]
            if row is not None and row.consent_publish:
                item["slides"] = row.slides_stored_name or None
                item["video_url"] = row.video_url or None
            return item
        wanted = entry.content_key or f"{slug(entry.title, limit=32)}-{timed.starts:%H%M}"
        item["key"] = item_keys.claim(wanted, f"entry-{entry.id}")
        keys = [k for k in entry.speaker_keys.split(",") if k]
        for speaker_key in keys:
            speaker = workshop.speaker(speaker_key)
            if speaker is not None:
                speakers.setdefault(speaker.key, _content_speaker(speaker))
        item["speakers"] = [k for k in keys if k in speakers]
        content = content_items.get(entry.content_key) if entry.content_key else None
        if content is not None:
            if entry.kind == EntryKind.OTHER:  # a historical paper of the content file
                item["kind"] = content.kind
            item.update(
                authors=[{"name": a.name, "affiliation": a.affiliation} for a in content.authors],
                abstract_html=str(content.abstract) if content.abstract else None,
                slides_url=content.slides_url,
                video_url=content.video_url,
            )
        return item

    # Top-level blocks (sessions, items outside them) in time order; a session is followed
    # by its entries.
    blocks: list[tuple[datetime, int, list[dict]]] = []
    for block in draft.sessions:
        session = block.session
        rows = [
            {
                "key": item_keys.claim(f"session-{slug(session.title, limit=32)}", str(session.id)),
                "kind": "session",
                "title": session.title,
                "starts": _iso(block.starts, workshop),
                "ends": _iso(block.ends, workshop),
                "session": "",
                "room": session.room,
                "chair": session.chair,
                "speakers": [],
                "presenters": "",
                "authors": [],
                "submission_id": None,
            }
        ]
        rows += [entry_item(t, session.title, session.room) for t in block.entries]
        blocks.append((block.starts, 0, rows))
    for timed in draft.fixed:
        blocks.append((timed.starts, 1, [entry_item(timed, "", "")]))
    blocks.sort(key=lambda b: (b[0], b[1]))
    items = [row for _, _, rows in blocks for row in rows]
    return {"format": SNAPSHOT_FORMAT, "items": items, "speakers": list(speakers.values())}


def publish(
    version: int, organizer: Organizer | None, *, anyway: bool = False
) -> ProgramPublication:
    """The draft as the public program, when the checks find no errors (warnings only with
    `anyway`). A second post of the same form (same draft version already public) is refused."""
    workshop = current_workshop()
    services.begin_edit(version)
    latest = services.latest_publication()
    if latest is not None and latest.snapshot and latest.draft_version == version:
        raise services.EditRefused("This version of the program is already the public one.")
    problems = check_program(workshop)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise services.EditRefused(
            f"Not published: {len(errors)} error(s) in the checks below must be fixed first."
        )
    if problems and not anyway:
        raise services.EditRefused(
            f"The checks found {len(problems)} warning(s): tick “Publish anyway” to publish "
            "with them.",
            "anyway",
        )
    snapshot = build_snapshot(workshop)
    publication = ProgramPublication(
        published_at=now(),
        organizer_id=organizer.id if organizer else None,
        draft_version=version,
        snapshot=json.dumps(snapshot, ensure_ascii=False),
    )
    db.session.add(publication)
    db.session.flush()
    talks = sum(1 for i in snapshot["items"] if i["kind"] == "paper")
    record(
        AuditAction.PROGRAM_PUBLISHED,
        organizer=organizer,
        target=f"program v{version}",
        details=(
            f"{len(snapshot['items'])} items, {talks} talks, {len(snapshot['speakers'])} "
            f"speakers, {len(problems)} warnings"
        ),
    )
    return publication


def unpublish(version: int, organizer: Organizer | None) -> ProgramPublication:
    """The content file's program public again (a publication with an empty snapshot)."""
    services.begin_edit(version)
    latest = services.latest_publication()
    if latest is None or not latest.snapshot:
        raise services.EditRefused("No program is published: the content file's program is public.")
    publication = ProgramPublication(
        published_at=now(),
        organizer_id=organizer.id if organizer else None,
        draft_version=version,
        snapshot="",
    )
    db.session.add(publication)
    db.session.flush()
    record(
        AuditAction.PROGRAM_UNPUBLISHED,
        organizer=organizer,
        target=f"program v{version}",
        details=f"withdrew publication {latest.id}",
    )
    return publication
