"""Episodes, their hosts and a host's own settings."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from dashboard.forms.fields import DurationField, LocalDateTimeField, MinutesField
from episodes.models import Episode, HostProfile
from episodes.services import time_zone_names


class EpisodeForm(forms.Form):
    """Create or edit an episode. The rules (slug free and not reserved, lengths within
    bounds, questions closing before the recording) live in the episode services."""

    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=80,
        required=False,
        label="Address",
        help_text="The question page's address, /ask/your-address/: letters, digits and hyphens; "
        "leave it empty to make one from the title.",
    )
    intro = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Shown on the question page above the form (Markdown: links, lists, bold).",
    )
    recording_at = LocalDateTimeField(label="Recording")
    submissions_close_at = LocalDateTimeField(
        required=False,
        label="Questions close",
        help_text="Empty: the page takes questions until you close it.",
    )
    max_audio_seconds = DurationField(
        required=True,
        label="Longest voice message",
        help_text="Type 90, 1:30 or 2m.",
    )
    target_minutes = MinutesField(
        label="Target length",
        help_text="Of the recording, in minutes: 60, 45m or 1h30m.",
    )
    answer_seconds_default = DurationField(
        required=True,
        label="Answer time",
        help_text="How long you plan to answer each question on the run-sheet: 2:00, 90 or 3m.",
    )

    embed_origins = forms.CharField(
        required=False,
        label="Sites that may embed the question form",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "none"}),
        help_text="One per line, like https://www.example-show.com: the widget snippet works "
        "only on these sites. Empty: on no site.",
    )

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        zone = timezone.get_current_timezone_name()
        for name in ("recording_at", "submissions_close_at"):
            field = self.fields[name]
            field.help_text = " ".join(filter(None, [field.help_text, f"Your time zone: {zone}."]))
        if not creating:
            slug = self.fields["slug"]
            slug.required = True
            slug.help_text = (
                "The question page is at /ask/your-address/. Changing this moves it: links you "
                "already shared stop working."
            )

    @classmethod
    def initial_for(cls, episode: Episode) -> dict:
        return {name: getattr(episode, name) for name in cls.base_fields}

    def clean(self):
        cleaned = super().clean()
        if self.creating and not cleaned.get("slug") and cleaned.get("title"):
            cleaned["slug"] = slugify(cleaned["title"])[:80].strip("-")
            if not cleaned["slug"]:
                self.add_error("slug", "Type an address: letters, digits and hyphens.")
        return cleaned

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.base_fields}


class EpisodeOpenCloseForm(forms.Form):
    """Close the question page now, or open it again (until `close_at`, or until closed)."""

    action = forms.ChoiceField(choices=[("close", "Close now"), ("reopen", "Reopen")])
    close_at = LocalDateTimeField(
        required=False,
        label="Until",
        help_text="Empty: until you close it again.",
    )


class EpisodeHostAddForm(forms.Form):
    user = forms.CharField(
        max_length=254,
        label="User name or email address",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="Of an account on this Mailbag; it sees this episode once added.",
    )


class HostSettingsForm(forms.Form):
    NOTIFY_LABELS = {
        HostProfile.Notify.OFF: "No",
        HostProfile.Notify.EACH: "Yes, an email for each one",
        HostProfile.Notify.HOURLY: "Yes, at most one digest an hour",
    }

    time_zone = forms.ChoiceField(
        required=False,
        label="Time zone",
        help_text="Times on your pages are shown in it, and times you type are read in it.",
    )
    notify = forms.ChoiceField(
        label="Email me new submissions",
        widget=forms.RadioSelect,
        help_text="For the episodes you host, sent to your account's email address.",
    )
    stay_after_decision = forms.BooleanField(
        required=False,
        label="Stay on a submission after approving or declining it",
        help_text="Otherwise the next undecided one opens.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            ("", f"This Mailbag's zone ({settings.TIME_ZONE})"),
            *((name, name.replace("_", " ")) for name in time_zone_names()),
        ]
        self.fields["notify"].choices = [
            (value, self.NOTIFY_LABELS.get(value, label))
            for value, label in HostProfile.Notify.choices
        ]

    @classmethod
    def initial_for(cls, profile: HostProfile) -> dict:
        return {
            "time_zone": profile.time_zone,
            "notify": profile.notify,
            "stay_after_decision": profile.stay_after_decision,
        }
