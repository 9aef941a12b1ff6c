from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from episodes.formatting import megabytes_phrase, seconds_phrase
from episodes.models import Episode
from intake.audio import MESSAGES as AUDIO_MESSAGES
from intake.audio import AudioInfo, audio_rejection, audio_too_large_error
from intake.models import Submission
from intake.notice_optout import NOTIFY_NEEDS_EMAIL
from intake.submission_rules import NEEDS_TEXT_OR_AUDIO, submission_rule_errors
from intake.upload_check import upload_check

HONEYPOT_FIELD = "website"
# Shown to anything that fills the hidden field: bots get no hint about why.
HONEYPOT_MESSAGE = "We couldn't accept this form. Please check it and send it again."
# What the file picker offers; the server decides by the bytes, never by these.
AUDIO_ACCEPT = "audio/*,.webm,.ogg,.opus,.mp3,.m4a,.mp4,.aac,.wav,.flac"


class SubmissionForm(forms.Form):
    kind = forms.ChoiceField(
        label="What are you sending?",
        choices=[
            (Submission.Kind.QUESTION, "A question"),
            (Submission.Kind.MESSAGE, "A message"),
        ],
        initial=Submission.Kind.QUESTION,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label="Your question or message",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    audio = forms.FileField(
        label="Upload a recording",
        required=False,
        error_messages={"empty": AUDIO_MESSAGES["empty"]},
        widget=forms.FileInput(attrs={"accept": AUDIO_ACCEPT}),
    )
    # On-air consent only: the hosts may listen to any recording sent (runsheet never plays
    # one without it).
    consent = forms.BooleanField(label="You may play my recording on the show", required=False)
    name = forms.CharField(
        label="Your name",
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Your email",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # "Your question made the show" (runsheet.notices): only with an email to tell them at.
    notify_when_aired = forms.BooleanField(
        label="Tell me if my question is used on the show", required=False
    )
    website = forms.CharField(required=False)

    def __init__(
        self,
        *args,
        episode: Episode,
        upload_too_large: bool = False,
        uploads_paused_for: int | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        self.upload_too_large = upload_too_large
        # Seconds until this client may upload again after too many refused files.
        self.uploads_paused_for = uploads_paused_for
        self.audio_info: AudioInfo | None = None
        limit = seconds_phrase(episode.max_audio_seconds)
        size = megabytes_phrase(settings.SUBMISSION_MAX_UPLOAD_BYTES)
        self.fields["audio"].help_text = f"webm, ogg, mp3, m4a, wav or flac; up to {limit}, {size}."
        self.fields["email"].help_text = (
            "Only if you'd like the hosts to be able to reply, or to hear when your question "
            "is used."
        )

    @property
    def caught_by_honeypot(self) -> bool:
        return bool(self.is_bound and self.data.get(HONEYPOT_FIELD))

    def clean_audio(self):
        if self.upload_too_large:
            raise audio_too_large_error(max_bytes=settings.SUBMISSION_MAX_UPLOAD_BYTES)
        upload = self.cleaned_data.get("audio")
        if upload is None or self.caught_by_honeypot:
            return None
        if self.uploads_paused_for is not None:
            minutes = max(1, round(self.uploads_paused_for / 60))
            raise audio_rejection(
                code="uploads_paused", minutes=f"{minutes} minute{'' if minutes == 1 else 's'}"
            )
        self.audio_info = upload_check(upload=upload, max_seconds=self.episode.max_audio_seconds)
        return upload

    def audio_error_codes(self) -> list[str]:
        return [error.code for error in self.errors.as_data().get("audio", [])]

    def clean(self):
        cleaned = super().clean()
        if self.caught_by_honeypot:
            raise ValidationError(HONEYPOT_MESSAGE, code="honeypot")
        has_audio = cleaned.get("audio") is not None or "audio" in self.errors
        for field, message in submission_rule_errors(
            text=cleaned.get("text", ""),
            has_audio=has_audio,
            name=cleaned.get("name") or "",
            email=cleaned.get("email") or "",
        ).items():
            if field not in self.errors:
                self.add_error(field, message)
        # On the email field, where the fix is; a wrong address already has its own message.
        wants_notice = cleaned.get("notify_when_aired")
        if wants_notice and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", ValidationError(NOTIFY_NEEDS_EMAIL, code="notify_needs_email"))
        return cleaned

    def client_messages(self) -> dict[str, str]:
        """What recorder.js says, so the browser's checks read like the server's."""
        upload_instead = "You can upload a recording instead, or type your question."
        return {
            "needs_text_or_audio": NEEDS_TEXT_OR_AUDIO,
            "too_large": audio_too_large_error(
                max_bytes=settings.SUBMISSION_MAX_UPLOAD_BYTES
            ).messages[0],
            "email": str(EmailValidator.message),
            "mic_denied": (
                "Your browser didn't let this page use the microphone. To record, allow "
                f"microphone access for this site in your browser's settings. {upload_instead}"
            ),
            "mic_missing": f"We couldn't find a microphone on this device. {upload_instead}",
            "mic_busy": (
                "Your microphone is busy or unavailable; another app may be using it. "
                + upload_instead
            ),
            "mic_unsupported": f"Recording doesn't work in this browser. {upload_instead}",
            # Browsers offer the microphone only to https pages (and to localhost).
            "mic_insecure": (
                "Recording needs a secure (https) connection, and this page was opened "
                f"without one. {upload_instead}"
            ),
        }

    def submission_kwargs(self) -> dict:
        """The service's arguments, once the form is valid."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "text": data["text"],
            "name": data["name"],
            "email": data["email"],
            "audio": data["audio"],
            "audio_info": self.audio_info,
            "consent_to_air": data["consent"],
            "notify_when_aired": data["notify_when_aired"],
        }
