"""The run-sheet's RQ jobs (queued by dotted path from runsheet.services)."""

from runsheet import notices
from runsheet.models import Entry
from runsheet.services.passages import entry_passage_refresh


def entry_passages_refresh(entry_ids: list[int]) -> int:
    """Choose the essay passage beside each of these entries; returns how many were done."""
    entries = Entry.objects.filter(pk__in=entry_ids).select_related(
        "segment__topic", "submission__suggested_topic"
    )
    done = 0
    for entry in entries:
        entry_passage_refresh(entry=entry)
        done += 1
    return done


def air_notices_send(episode_id: int, by_id: int | None = None) -> str:
    """Tell the askers of the episode's aired questions (runsheet.notices); never twice."""
    sent = notices.air_notices_send(episode_id=episode_id, by_id=by_id)
    return f"{sent} email{'' if sent == 1 else 's'} sent"
