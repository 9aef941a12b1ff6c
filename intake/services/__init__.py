"""Intake's business logic, one module per sub-domain:

- `intake`: a listener's submission arriving (checked, stored, handed to the worker);
- `transcription`: pending -> running -> done | failed, retries and the sweeper;
- `moderation`: a host's decisions (approve, decline, reopen, correct, tag, notes);
- `suggestions`: the suggested topic;
- `similarity`: a submission's stored vector and its similar questions;
- `analysis`: the worker jobs behind both (nothing here runs the model in a web request);
- `merge`: folding duplicates together, and undoing it;
- `events`: the audit trail every other one writes (`event_record`).

Every public service is importable from here too (`from intake import services`).
"""

from intake.services.analysis import (
    episode_rank,
    episode_rank_later,
    submission_analyse,
    submission_analyse_later,
    suggestions_sweep,
)
from intake.services.events import event_record
from intake.services.intake import submission_create
from intake.services.merge import submission_merge, submission_unmerge
from intake.services.moderation import (
    TRANSCRIPT_MAX_CHARS,
    submission_approve,
    submission_decline,
    submission_notes_update,
    submission_reopen,
    submission_tag,
    submission_transcript_correct,
)
from intake.services.suggestions import episode_suggest_topics, submission_suggest_topic
from intake.services.transcription import (
    TranscriptionNotNeeded,
    transcription_enqueue,
    transcription_prompt,
    transcription_retry,
    transcription_run,
    transcription_sweep,
)

__all__ = [
    "TRANSCRIPT_MAX_CHARS",
    "TranscriptionNotNeeded",
    "episode_rank",
    "episode_rank_later",
    "episode_suggest_topics",
    "event_record",
    "submission_analyse",
    "submission_analyse_later",
    "submission_approve",
    "submission_create",
    "submission_decline",
    "submission_merge",
    "submission_notes_update",
    "submission_reopen",
    "submission_suggest_topic",
    "submission_tag",
    "submission_transcript_correct",
    "submission_unmerge",
    "suggestions_sweep",
    "transcription_enqueue",
    "transcription_prompt",
    "transcription_retry",
    "transcription_run",
    "transcription_sweep",
]
