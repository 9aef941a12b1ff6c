"""The run-sheet's RQ jobs (queued by dotted path from runsheet.services)."""

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
