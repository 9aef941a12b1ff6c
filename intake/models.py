from django.db import models

from episodes.models import Episode, Topic


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

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
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

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["episode", "status"])]

    def __str__(self) -> str:
        who = self.name or "Anonymous"
        return f"{self.get_kind_display()} from {who} ({self.episode.slug})"

    @property
    def best_text(self) -> str:
        """What the host reads: their correction, else the machine transcript, else typed text."""
        return self.transcript_edited or self.transcript or self.text
