"""Reads of the run-sheet, each a fixed number of queries whatever the size of the episode:
`sheet` (the whole sheet with its clock, the pool) and `recording` (the sheet as the live
page, the summary and the after-show exports see it). Everything is importable from here."""

from runsheet.selectors.recording import (
    RecordingView,
    StepRow,
    recording_latest,
    recording_view,
)
from runsheet.selectors.sheet import (
    POOL_LIMIT,
    EntryRow,
    PoolGroup,
    SegmentRow,
    SheetView,
    entry_for_host,
    runsheet_pool,
    runsheet_view,
    segment_for_host,
    submission_on_sheet,
)

__all__ = [
    "POOL_LIMIT",
    "EntryRow",
    "PoolGroup",
    "RecordingView",
    "SegmentRow",
    "SheetView",
    "StepRow",
    "entry_for_host",
    "recording_latest",
    "recording_view",
    "runsheet_pool",
    "runsheet_view",
    "segment_for_host",
    "submission_on_sheet",
]
