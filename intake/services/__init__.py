"""Intake's business logic, one module per sub-domain:

- `intake`: a listener's submission arriving (checked, stored, handed to the worker);
- `transcription`: pending -> running -> done | failed, retries and the sweeper;
- `moderation`: a host's decisions (approve, decline, reopen, correct, tag);
- `suggestions`: the suggested topic;
- `merge`: folding duplicates together.

Every public service is importable from here too (`from intake import services`).
"""

from intake.services.intake import submission_create
from intake.services.merge import submission_merge
from intake.services.moderation import (
    TRANSCRIPT_MAX_CHARS,
    submission_approve,
    submission_decline,
    submission_reopen,
    submission_tag,
    submission_transcript_correct,
)
from intake.services.suggestions import (
    episode_suggest_topics,
    submission_suggest_topic,
    submission_suggest_topic_later,
)
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
    "episode_suggest_topics",
    "submission_approve",
    "submission_create",
    "submission_decline",
    "submission_merge",
    "submission_reopen",
    "submission_suggest_topic",
    "submission_suggest_topic_later",
    "submission_tag",
    "submission_transcript_correct",
    "transcription_enqueue",
    "transcription_prompt",
    "transcription_retry",
    "transcription_run",
    "transcription_sweep",
]
