"""The run-sheet's business logic: `sheet` (starting, the lock and version every change takes,
reordering), `segments`, `entries`, `passages` (the essay beside each question) and
`recording` (the live show and what follows it). Every
public service is importable from here too (`from runsheet import services`)."""

from runsheet.services.entries import (
    entries_add_all,
    entries_drop_for,
    entries_hand_over,
    entry_add,
    entry_move,
    entry_move_to,
    entry_remove,
    entry_update,
)
from runsheet.services.passages import (
    entry_passage_choices,
    entry_passage_hide,
    entry_passage_pick,
    entry_passage_refresh,
    entry_passage_refresh_later,
    entry_topic,
)
from runsheet.services.recording import (
    ACTIONS as RECORDING_ACTIONS,
)
from runsheet.services.recording import (
    RecordingMovedOn,
    recording_back,
    recording_current,
    recording_next,
    recording_pause,
    recording_resume,
    recording_return_unaired,
    recording_skip,
    recording_start,
    recording_stop,
    recording_trim,
)
from runsheet.services.segments import segment_create, segment_delete, segment_move, segment_update
from runsheet.services.sheet import StaleRunSheet, runsheet_reorder, runsheet_start

__all__ = [
    "RECORDING_ACTIONS",
    "RecordingMovedOn",
    "recording_back",
    "recording_current",
    "recording_next",
    "recording_pause",
    "recording_resume",
    "recording_return_unaired",
    "recording_skip",
    "recording_start",
    "recording_stop",
    "recording_trim",
    "StaleRunSheet",
    "entries_add_all",
    "entries_drop_for",
    "entries_hand_over",
    "entry_add",
    "entry_move",
    "entry_move_to",
    "entry_passage_choices",
    "entry_passage_hide",
    "entry_passage_pick",
    "entry_passage_refresh",
    "entry_passage_refresh_later",
    "entry_remove",
    "entry_topic",
    "entry_update",
    "runsheet_reorder",
    "runsheet_start",
    "segment_create",
    "segment_delete",
    "segment_move",
    "segment_update",
]
