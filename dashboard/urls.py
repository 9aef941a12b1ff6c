"""Every host page, mounted at /host/ (config/urls.py), in the `dashboard` namespace."""

from django.urls import path

from dashboard import media
from dashboard.views import (
    air_notices,
    episodes,
    live,
    recording,
    recording_after,
    runsheet,
    runsheet_entries,
    runsheet_exports,
    runsheet_segments,
    search,
    show,
    submissions,
    topics,
    triage,
)

app_name = "dashboard"

submission = "<slug:slug>/submissions/<int:pk>/"
topic = "<slug:slug>/topics/<int:pk>/"
sheet = "<slug:slug>/runsheet/"
segment = f"{sheet}segments/<int:pk>/"
entry = f"{sheet}entries/<int:pk>/"

urlpatterns = [
    path("", episodes.episode_list, name="episode_list"),
    # Paths that a slug could also match come first; these slugs are reserved (episodes.models).
    path("episodes/new", episodes.episode_create, name="episode_create"),
    path("settings", episodes.host_settings, name="host_settings"),
    path("show", show.show_update, name="show_update"),
    # The episode itself
    path("<slug:slug>/edit", episodes.episode_update, name="episode_update"),
    path("<slug:slug>/open", episodes.episode_open_close, name="episode_open_close"),
    path("<slug:slug>/hosts", episodes.episode_hosts, name="episode_hosts"),
    path(
        "<slug:slug>/hosts/<int:user_id>/remove",
        episodes.episode_host_remove,
        name="episode_host_remove",
    ),
    # Submissions (the inbox)
    path("<slug:slug>/", submissions.submission_list, name="submission_list"),
    path(submission, submissions.submission_detail, name="submission_detail"),
    path(f"{submission}audio", media.submission_audio, name="submission_audio"),
    path(f"{submission}approve", submissions.submission_approve, name="submission_approve"),
    path(f"{submission}decline", submissions.submission_decline, name="submission_decline"),
    path(f"{submission}reopen", submissions.submission_reopen, name="submission_reopen"),
    path(
        f"{submission}transcript", submissions.submission_transcript, name="submission_transcript"
    ),
    path(f"{submission}topics", submissions.submission_tag, name="submission_tag"),
    path(f"{submission}merge", submissions.submission_merge, name="submission_merge"),
    path(f"{submission}retry", submissions.submission_retry, name="submission_retry"),
    path(f"{submission}notes", triage.submission_notes, name="submission_notes"),
    path(f"{submission}unmerge", triage.submission_unmerge, name="submission_unmerge"),
    path(
        f"{submission}accept-topic", triage.submission_accept_topic, name="submission_accept_topic"
    ),
    path(f"{submission}state", live.submission_state, name="submission_state"),
    path("<slug:slug>/submissions/bulk", triage.submission_bulk, name="submission_bulk"),
    path("<slug:slug>/submissions/search", search.submission_search, name="submission_search"),
    path("<slug:slug>/updates", live.inbox_updates, name="inbox_updates"),
    # Topics (the essay's sections)
    path("<slug:slug>/topics/", topics.topic_list, name="topic_list"),
    path("<slug:slug>/topics/add", topics.topic_create, name="topic_create"),
    path("<slug:slug>/topics/import", topics.essay_import, name="essay_import"),
    path(f"{topic}edit", topics.topic_update, name="topic_update"),
    path(f"{topic}move", topics.topic_move, name="topic_move"),
    path(f"{topic}delete", topics.topic_delete, name="topic_delete"),
    # The run-sheet
    path(sheet, runsheet.runsheet_page, name="runsheet"),
    path(f"{sheet}start", runsheet.runsheet_start, name="runsheet_start"),
    path(f"{sheet}reorder", runsheet.runsheet_reorder, name="runsheet_reorder"),
    path(f"{sheet}export.<str:fmt>", runsheet_exports.runsheet_export, name="runsheet_export"),
    path(f"{sheet}segments/add", runsheet_segments.segment_create, name="segment_create"),
    path(f"{segment}edit", runsheet_segments.segment_update, name="segment_update"),
    path(f"{segment}move", runsheet_segments.segment_move, name="segment_move"),
    path(f"{segment}delete", runsheet_segments.segment_delete, name="segment_delete"),
    path(f"{segment}add-all", runsheet_segments.segment_add_all, name="segment_add_all"),
    path(f"{sheet}entries/add", runsheet_entries.entry_add, name="entry_add"),
    path(f"{entry}edit", runsheet_entries.entry_update, name="entry_update"),
    path(f"{entry}move", runsheet_entries.entry_move, name="entry_move"),
    path(f"{entry}remove", runsheet_entries.entry_remove, name="entry_remove"),
    path(f"{entry}passage", runsheet_entries.entry_passage, name="entry_passage"),
    # Recording the show (the show caller's view), then what follows it
    path(f"{sheet}live/", recording.recording_live, name="recording_live"),
    path(f"{sheet}live/state", recording.recording_state, name="recording_state"),
    path(f"{sheet}live/<slug:action>", recording.recording_action, name="recording_action"),
    path(f"{sheet}recording/", recording_after.recording_summary, name="recording_summary"),
    path(f"{sheet}recording/trim", recording_after.recording_trim, name="recording_trim"),
    path(f"{sheet}recording/return", recording_after.recording_return, name="recording_return"),
    path(f"{sheet}recording/tell", air_notices.air_notice_preview, name="air_notice_preview"),
    path(f"{sheet}recording/tell/send", air_notices.air_notice_send, name="air_notice_send"),
]
