"""The run-sheet as a whole: starting it, and every change going through one lock and version.

Each change locks the episode's RunSheet row and bumps its version, so two hosts editing at
once are serialised, and an order posted from a page that has since gone stale is refused.
"""

from collections.abc import Sequence
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from episodes.models import Episode
from runsheet.models import Entry, RunSheet, Segment


class StaleRunSheet(ValidationError):
    """The change was made against an older version of the run-sheet (answer 409)."""


@transaction.atomic
def runsheet_start(*, episode: Episode) -> RunSheet:
    """Create the episode's run-sheet with one segment per topic, in essay order.

    Starting again changes nothing: the existing run-sheet is returned as it is.
    """
    Episode.objects.select_for_update().filter(pk=episode.pk).first()
    sheet = RunSheet.objects.filter(episode=episode).first()
    if sheet is not None:
        return sheet
    sheet = RunSheet.objects.create(episode=episode)
    Segment.objects.bulk_create(
        Segment(episode=episode, title=topic.title, topic=topic, position=index)
        for index, topic in enumerate(episode.topics.order_by("position", "id"))
    )
    return sheet


@contextmanager
def runsheet_change(*, episode_id: int, version: int | None = None):
    """Lock the run-sheet for a change and bump its version; yields the RunSheet.

    With `version`, refuses (StaleRunSheet) unless it is the current one.
    """
    with transaction.atomic():
        sheet = RunSheet.objects.select_for_update().filter(episode_id=episode_id).first()
        if sheet is None:
            raise ValidationError("Start the run-sheet first.", code="not_started")
        if version is not None and version != sheet.version:
            raise StaleRunSheet(
                "Someone changed the run-sheet since you loaded it; reload to see their "
                "changes, then make yours again.",
                code="stale",
            )
        yield sheet
        RunSheet.objects.filter(pk=sheet.pk).update(version=F("version") + 1)
        sheet.refresh_from_db(fields=["version", "updated_at"])


def runsheet_reorder(
    *, episode: Episode, version: int, order: Sequence[tuple[int, Sequence[int]]]
) -> RunSheet:
    """Put every segment and entry of the sheet in exactly this order.

    `order` is [(segment id, [entry id, ...]), ...] for every segment of the episode, each
    entry id once. Anything else (a foreign or missing id, a duplicate) is refused with a
    ValidationError and changes nothing; a stale `version` with StaleRunSheet.
    """
    try:
        order = [(int(segment), [int(entry) for entry in entries]) for segment, entries in order]
    except (TypeError, ValueError) as error:
        raise ValidationError("The order must list ids.", code="not_ids") from error
    with runsheet_change(episode_id=episode.pk, version=version) as sheet:
        segments = {s.pk: s for s in Segment.objects.filter(episode=episode)}
        entries = {e.pk: e for e in Entry.objects.filter(segment__episode=episode)}
        segment_ids = [segment for segment, _ in order]
        entry_ids = [entry for _, ids in order for entry in ids]
        if sorted(segment_ids) != sorted(segments) or sorted(entry_ids) != sorted(entries):
            raise ValidationError(
                "The new order must list each segment and each question of this run-sheet "
                "exactly once; reload the page and try again.",
                code="not_a_permutation",
            )
        moved_segments, moved_entries = [], []
        for position, (segment_id, ids) in enumerate(order):
            segment = segments[segment_id]
            if segment.position != position:
                segment.position = position
                moved_segments.append(segment)
            for entry_position, entry_id in enumerate(ids):
                entry = entries[entry_id]
                if (entry.segment_id, entry.position) != (segment_id, entry_position):
                    entry.segment_id, entry.position = segment_id, entry_position
                    moved_entries.append(entry)
        Segment.objects.bulk_update(moved_segments, ["position"])
        Entry.objects.bulk_update(moved_entries, ["segment", "position"])
    return sheet


def positions_write(rows: Sequence, *, fields: Sequence[str] = ("position",)) -> None:
    """Number `rows` 0, 1, 2, ... in the given order, writing only those that moved."""
    moved = []
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            moved.append(row)
    if moved:
        type(moved[0]).objects.bulk_update(moved, list(fields))
