from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from intake import services
from intake.models import NoticeOptOut, Submission, SubmissionEvent


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
        # Stamped by the worker before it tells the asker; never cleared by hand.
        "aired_notice_sent_at",
        "created_at",
    ]
    list_filter = [
        "episode",
        "kind",
        "status",
        "transcription_state",
        "consent_to_air",
        "notify_when_aired",
    ]
    search_fields = ["name", "email", "text", "transcript", "transcript_edited"]
    date_hierarchy = "created_at"
    actions = ["approve", "decline", "reopen", "retry_transcription"]
    filter_horizontal = ["topics"]
    # State is changed only by the actions below, which call the services that check the
    # transition rules; editing these fields by hand could break them.
    readonly_fields = [
        "status",
        # Changed on the dashboard, through services that write the audit trail.
        "decline_reason",
        "host_notes",
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
                service(submission=submission, actor=request.user)
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


@admin.register(NoticeOptOut)
class NoticeOptOutAdmin(admin.ModelAdmin):
    """Addresses that asked never to be told again; deleting one lets emails go to it again."""

    list_display = ["email", "created_at"]
    search_fields = ["email"]
    readonly_fields = ["email", "created_at"]

    def has_add_permission(self, request):
        return False  # only the listener's own signed link opts an address out


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: services write it, nobody edits or deletes it here."""

    list_display = ["created_at", "submission_link", "episode", "action", "actor", "change"]
    list_filter = ["action", "submission__episode", "actor"]
    search_fields = [
        "=submission__id",
        "submission__name",
        "submission__email",
        "actor__username",
        "from_value",
        "to_value",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["submission__episode", "actor"]
    fields = ["created_at", "submission", "action", "actor", "from_value", "to_value"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Submission", ordering="submission")
    def submission_link(self, event: SubmissionEvent):
        url = reverse("admin:intake_submission_change", args=[event.submission_id])
        return format_html(
            '<a href="{}">#{}</a> {}', url, event.submission_id, event.submission.name
        )

    @admin.display(description="Episode", ordering="submission__episode")
    def episode(self, event: SubmissionEvent):
        return event.submission.episode

    @admin.display(description="From \u2192 to")
    def change(self, event: SubmissionEvent) -> str:
        if not event.from_value and not event.to_value:
            return ""
        return (
            f"{Truncator(event.from_value).chars(60)} \u2192 {Truncator(event.to_value).chars(60)}"
        )
