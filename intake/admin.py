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
    actions = ["approve", "decline", "reopen", "retry_transcription"]
    filter_horizontal = ["topics"]
    # State is changed only by the actions below, which call the services that check the
    # transition rules; editing these fields by hand could break them.
    readonly_fields = [
        "status",
        "merged_into",
        "transcription_state",
        "transcript",
        "transcript_language",
        "transcript_segments",
        "transcript_engine",
        "transcript_model",
        "transcription_seconds",
        "transcription_attempts",
        "transcription_queued_at",
        "transcription_error",
        "audio",
        "audio_seconds",
        "audio_format",
        "suggested_topic",
        "suggested_topic_score",
        "created_at",
        "updated_at",
    ]

    def _each(self, request, queryset, *, service, done: str) -> None:
        changed, refused = 0, []
        for submission in queryset:
            try:
                service(submission=submission)
                changed += 1
            except ValidationError as exc:
                refused.append(f"#{submission.pk}: {' '.join(exc.messages)}")
        if changed:
            self.message_user(request, done.format(n=changed))
        if refused:
            self.message_user(request, "Not changed: " + "; ".join(refused), messages.WARNING)

    @admin.action(description="Approve selected submissions")
    def approve(self, request, queryset):
        self._each(
            request,
            queryset,
            service=services.submission_approve,
            done="Approved {n} submission(s).",
        )

    @admin.action(description="Decline selected submissions")
    def decline(self, request, queryset):
        self._each(
            request,
            queryset,
            service=services.submission_decline,
            done="Declined {n} submission(s).",
        )

    @admin.action(description="Move selected submissions back to new")
    def reopen(self, request, queryset):
        self._each(
            request,
            queryset,
            service=services.submission_reopen,
            done="Moved {n} submission(s) back to new.",
        )

    @admin.action(description="Transcribe selected submissions again")
    def retry_transcription(self, request, queryset):
        self._each(
            request,
            queryset,
            service=services.transcription_retry,
            done="Queued {n} transcription(s) again.",
        )
