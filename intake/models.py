from django.conf import settings
from django.db import models
from django.db.models import F, Q

from episodes.models import Episode, Topic
from intake.search import search_fold

# What the inbox's search looks in (folded into Submission.search_text on every save).
SEARCHED_FIELDS = ("name", "email", "text", "transcript", "transcript_edited")


def _audio_upload_to(instance: "Submission", filename: str) -> str:
    # The name is chosen by services (random); only the folder is decided here.
    return f"audio/{instance.episode_id}/{filename}"


class Submission(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        MESSAGE = "message", "Message"

    class Status(models.TextChoices):
        NEW = "new", "New"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        MERGED = "merged", "Merged into another"

    class TranscriptionState(models.TextChoices):
        NONE = "none", "No audio"
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Transcribing"
        DONE = "done", "Transcribed"
        FAILED = "failed", "Failed"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="submissions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.QUESTION)
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    text = models.TextField(blank=True)

    audio = models.FileField(upload_to=_audio_upload_to, null=True, blank=True, max_length=255)
    audio_seconds = models.FloatField(null=True, blank=True)
    audio_format = models.CharField(max_length=40, blank=True, help_text="Container PyAV found.")
    consent_to_air = models.BooleanField(default=False)
    # "Tell me if my question is used on the show": only with an email (a constraint says so).
    notify_when_aired = models.BooleanField(default=False)
    # Stamped before the "your question made the show" email is sent (runsheet.notices), so
    # a second press or a resumed job never sends it twice.
    aired_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    decline_reason = models.TextField(blank=True, help_text="Private: only hosts see it.")
    host_notes = models.TextField(blank=True, help_text="Private notes of the hosts.")
    # RESTRICT: a primary cannot be deleted on its own while duplicates point at it (they would
    # be merged into nothing), but deleting the whole episode takes both.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="merged"
    )

    transcription_state = models.CharField(
        max_length=10, choices=TranscriptionState.choices, default=TranscriptionState.NONE
    )
    transcript = models.TextField(blank=True, help_text="Machine output; never edited by hand.")
    transcript_edited = models.TextField(blank=True, help_text="A host's correction.")
    transcription_error = models.TextField(blank=True)
    transcript_language = models.CharField(max_length=12, blank=True)
    transcript_segments = models.JSONField(default=list, blank=True)
    transcript_engine = models.CharField(max_length=40, blank=True)
    transcript_model = models.CharField(max_length=200, blank=True)
    transcription_seconds = models.FloatField(null=True, blank=True)
    transcription_attempts = models.PositiveIntegerField(default=0)
    transcription_queued_at = models.DateTimeField(null=True, blank=True)

    topics = models.ManyToManyField(Topic, related_name="submissions", blank=True)
    suggested_topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggested_for"
    )
    suggested_topic_score = models.FloatField(null=True, blank=True)
    # The sentence vector of what it asks (float32, EMBEDDING_DIMENSIONS), computed in the
    # worker; `embedding_hash` says which text it was computed from, so it is redone only when
    # the words change. "Similar questions" are stored in SubmissionSimilarity.
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    embedding_hash = models.CharField(max_length=40, blank=True, editable=False)
    # Name, email and every text, folded for search (lower case, no accents, no hyphens), so
    # "pretraining" finds "Pre-training" and "zoe" finds "Zoë" (intake/search.py).
    search_text = models.TextField(blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The inbox's order (newest first), so any page, the neighbours of a submission and
            # the counts are walks of an index, not of 10,000 rows and their texts and vectors;
            # the second also serves every filter by status (it replaced an (episode, status) one).
            models.Index(fields=["episode", "created_at", "id"], name="submission_inbox_order"),
            models.Index(
                fields=["episode", "status", "created_at", "id"], name="submission_inbox_status"
            ),
            # The episode list's "transcribing" and "failed" counts and the inbox's filter.
            models.Index(
                fields=["episode", "transcription_state"], name="submission_transcription"
            ),
            # The live inbox asks every few seconds what changed since its last poll.
            models.Index(fields=["episode", "updated_at"], name="submission_changed"),
        ]
        constraints = [
            # Merged and pointing at its primary, or neither: never one without the other.
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="submission_merged_has_primary",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="submission_not_merged_into_itself"
            ),
            # Nobody can be told their question aired without an address to tell them at.
            models.CheckConstraint(
                condition=Q(notify_when_aired=False) | ~Q(email=""),
                name="submission_notify_needs_email",
            ),
        ]

    def __str__(self) -> str:
        who = self.name or "Anonymous"
        return f"{self.get_kind_display()} from {who} ({self.episode.slug})"

    def save(self, *args, **kwargs):
        # Kept in step here rather than in each service: every save of a searched field
        # refolds it, so the search can never miss a correction.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or set(update_fields) & set(SEARCHED_FIELDS):
            self.search_text = search_fold(" ".join(getattr(self, f) for f in SEARCHED_FIELDS))
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def best_text(self) -> str:
        """What the host reads: their correction, else the machine transcript, else typed text."""
        return self.transcript_edited or self.transcript or self.text

    # --- State rules: services enforce them, views, templates and the admin ask them. -------

    def can_become(self, status: str) -> bool:
        """Whether a host may move this submission to `status` from its current one."""
        return status in STATUS_TRANSITIONS[self.status]

    @property
    def can_approve(self) -> bool:
        return self.can_become(Submission.Status.APPROVED)

    @property
    def can_decline(self) -> bool:
        return self.can_become(Submission.Status.DECLINED)

    @property
    def can_reopen(self) -> bool:
        return self.can_become(Submission.Status.NEW)

    @property
    def is_merged(self) -> bool:
        return self.status == Submission.Status.MERGED

    @property
    def is_approved(self) -> bool:
        return self.status == Submission.Status.APPROVED

    @property
    def transcription_waiting(self) -> bool:
        return self.transcription_state == Submission.TranscriptionState.PENDING

    @property
    def transcription_running(self) -> bool:
        return self.transcription_state == Submission.TranscriptionState.RUNNING

    @property
    def transcription_done(self) -> bool:
        return self.transcription_state == Submission.TranscriptionState.DONE

    @property
    def transcription_failed(self) -> bool:
        return self.transcription_state == Submission.TranscriptionState.FAILED

    def can_transcription_become(self, state: str) -> bool:
        return state in TRANSCRIPTION_TRANSITIONS[self.transcription_state]

    @property
    def can_retry_transcription(self) -> bool:
        """A host may ask for another run once a run has finished or failed, never mid-run."""
        return bool(self.audio) and self.transcription_state in RETRYABLE_TRANSCRIPTION_STATES


class SubmissionEvent(models.Model):
    """The audit trail: who changed what on a submission, from what, to what, and when."""

    class Action(models.TextChoices):
        RECEIVED = "received", "Received"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        REOPENED = "reopened", "Moved back to new"
        TAGGED = "tagged", "Tagged"
        CORRECTED = "corrected", "Corrected"
        NOTED = "noted", "Notes changed"
        MERGED = "merged", "Merged"
        UNMERGED = "unmerged", "Unmerged"
        TRANSCRIBED = "transcribed", "Transcribed"
        TRANSCRIPTION_FAILED = "transcription_failed", "Transcription failed"
        TRANSCRIPTION_RETRIED = "transcription_retried", "Transcription queued again"
        RETURNED = "returned", "Back in the pool after the recording"
        AIR_NOTICE = "air_notice", "Told the asker it made the show"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    # Null: the listener, the worker or a script (no logged-in host).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=24, choices=Action.choices)
    from_value = models.TextField(blank=True)
    to_value = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["submission", "-created_at"])]

    def __str__(self) -> str:
        return f"#{self.submission_id} {self.get_action_display()}"


class NoticeOptOut(models.Model):
    """An address that asked (through the signed link in an email) never to be told again
    that a question made the show. Stored casefolded; the sender skips it."""

    email = models.EmailField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "notice opt-out"

    def __str__(self) -> str:
        return self.email


class SubmissionSimilarity(models.Model):
    """One of a submission's most similar questions in its episode (a merge candidate), found
    by the worker from stored vectors; both directions are stored, so a page reads one row set."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="similar")
    other = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "other"], name="similarity_once"),
            models.CheckConstraint(condition=~Q(other=F("submission")), name="similarity_not_self"),
        ]
        indexes = [models.Index(fields=["submission", "-score"])]

    def __str__(self) -> str:
        return f"#{self.submission_id} ~ #{self.other_id} ({self.score:.2f})"


S, TS = Submission.Status, Submission.TranscriptionState

# Which status a host may move a submission to from each status. A merged submission is
# settled by its primary, so nothing moves it from here (merging is submission_merge's job).
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.APPROVED, S.DECLINED}),
    S.APPROVED: frozenset({S.DECLINED, S.NEW}),
    S.DECLINED: frozenset({S.APPROVED, S.NEW}),
    S.MERGED: frozenset(),
}

# Which transcription states each state may move to. `running -> running` is a job that
# starts again after its worker died; `running -> pending` is a transient failure that RQ
# will retry; `done/failed -> pending` is a host asking for another run.
TRANSCRIPTION_TRANSITIONS: dict[str, frozenset[str]] = {
    TS.NONE: frozenset({TS.PENDING}),
    TS.PENDING: frozenset({TS.RUNNING, TS.FAILED}),
    TS.RUNNING: frozenset({TS.RUNNING, TS.DONE, TS.FAILED, TS.PENDING}),
    TS.DONE: frozenset({TS.PENDING}),
    TS.FAILED: frozenset({TS.PENDING}),
}
# Where a host's "transcribe again" may start: a finished run, never one still under way.
RETRYABLE_TRANSCRIPTION_STATES = frozenset({TS.DONE, TS.FAILED})
