"""Entries: approved questions placed on the run-sheet, moved, timed and taken off again."""

from typing import Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from intake.models import Submission
from runsheet.models import ON_AIR, Entry, Segment, entry_clip_allowed
from runsheet.services.passages import entry_passage_refresh_later
from runsheet.services.sheet import positions_write, runsheet_change


def _addable(*, segment: Segment, submission: Submission) -> None:
    if submission.episode_id != segment.episode_id:
        raise ValidationError("That question belongs to another episode.", code="other_episode")
    if submission.status != Submission.Status.APPROVED:
        raise ValidationError(
            f"Only approved questions go on the run-sheet; #{submission.pk} is "
            f"{submission.get_status_display().lower()}.",
            code="not_approved",
        )


def entry_add(*, segment: Segment, submission: Submission) -> Entry:
    """Put an approved question at the end of `segment`."""
    _addable(segment=segment, submission=submission)
    try:
        with runsheet_change(episode_id=segment.episode_id):
            # Decided on the stored row, under its lock: a decline a moment ago counts.
            submission = Submission.objects.select_for_update().get(pk=submission.pk)
            _addable(segment=segment, submission=submission)
            if Entry.objects.filter(submission=submission).exists():
                raise IntegrityError
            last = segment.entries.aggregate(last=Max("position"))["last"]
            entry = Entry.objects.create(
                segment=segment, submission=submission, position=0 if last is None else last + 1
            )
            entry_passage_refresh_later(entry_ids=[entry.pk])
    except IntegrityError:
        # Checked first; the database's unique constraint catches two hosts at once.
        raise ValidationError(
            f"#{submission.pk} is already on the run-sheet.", code="already_on_sheet"
        ) from None
    return entry


def entries_add_all(*, segment: Segment) -> list[Entry]:
    """Every approved question tagged with the segment's topic and not yet on the sheet, oldest
    first, at the end of the segment."""
    if segment.topic_id is None:
        raise ValidationError(
            "This segment has no topic; add questions to it one by one.", code="no_topic"
        )
    with runsheet_change(episode_id=segment.episode_id):
        pool = (
            Submission.objects.filter(
                episode_id=segment.episode_id,
                status=Submission.Status.APPROVED,
                topics=segment.topic_id,
                runsheet_entries__isnull=True,
            )
            .order_by("created_at", "id")
            .distinct()
        )
        last = segment.entries.aggregate(last=Max("position"))["last"]
        start = 0 if last is None else last + 1
        entries = Entry.objects.bulk_create(
            Entry(segment=segment, submission=submission, position=start + index)
            for index, submission in enumerate(pool)
        )
        ids = list(
            Entry.objects.filter(segment=segment, position__gte=start).values_list("pk", flat=True)
        )
        entry_passage_refresh_later(entry_ids=ids)
    return entries


def entry_remove(*, entry: Entry, aired_too: bool = False) -> None:
    """Take a question off the sheet; it goes back to the pool, still approved and tagged.

    One that went out in the recording stays, for the chapters and show notes, unless
    `aired_too` (a host declined or merged it after all).
    """
    if entry.state in ON_AIR and not aired_too:
        raise ValidationError(
            "This question went out in the recording; it stays on the run-sheet for the "
            "chapters and show notes.",
            code="aired",
        )
    with runsheet_change(episode_id=entry.segment.episode_id):
        entry.delete()
        positions_write(list(Entry.objects.filter(segment_id=entry.segment_id)))


def entry_update(
    *, entry: Entry, answer_seconds: int | None, notes: str, play_clip: bool | None
) -> Entry:
    """The hosts' answer time (None: the episode's default), notes, and clip-or-read choice."""
    if play_clip and not entry_clip_allowed(entry.submission):
        reason = "has no recording" if not entry.submission.audio else "did not agree to air it"
        raise ValidationError(
            f"This clip cannot be played on air: the listener {reason}. It is read out instead.",
            code="no_consent",
        )
    with runsheet_change(episode_id=entry.segment.episode_id):
        entry.answer_seconds = answer_seconds
        entry.notes = notes.strip()
        entry.play_clip = play_clip
        entry.save(update_fields=["answer_seconds", "notes", "play_clip"])
    return entry


def entry_move(*, entry: Entry, direction: Literal["up", "down"]) -> Entry:
    """One place up or down; past the top or bottom of its segment, into the neighbouring one.

    What the keyboard buttons do without JavaScript; dragging posts a whole order instead.
    """
    if direction not in ("up", "down"):
        raise ValidationError("A question moves either up or down.", code="direction")
    episode_id = entry.segment.episode_id
    with runsheet_change(episode_id=episode_id):
        segments = list(Segment.objects.filter(episode_id=episode_id).order_by("position", "id"))
        at = next(i for i, s in enumerate(segments) if s.pk == entry.segment_id)
        rows = list(Entry.objects.filter(segment_id=entry.segment_id))
        index = next(i for i, row in enumerate(rows) if row.pk == entry.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
            positions_write(rows)
            return entry
        neighbour = at - 1 if direction == "up" else at + 1
        if not 0 <= neighbour < len(segments):
            return entry  # already at the very top or bottom of the sheet
        _entry_to_segment(entry=entry, segment=segments[neighbour], first=direction == "down")
        positions_write([row for row in rows if row.pk != entry.pk])
    return entry


def entry_move_to(*, entry: Entry, segment: Segment) -> Entry:
    """Move a question to the end of another segment."""
    if segment.episode_id != entry.segment.episode_id:
        raise ValidationError("That segment belongs to another episode.", code="other_episode")
    if segment.pk == entry.segment_id:
        return entry
    with runsheet_change(episode_id=segment.episode_id):
        left = entry.segment_id
        _entry_to_segment(entry=entry, segment=segment, first=False)
        positions_write(list(Entry.objects.filter(segment_id=left)))
    return entry


def _entry_to_segment(*, entry: Entry, segment: Segment, first: bool) -> None:
    rows = [row for row in Entry.objects.filter(segment=segment) if row.pk != entry.pk]
    topic_changed = entry.segment.topic_id != segment.topic_id
    entry.segment = segment
    entry.save(update_fields=["segment"])
    positions_write([entry, *rows] if first else [*rows, entry], fields=("segment", "position"))
    if topic_changed:
        entry_passage_refresh_later(entry_ids=[entry.pk])


# --- Side effects of a host's decisions in the inbox (runsheet/receivers.py) ---------------


def entries_drop_for(*, submission: Submission) -> bool:
    """Take a question that is no longer approved off the sheet; True if it was on it."""
    entry = Entry.objects.filter(submission=submission).select_related("segment").first()
    if entry is None:
        return False
    entry_remove(entry=entry, aired_too=True)
    return True


def entries_hand_over(*, duplicate: Submission, primary: Submission) -> None:
    """After a merge: the primary keeps its place; if only the duplicate was on the sheet, the
    primary takes the duplicate's place (and its notes and timing)."""
    entry = Entry.objects.filter(submission=duplicate).select_related("segment").first()
    if entry is None:
        return
    with transaction.atomic():
        primary_placed = Entry.objects.filter(submission=primary).exists()
        if primary_placed or primary.status != Submission.Status.APPROVED:
            # The sheet holds approved questions only; the host decides on the primary.
            entry_remove(entry=entry, aired_too=True)
            return
        with runsheet_change(episode_id=entry.segment.episode_id):
            entry.submission = primary
            entry.passage_pinned = False
            entry.save(update_fields=["submission", "passage_pinned"])
            entry_passage_refresh_later(entry_ids=[entry.pk])
