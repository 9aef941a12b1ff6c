from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Episode(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="Markdown shown on the public question page.")
    recording_at = models.DateTimeField()
    submissions_close_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty to keep the page open."
    )
    max_audio_seconds = models.PositiveIntegerField(default=90)
    target_minutes = models.PositiveIntegerField(default=60)
    answer_seconds_default = models.PositiveIntegerField(
        default=120, help_text="How long the hosts plan to answer a question on the run-sheet."
    )
    hosts = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="episodes", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recording_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("intake:ask", kwargs={"slug": self.slug})

    def accepts_submissions(self, *, now=None) -> bool:
        now = now or timezone.now()
        return self.submissions_close_at is None or now < self.submissions_close_at


class Topic(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="The essay section's full text, for matching.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["episode", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "title"], name="topic_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title
