"""Forms of the host dashboard, one module per part of it; views import them from here."""

from dashboard.forms.episodes import (
    EpisodeForm,
    EpisodeHostAddForm,
    EpisodeOpenCloseForm,
    HostSettingsForm,
)
from dashboard.forms.fields import DurationField, LocalDateTimeField, MinutesField
from dashboard.forms.notices import PublicLinkForm as PublicLinkForm
from dashboard.forms.recording import TrimForm
from dashboard.forms.runsheet import (
    EntryAddForm,
    EntryForm,
    EntryMoveForm,
    PassageForm,
    SegmentForm,
    SegmentMoveForm,
)
from dashboard.forms.submissions import (
    UNTAGGED,
    DeclineForm,
    SubmissionBulkForm,
    SubmissionFilterForm,
    SubmissionMergeForm,
    SubmissionNotesForm,
    SubmissionTagForm,
    TranscriptCorrectionForm,
    merge_label,
)
from dashboard.forms.topics import (
    ESSAY_MAX_BYTES,
    EssayImportConfirmForm,
    EssayImportForm,
    TopicForm,
    TopicMoveForm,
)

__all__ = [
    "ESSAY_MAX_BYTES",
    "UNTAGGED",
    "DeclineForm",
    "DurationField",
    "EntryAddForm",
    "EntryForm",
    "EntryMoveForm",
    "EpisodeForm",
    "EpisodeHostAddForm",
    "EpisodeOpenCloseForm",
    "EssayImportConfirmForm",
    "EssayImportForm",
    "HostSettingsForm",
    "LocalDateTimeField",
    "MinutesField",
    "PassageForm",
    "SegmentForm",
    "SegmentMoveForm",
    "SubmissionBulkForm",
    "SubmissionFilterForm",
    "SubmissionMergeForm",
    "SubmissionNotesForm",
    "SubmissionTagForm",
    "TopicForm",
    "TopicMoveForm",
    "TranscriptCorrectionForm",
    "TrimForm",
    "merge_label",
]
