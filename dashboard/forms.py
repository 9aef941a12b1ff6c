"""Forms of the host dashboard: the submission list's filters, decisions on a submission, topics
and the essay import."""

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError

from episodes.formatting import excerpt
from episodes.models import Episode
from intake import selectors
from intake.models import Submission

UNTAGGED = "none"
ESSAY_MAX_BYTES = 1024 * 1024
ESSAY_EXTENSIONS = (".md", ".markdown", ".txt")


def _blank(label: str, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


class SubmissionFilterForm(forms.Form):
    """The list's filters (GET). Invalid values are dropped rather than shown as errors."""

    status = forms.ChoiceField(required=False, choices=_blank("All", Submission.Status.choices))
    kind = forms.ChoiceField(required=False, choices=_blank("Any kind", Submission.Kind.choices))
    topic = forms.ChoiceField(required=False)
    transcription = forms.ChoiceField(
        required=False,
        label="Transcription",
        choices=_blank("Any transcription", Submission.TranscriptionState.choices),
    )
    q = forms.CharField(required=False, max_length=200, label="Search")

    def __init__(self, *args, episode: Episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = list(episode.topics.all())
        self.fields["topic"].choices = _blank(
            "Any topic",
            [(UNTAGGED, "Not tagged yet"), *((str(t.pk), t.title) for t in self.topics)],
        )

    def selector_filters(self) -> dict:
        """Keyword arguments for selectors.submission_list_for_host."""
        self.is_valid()
        data = self.cleaned_data
        topic_value = data.get("topic") or ""
        topic = next((t for t in self.topics if str(t.pk) == topic_value), None)
        return {
            "status": data.get("status") or None,
            "kind": data.get("kind") or None,
            "topic": topic,
            "untagged": topic_value == UNTAGGED,
            "transcription_state": data.get("transcription") or None,
            "query": data.get("q") or None,
        }

    def active(self) -> bool:
        filters = self.selector_filters()
        return any(value for key, value in filters.items() if key != "status")


class TranscriptCorrectionForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        label="Corrected transcript",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Clear the box and save to go back to the machine transcript.",
    )


class SubmissionTagForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Topics"
    )

    def __init__(self, *args, episode: Episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = episode.topics.all()


class SubmissionMergeForm(forms.Form):
    """Fold the submission this form is posted for into `primary`."""

    primary = forms.ModelChoiceField(
        queryset=None,
        label="Merge this into",
        empty_label="Choose the question to keep…",
        error_messages={"invalid_choice": "That question cannot take a merge; pick another."},
    )

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["primary"]
        field.queryset = selectors.submission_merge_candidates(submission=submission)
        field.label_from_instance = _merge_label

    def first_error(self) -> str:
        return next(iter(self.errors.get("primary", [])), "Choose a question to merge into.")


def _merge_label(submission: Submission) -> str:
    words = excerpt(submission.best_text, 70) or "(voice, no text)"
    return f"#{submission.pk} · {submission.name or 'Anonymous'}: {words}"


# --- Topics -------------------------------------------------------------------------------


class TopicForm(forms.Form):
    """Title rules (blank, too long, a duplicate ignoring case) live in the topic services."""

    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A line or two in your own words; it also helps match questions to topics.",
    )


class TopicMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class EssayImportForm(forms.Form):
    markdown = forms.CharField(
        required=False,
        strip=False,
        label="Paste the essay (Markdown)",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )
    file = forms.FileField(
        required=False,
        label="…or upload a Markdown file",
        help_text="A .md, .markdown or .txt file, UTF-8, up to 1 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ESSAY_EXTENSIONS)}),
    )
    heading_level = forms.TypedChoiceField(
        coerce=int,
        initial=2,
        required=False,
        empty_value=2,
        label="Topics are the sections under",
        choices=[
            (1, "# Level 1 headings"),
            (2, "## Level 2 headings"),
            (3, "### Level 3 headings"),
            (4, "#### Level 4 headings"),
        ],
    )

    def clean(self):
        cleaned = super().clean()
        pasted = (cleaned.get("markdown") or "").strip()
        upload = cleaned.get("file")
        if pasted and upload:
            raise ValidationError("Paste the essay or upload a file, not both.")
        if upload:
            cleaned["essay"] = self._read_upload(upload)
        elif pasted:
            cleaned["essay"] = cleaned["markdown"]
        elif not self.has_error("file"):
            raise ValidationError("Paste the essay's Markdown or choose a .md file.")
        return cleaned

    def _read_upload(self, upload) -> str:
        if PurePath(upload.name).suffix.lower() not in ESSAY_EXTENSIONS:
            raise ValidationError(
                f"\u201c{upload.name}\u201d is not a Markdown file; choose a .md file."
            )
        if upload.size > ESSAY_MAX_BYTES:
            raise ValidationError(
                f"\u201c{upload.name}\u201d is {upload.size / 1024 / 1024:.1f} MB; "
                "an essay file can be up to 1 MB."
            )
        raw = b"".join(upload.chunks())
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(
                f"\u201c{upload.name}\u201d is not UTF-8 text; save it as UTF-8 and try again."
            ) from error
        if not text.strip():
            raise ValidationError(f"\u201c{upload.name}\u201d is empty.")
        return text
