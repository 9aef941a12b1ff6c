from django.contrib import admin

from intake.models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "episode",
        "kind",
        "name",
        "status",
        "transcription_state",
        "audio_seconds",
        "suggested_topic",
        "created_at",
    ]
    list_filter = ["episode", "kind", "status", "transcription_state", "consent_to_air"]
    search_fields = ["name", "email", "text", "transcript", "transcript_edited"]
    date_hierarchy = "created_at"
    raw_id_fields = ["merged_into"]
    filter_horizontal = ["topics"]
    readonly_fields = [
        "transcript",
        "transcript_language",
        "transcript_segments",
        "transcript_engine",
        "transcript_model",
        "transcription_seconds",
        "transcription_attempts",
        "transcription_queued_at",
        "transcription_error",
        "audio_seconds",
        "audio_format",
        "created_at",
        "updated_at",
    ]
