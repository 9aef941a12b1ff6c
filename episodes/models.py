from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from episodes.embed import embed_origins_parse, embed_origins_validate

# Slugs a /host/<slug>/ page could never use: their addresses belong to other host pages
# (dashboard/urls.py: /host/episodes/new, /host/settings and /host/show).
RESERVED_SLUGS = frozenset({"episodes", "settings", "show"})


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
    embed_origins = models.TextField(
        blank=True,
        validators=[embed_origins_validate],
        help_text="Sites that may show the question form in a frame, one origin per line.",
    )
    hosts = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="episodes", blank=True)
    # Where listeners hear the published episode; the "your question made the show" emails
    # link to it (runsheet.notices), so it is written once, after the recording.
    public_url = models.URLField(
        max_length=500, blank=True, help_text="The published episode's page or player link."
    )
    # Set when topics or the essay change, cleared by the worker's re-ranking job once every
    # question has its new suggested topic: the pages say "re-ranking..." meanwhile.
    suggestions_stale_since = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recording_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("intake:ask", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if (self.slug or "").casefold() in RESERVED_SLUGS:
            raise ValidationError(
                {
                    "slug": ValidationError(
                        f"\u201c{self.slug}\u201d is reserved: the dashboard uses that address "
                        "for one of its own pages. Choose another address.",
                        code="reserved_slug",
                    )
                }
            )

    def embed_origin_list(self) -> list[str]:
        """The origins allowed to frame /ask/<slug>/embed/ (validated when saved)."""
        return embed_origins_parse(text=self.embed_origins)

    def accepts_submissions(self, *, now=None) -> bool:
        now = now or timezone.now()
        return self.submissions_close_at is None or now < self.submissions_close_at


class Topic(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="The essay section's full text, for matching.")
    position = models.PositiveIntegerField(default=0)
    # A host rewrote the summary: re-importing the essay keeps it unless asked to overwrite.
    summary_edited = models.BooleanField(default=False)

    class Meta:
        ordering = ["episode", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "title"], name="topic_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


class HostProfile(models.Model):
    """A host's own settings: their time zone, new-submission emails, triage preference."""

    class Notify(models.TextChoices):
        OFF = "off", "No emails"
        EACH = "each", "An email for each new submission"
        HOURLY = "hourly", "An hourly digest"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="host_profile"
    )
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="Empty: the site's TIME_ZONE."
    )
    notify = models.CharField(max_length=10, choices=Notify.choices, default=Notify.OFF)
    # The last hourly digest's cut-off: the next one covers what arrived after it.
    digest_sent_until = models.DateTimeField(null=True, blank=True)
    stay_after_decision = models.BooleanField(
        default=False, help_text="Stay on a submission after approving or declining it."
    )

    def __str__(self) -> str:
        return f"Settings of {self.user}"


class Show(models.Model):
    """The podcast itself: one per install (episodes.services.show_get creates it on demand)."""

    name = models.CharField(max_length=120, default="Mailbag")
    tagline = models.CharField(max_length=200, blank=True)
    # Public by nature (pages, social previews): served by its own view, /show/artwork, which
    # serves this one file and nothing else from the private media storage.
    artwork = models.ImageField(
        upload_to="show/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp"])],
        help_text="A square PNG, JPEG or WebP image, like the podcast's cover art.",
    )
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name
