"""Segments: the topics' segments made at the start, plus free ones hosts add ("Intro")."""

from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Max

from episodes.models import Episode, Topic
from runsheet.models import ON_AIR, Airing, Segment
from runsheet.services.sheet import positions_write, runsheet_change

TITLE_MAX_LENGTH = Segment._meta.get_field("title").max_length


def _title_clean(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError("A segment needs a title.", code="blank_title")
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            f"Keep the title under {TITLE_MAX_LENGTH} characters.", code="long_title"
        )
    return title


def segment_create(
    *,
    episode: Episode,
    title: str,
    topic: Topic | None = None,
    notes: str = "",
    extra_seconds: int = 0,
) -> Segment:
    """A segment added after the others; free (no topic) unless `topic` is given."""
    title = _title_clean(title)
    if topic is not None and topic.episode_id != episode.pk:
        raise ValidationError("That topic belongs to another episode.", code="foreign_topic")
    with runsheet_change(episode_id=episode.pk):
        last = Segment.objects.filter(episode=episode).aggregate(last=Max("position"))["last"]
        return Segment.objects.create(
            episode=episode,
            title=title,
            topic=topic,
            notes=notes.strip(),
            extra_seconds=extra_seconds,
            position=0 if last is None else last + 1,
        )


def segment_update(*, segment: Segment, title: str, notes: str, extra_seconds: int) -> Segment:
    """Rename a segment, rewrite its talking points or change its extra time."""
    title = _title_clean(title)
    with runsheet_change(episode_id=segment.episode_id):
        segment.title, segment.notes, segment.extra_seconds = title, notes.strip(), extra_seconds
        segment.save(update_fields=["title", "notes", "extra_seconds"])
    return segment


def segment_move(*, segment: Segment, direction: Literal["up", "down"]) -> None:
    """Swap a segment with its neighbour; at either end nothing moves."""
    if direction not in ("up", "down"):
        raise ValidationError("A segment moves either up or down.", code="direction")
    with runsheet_change(episode_id=segment.episode_id):
        rows = list(
            Segment.objects.filter(episode_id=segment.episode_id).order_by("position", "id")
        )
        index = next(i for i, row in enumerate(rows) if row.pk == segment.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
        positions_write(rows)


def segment_delete(*, segment: Segment) -> int:
    """Delete a segment; its questions go back to the pool (they stay approved and tagged).

    Returns how many questions went back.
    """
    with runsheet_change(episode_id=segment.episode_id):
        if segment.state != Airing.PLANNED or segment.entries.filter(state__in=ON_AIR).exists():
            raise ValidationError(
                "Part of this segment went out in the recording; it stays on the run-sheet "
                "for the chapters and show notes.",
                code="aired",
            )
        returned = segment.entries.count()
        segment.delete()
        rows = Segment.objects.filter(episode_id=segment.episode_id).order_by("position", "id")
        positions_write(list(rows))
    return returned
