from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from intake import services
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
    actions = ["retry_transcription"]
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

    @admin.action(description="Transcribe selected submissions again")
    def retry_transcription(self, request, queryset):
        queued, refused = 0, []
        for submission in queryset:
            try:
                services.transcription_retry(submission=submission)
                queued += 1
            except ValidationError as exc:
                refused.append(f"#{submission.pk}: {' '.join(exc.messages)}")
        if queued:
            self.message_user(request, f"Queued {queued} transcription(s) again.")
        if refused:
            self.message_user(request, "Not queued: " + "; ".join(refused), messages.WARNING)
